"""``madoguchi demo_cases --municipality CODE --count N``: fill a municipality's queue with generated cases.

Benchmark and demo fixtures (see :mod:`madoguchi.demo.cases`), stored through the bulk import
of cases (:mod:`madoguchi.cases.imports`): run ``madoguchi demo`` first; the municipality must
have no cases yet. Never in production.
"""

import sys
import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from madoguchi.cases.errors import ImportInvalid
from madoguchi.demo.cases import MunicipalityHasCases, demo_cases_generate
from madoguchi.tenants.models import Municipality


class Command(BaseCommand):
    help = "Generate realistic demo cases for a municipality without cases (bulk; for the queue benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="local government code, e.g. 082015")
        parser.add_argument("--count", type=int, required=True, help="how many cases, e.g. 1000000")
        parser.add_argument("--years", type=float, default=3.0, help="spread submissions over this many years")
        parser.add_argument("--until", help="latest submission time, ISO 8601 (default: now)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed gives the same cases)")
        parser.add_argument("--no-copy", action="store_true", help="use bulk_create even on PostgreSQL")

    def handle(self, *args, **options):
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        now = None
        if options["until"]:
            try:
                now = datetime.fromisoformat(options["until"])
            except ValueError as exc:
                raise CommandError("--until must be an ISO 8601 date and time.") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        with scopes_disabled():
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Unknown municipality {options['municipality']} (run `madoguchi demo` first).")
        started = time.perf_counter()
        interactive = sys.stderr.isatty() and options["verbosity"] > 0

        def progress(done: int, total: int) -> None:
            if options["verbosity"] == 0:
                return
            rate = done / (time.perf_counter() - started or 1e-9)
            filled = 40 * done // total
            line = f"cases [{'#' * filled}{'.' * (40 - filled)}] {done:>10,}/{total:,} {rate:>8,.0f}/s"
            if interactive:
                self.stderr.write("\r" + line, ending="\n" if done >= total else "")
            elif done >= total or done % (total // 10 or 1) < 5_000:
                self.stderr.write(line)

        try:
            result = demo_cases_generate(
                municipality=municipality,
                count=options["count"],
                years=options["years"],
                now=now,
                seed=options["seed"],
                use_copy=False if options["no_copy"] else None,
                progress=progress,
            )
        except MunicipalityHasCases as exc:
            raise CommandError(
                f"{exc} already has cases: generated cases go only into a municipality without any "
                "(use a fresh database, or delete its cases first)."
            ) from exc
        except ImportInvalid as exc:  # the generator's own mistake, shown as the import found it
            problems = "; ".join(
                f"record {p.index}: {p.code} {[(e.path, e.code) for e in p.errors]}" for p in exc.problems[:10]
            )
            raise CommandError(f"{exc}: {problems}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        counters = ", ".join(f"{year}: {last:,}" for year, last in result.counters.items())
        self.stdout.write(
            f"{municipality.code} {municipality.name}: {result.count:,} cases in {seconds:.1f} s "
            f"({result.count / seconds:,.0f}/s), submitted {result.first_submitted_at:%Y-%m-%d} to "
            f"{result.last_submitted_at:%Y-%m-%d}; receipt counters {counters}"
        )
