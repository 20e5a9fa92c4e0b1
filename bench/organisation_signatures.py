"""Organisational signatures: signing cost per approval and ``signatures verify`` throughput.

Creates a fresh bench database (PostgreSQL ``madoguchi_bench_orgsign``, dropped and recreated;
or a temporary SQLite file with ``--sqlite``), runs the migrations, the demo loader and the
demo PKI in a temporary directory, then walks ``--signatures`` / 4 印鑑登録証明書 cases of
青葉市 through their route (起案 → 審査 → 決裁 stamps, then the 決裁 of the case) with the
real services: four signatures per case. It prints the time spent signing per decision
(document, CMS, row) and the time of a whole stamp, then times
``organisation_signatures_verify`` over all of them.

    .venv/bin/python bench/organisation_signatures.py                 # 1,000 signatures, PostgreSQL
    .venv/bin/python bench/organisation_signatures.py --sqlite --signatures 400

A report, not a test: it exits 0 unless verification failed, and it never runs in the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
SETTINGS = "madoguchi.conf.settings.bench"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "madoguchi_bench_orgsign"
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[bench +{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def recreate_database(*, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DATABASE)))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))


def setup_django(database_url: str, signatures_file: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = database_url
    os.environ["MADOGUCHI_SIGNATURES_FILE"] = str(signatures_file)
    os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    import django

    django.setup()


def walk_cases(cases: int) -> tuple[list[float], list[float]]:
    """Take ``cases`` cases through their route and decision; return (sign ms, stamp ms) samples."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_scopes import scopes_disabled
    from tests.backoffice.casework import INKAN

    from madoguchi.approvals.selectors import route_status
    from madoguchi.approvals.services import step_approve
    from madoguchi.cases.services import case_submit
    from madoguchi.cases.workflow import case_decide, case_start_review
    from madoguchi.demo.tenants import demo_tenants_load
    from madoguchi.procedures.selectors import procedure_get
    from madoguchi.procedures.services import catalog_load
    from madoguchi.signatures import organisation
    from madoguchi.tenants.access import staff_context_for

    with scopes_disabled():
        aoba = demo_tenants_load()[0]
        catalog_load(municipality=aoba, directory=REPO_DIR / "catalog")
    version = procedure_get(municipality=aoba, slug="inkan-certificate").current_version
    users = get_user_model().objects
    clerk, approver = (staff_context_for(users.get(username=name)) for name in ("aoba-clerk", "aoba-approver"))

    signing: list[float] = []
    sign = organisation._sign

    def timed_sign(**kwargs):
        began = time.perf_counter()
        try:
            return sign(**kwargs)
        finally:
            signing.append((time.perf_counter() - began) * 1000)

    organisation._sign = timed_sign
    stamps: list[float] = []
    for number in range(cases):
        now = timezone.now()
        case = case_submit(
            municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key=f"bench-{number}", now=now
        ).case
        case = case_start_review(staff=clerk, case=case, now=now)
        while not (status := route_status(case=case, now=now)).complete:
            step = next(s for s in status.steps if s.actionable)
            actor = staff_context_for(users.get(pk=step.may_act[0].user_id))
            began = time.perf_counter()
            step_approve(staff=actor, case=case, step_id=step.step_id, department=step.department_code, now=now)
            stamps.append((time.perf_counter() - began) * 1000)
        case_decide(staff=approver, case=case, approve=True, now=now)
        if (number + 1) % 50 == 0:
            log(f"{number + 1}/{cases} cases decided")
    organisation._sign = sign
    return signing, stamps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signatures", type=int, default=1000, help="how many to make and verify (default 1,000)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for a second verify run (default 2)")
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="madoguchi-orgsign-") as temporary:
        directory = Path(temporary)
        if args.sqlite:
            database_url = f"sqlite:///{directory / 'bench.sqlite3'}"
        else:
            recreate_database()
            database_url = f"{PG_SERVER}/{PG_DATABASE}"
        from madoguchi.demo.pki import demo_pki_ensure

        demo_pki_ensure(directory / "pki", [("082015", "青葉市"), ("082023", "港川市")])
        setup_django(database_url, directory / "pki" / "signatures.yaml")
        try:
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            log(f"making {args.signatures:,} signatures ({args.signatures // 4} cases, 4 decisions each)")
            signing, stamps = walk_cases(max(1, args.signatures // 4))
            print(
                f"signing: {len(signing)} decisions, {statistics.median(signing):.1f} ms median, "
                f"{statistics.quantiles(signing, n=100)[98]:.1f} ms p99 per signature; a whole stamp "
                f"(step_approve) {statistics.median(stamps):.1f} ms median"
            )
            from django_scopes import scopes_disabled

            from madoguchi.signatures.organisation_verify import organisation_signatures_verify
            from madoguchi.tenants.models import Municipality

            with scopes_disabled():
                aoba = Municipality.objects.get(code="082015")
            began = time.perf_counter()
            report = organisation_signatures_verify(municipality=aoba)
            seconds = time.perf_counter() - began
            print(
                f"verify: {report.checked:,} signatures in {seconds:.2f} s = {report.checked / seconds:,.0f} "
                f"signatures/s ({report.valid} valid, {len(report.invalid)} invalid, {len(report.missing)} missing)"
            )
            if args.jobs > 1:
                began = time.perf_counter()
                parallel = organisation_signatures_verify(municipality=aoba, jobs=args.jobs)
                seconds = time.perf_counter() - began
                print(
                    f"verify --jobs {args.jobs}: {parallel.checked:,} signatures in {seconds:.2f} s = "
                    f"{parallel.checked / seconds:,.0f} signatures/s ({parallel.valid} valid)"
                )
            return 0 if report.ok() else 1
        finally:
            if not args.sqlite:
                from django.db import connections

                connections.close_all()
                recreate_database(drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
