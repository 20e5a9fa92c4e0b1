"""Signature costs, measured side by side in one run (``make bench-signatures``).

In a fresh SQLite database (or PostgreSQL with --postgres) with the demo loaded and a fresh
demo PKI, it measures in-process, through the same services the API calls:

  1. resident signature verifications per second (CMS container, and the raw form the
     national authentication app returns), each a full check: signature, chain, validity,
     key usage, CRL;
  2. signed PDFs per second (a 受理証明書 rendered with the Japanese font, then PAdES-signed
     with the municipality's key);
  3. the latency of a signed submit against an unsigned one of the same application
     (interleaved, so both see the same machine), and their ratio.

It prints the numbers; it is a report, not a test, and exits 0 whatever they are.
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

INKAN = {
    "applicant_name": {"family": "青葉", "given": "花子", "family_kana": "アオバ", "given_kana": "ハナコ"},
    "birth_date": "1988-04-02",
    "address": {
        "postal_code": "3100015",
        "prefecture": "茨城県",
        "city": "青葉市",
        "town": "本町一丁目",
        "block": "1番1号",
        "building": "",
    },
    "copies": "1",
    "purpose": "real_estate",
    "delivery_method": "counter",
    "phone": "029-200-1234",
    "consent": True,
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def setup(postgres: bool, work: Path) -> None:
    os.environ["MADOGUCHI_VAR_DIR"] = str(work)
    os.environ["MADOGUCHI_MEDIA_ROOT"] = str(work / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "madoguchi.conf.settings.bench"
    if postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS madoguchi_bench_signatures")
            connection.execute("CREATE DATABASE madoguchi_bench_signatures")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_signatures"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from madoguchi.demo.pki import demo_pki_ensure
    from madoguchi.demo.tenants import demo_tenants_load
    from madoguchi.procedures.services import catalog_load

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        municipalities = demo_tenants_load()
        for municipality in municipalities:
            catalog_load(municipality=municipality, directory=REPO_DIR / "catalog")
    demo_pki_ensure(work / "demo-pki", [(m.code, m.name) for m in municipalities])
    settings.MADOGUCHI_SIGNATURES_FILE = str(work / "demo-pki" / "signatures.yaml")


def bench_verifications(n: int) -> None:
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.serialization import Encoding
    from django.conf import settings

    from madoguchi.demo.pki import software_card_load
    from madoguchi.signatures.signing import sign_cms, sign_raw
    from madoguchi.signatures.verification import SubmittedSignature, verifier_for

    key, certificate, chain = software_card_load(Path(settings.MADOGUCHI_SIGNATURES_FILE).parent)
    content = ("{\"answers\":" + "\"申請内容\"" * 50 + "}").encode()
    forms = {
        "CMS": SubmittedSignature(cms=sign_cms(content, key, certificate, chain)),
        "raw": SubmittedSignature(
            signature=sign_raw(content, key),
            certificate=certificate.public_bytes(Encoding.DER),
            chain=tuple(c.public_bytes(Encoding.DER) for c in chain),
        ),
    }
    verifier = verifier_for("082015")
    for label, submitted in forms.items():
        verifier.verify(content=content, submitted=submitted, at=datetime.now(UTC))  # warm
        started = time.perf_counter()
        for _ in range(n):
            verifier.verify(content=content, submitted=submitted, at=datetime.now(UTC))
        elapsed = time.perf_counter() - started
        print(f"  verify {label:3}: {n / elapsed:7.1f} verifications/s ({elapsed / n * 1000:.1f} ms each, n={n})")


def bench_pdfs(n: int) -> None:
    """Render a 受理証明書 of a real case with the Japanese font and sign it (PAdES)."""
    from datetime import UTC, datetime

    from django_scopes import scopes_disabled

    from madoguchi.cases.services import case_submit
    from madoguchi.procedures.selectors import procedure_version_for_submit
    from madoguchi.signatures.config import municipality_signatures
    from madoguchi.signatures.documents.render import render_pdf
    from madoguchi.signatures.documents.services import document_content
    from madoguchi.signatures.documents.signing import sign_document

    with scopes_disabled():
        version = procedure_version_for_submit(municipality_code="082015", slug="inkan-certificate")
        case = case_submit(municipality=version.municipality, procedure_version=version, answers=INKAN,
                           idempotency_key="bench-pdf").case  # fmt: skip
        content = document_content(case=case, kind="receipt", now=datetime.now(UTC))
    signatures = municipality_signatures("082015")
    started = time.perf_counter()
    render_pdf(content, created=datetime.now(UTC))  # the first parses the font
    cold = time.perf_counter() - started
    render_times, sign_times = [], []
    for _ in range(n):
        started = time.perf_counter()
        pdf = render_pdf(content, created=datetime.now(UTC))
        rendered = time.perf_counter()
        sign_document(pdf, signatures=signatures, reason="bench", location="青葉市")
        render_times.append(rendered - started)
        sign_times.append(time.perf_counter() - rendered)
    total = sum(render_times) + sum(sign_times)
    print(f"  signed PDFs: {n / total:6.2f} PDFs/s  (render p50 {statistics.median(render_times) * 1000:.0f} ms, "
          f"sign p50 {statistics.median(sign_times) * 1000:.0f} ms; first render in a process {cold:.2f} s; n={n})")


def bench_submits(n: int) -> None:
    from django.conf import settings
    from django_scopes import scopes_disabled

    from madoguchi.cases.services import case_submit
    from madoguchi.demo.pki import software_card_load
    from madoguchi.procedures.selectors import procedure_version_for_submit
    from madoguchi.signatures.services import application_signing_content
    from madoguchi.signatures.signing import sign_cms
    from madoguchi.signatures.verification import SubmittedSignature

    key, certificate, chain = software_card_load(Path(settings.MADOGUCHI_SIGNATURES_FILE).parent)
    with scopes_disabled():
        version = procedure_version_for_submit(municipality_code="082015", slug="inkan-certificate")
        municipality = version.municipality
        content = application_signing_content(municipality=municipality, procedure_version=version, answers=INKAN)
        signature = SubmittedSignature(cms=sign_cms(content, key, certificate, chain))
        times: dict[str, list[float]] = {"unsigned": [], "signed": []}
        for i in range(n + 5):
            for label, submitted in (("unsigned", None), ("signed", signature)):
                started = time.perf_counter()
                case_submit(municipality=municipality, procedure_version=version, answers=INKAN,
                            idempotency_key=f"bench-{label}-{i}", signature=submitted)  # fmt: skip
                if i >= 5:  # the first few warm caches and connections
                    times[label].append((time.perf_counter() - started) * 1000)
    for label, values in times.items():
        print(f"  submit {label:8}: p50 {statistics.median(values):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms"
              f"  (n={len(values)})")  # fmt: skip
    p50_signed, p50_unsigned = statistics.median(times["signed"]), statistics.median(times["unsigned"])
    print(f"  signed / unsigned p50: {p50_signed / p50_unsigned:.2f}  (+{p50_signed - p50_unsigned:.1f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL instead of SQLite")
    parser.add_argument("-n", type=int, default=200, help="verifications and submits per kind")
    arguments = parser.parse_args()
    sys.path.insert(0, str(REPO_DIR))
    with tempfile.TemporaryDirectory(prefix="madoguchi-bench-signatures-") as work:
        print(f"Signature benchmark on {'PostgreSQL' if arguments.postgres else 'SQLite'}, {os.cpu_count()} CPUs")
        setup(arguments.postgres, Path(work))
        bench_verifications(arguments.n)
        bench_pdfs(max(10, arguments.n // 10))
        bench_submits(arguments.n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
