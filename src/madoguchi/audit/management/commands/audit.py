"""``madoguchi audit verify|checkpoint``: check the audit chains, record their heads.

Both cover every municipality's chain and then the platform's own (the operator's sign-ins
and changes in ``/admin/``, shown as ``platform``); ``--municipality CODE`` narrows them to
one municipality, ``--municipality platform`` to the platform chain.

Run both daily, e.g. from cron (``15 2 * * * madoguchi audit checkpoint && madoguchi audit
verify``) or a systemd timer (``OnCalendar=daily``) starting a oneshot service with those
two commands. ``checkpoint`` prints each head it records; keep that output (journald, the
cron mail, a log shipped elsewhere): a copy of the heads outside the database is what
exposes a rewrite by someone who can change every table. ``verify`` exits non-zero when a
chain is broken, so the timer's failure alerting applies.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from madoguchi.audit.chain import PLATFORM
from madoguchi.audit.services import audit_checkpoint
from madoguchi.audit.verification import audit_chain_verify
from madoguchi.tenants.commandline import municipalities_for_command


def chains_for_command(code: str | None) -> list:
    """Every municipality's chain then the platform's, or the one ``--municipality`` names."""
    if code == PLATFORM.code:
        return [PLATFORM]
    municipalities = municipalities_for_command(code)
    return municipalities if code is not None else [*municipalities, PLATFORM]


class Command(BaseCommand):
    help = "Verify the audit hash chains (per municipality, and the platform's), or record their heads as checkpoints."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every entry, the head and the checkpoints; exit 1 on a problem.")
        checkpoint = sub.add_parser("checkpoint", help="Record the current head of each chain (run daily).")
        for action in (verify, checkpoint):
            action.add_argument(
                "--municipality", metavar="CODE", help="local government code, e.g. 082015, or 'platform'"
            )

    def handle(self, *args, action: str, municipality: str | None = None, **options):
        chains = chains_for_command(municipality)
        if action == "checkpoint":
            for m in chains:
                checkpoint = audit_checkpoint(municipality=m)
                self.stdout.write(
                    f"{m.code} checkpoint #{checkpoint.sequence} {checkpoint.hash} "
                    f"{timezone.localtime(checkpoint.created_at).isoformat(timespec='seconds')}"
                )
            return
        failed, total, started = [], 0, time.perf_counter()
        for m in chains:
            began = time.perf_counter()
            report = audit_chain_verify(municipality=m)
            seconds = time.perf_counter() - began
            total += report.entries
            if report.problem is None:
                self.stdout.write(f"OK {m.code} {report.entries} entries ({_rate(report.entries, seconds)})")
            else:
                failed.append(m.code)
                where = f" #{report.problem.sequence}" if report.problem.sequence is not None else ""
                self.stdout.write(f"FAIL {m.code}{where}: {report.problem.reason}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"verified {total} entries in {seconds:.2f} s ({_rate(total, seconds)})")
        if failed:
            raise CommandError(f"audit chain broken: {', '.join(failed)}")


def _rate(entries: int, seconds: float) -> str:
    return f"{entries / seconds:,.0f} entries/s" if seconds > 0 else "- entries/s"
