"""``madoguchi signatures verify|check|crl-refresh``: signatures' keys, CRLs and evidence.

``verify`` derives every signed approval document again from the database, compares it
with what was signed, checks each CMS signature and its certificate chain at the signing
time, and exits non-zero on any invalid or missing signature (and on unsigned decisions,
unless ``--allow-unsigned``). Run it daily beside ``madoguchi audit verify``, so alerting
on a failed timer covers both. ``check`` looks at the signing keys' files and certificates
without touching the database. Both warn about key files others can read.
``crl-refresh`` installs each municipality's current residents' CRL from its source (run it
from cron: a stale CRL makes every resident signature fail, see docs/signatures.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError

from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.crl import CrlRefreshFailed, crl_refresh
from madoguchi.signatures.keyfiles import key_file_warnings
from madoguchi.signatures.organisation_verify import VerifyReport, organisation_signatures_verify
from madoguchi.tenants.commandline import municipalities_for_command

EXPIRY_WARNING = timedelta(days=60)
SHOWN_FINDINGS = 50


class Command(BaseCommand):
    help = "Verify the organisational signatures of approval decisions, or check the signing keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every organisational signature; exit 1 on a problem.")
        verify.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="do not fail on decisions recorded unsigned (a municipality without a signing key yet)",
        )
        verify.add_argument(
            "--jobs", type=int, default=1, metavar="N", help="check signatures in N worker processes (default 1)"
        )
        check = sub.add_parser("check", help="Check the signing keys' file permissions and certificates.")
        crl = sub.add_parser("crl-refresh", help="Install each municipality's residents' CRL from its source.")
        for action in (verify, check, crl):
            action.add_argument("--municipality", metavar="CODE", help="local government code, e.g. 082015")

    def handle(self, *args, action: str, municipality: str | None = None, **options):
        for warning in key_file_warnings():
            self.stderr.write(f"WARNING {warning}")
        municipalities = municipalities_for_command(municipality)
        if action == "crl-refresh":
            return self._crl_refresh(municipalities)
        if action == "check":
            return self._check(municipalities)
        allow_unsigned = options["allow_unsigned"]
        jobs = max(1, options["jobs"])
        reports = [organisation_signatures_verify(municipality=m, jobs=jobs) for m in municipalities]
        for report in reports:
            self._print(report, allow_unsigned=allow_unsigned)
        checked = sum(r.checked for r in reports)
        seconds = sum(r.seconds for r in reports)
        self.stdout.write(f"checked {checked} signatures in {seconds:.2f} s ({_rate(checked, seconds)})")
        failed = [r.municipality for r in reports if not r.ok(allow_unsigned=allow_unsigned)]
        if failed:
            raise CommandError(f"organisational signatures failed verification: {', '.join(failed)}")

    def _crl_refresh(self, municipalities) -> None:
        failed = []
        for municipality in municipalities:
            try:
                config = municipality_signatures(municipality.code)
            except SignaturesNotConfigured:
                continue
            if config.verifier != "x509" or config.crl_file is None:
                continue  # an adapter's service checks revocation itself
            if not config.crl_source:
                self.stdout.write(f"SKIP {municipality.code}: no CRL source; the file is kept current by other means")
                continue
            try:
                result = crl_refresh(config)
            except CrlRefreshFailed as exc:
                self.stderr.write(f"FAIL {municipality.code}: {exc}")
                failed.append(municipality.code)
                continue
            state = "installed" if result.replaced else "unchanged (the installed CRL is as new)"
            self.stdout.write(
                f"OK {municipality.code}: CRL {state}, {result.revoked} revoked, "
                f"this update {result.this_update:%Y-%m-%d %H:%M}, next update {result.next_update:%Y-%m-%d %H:%M} UTC"
            )
        if failed:
            raise CommandError(f"CRL refresh failed: {', '.join(failed)}")

    def _print(self, report: VerifyReport, *, allow_unsigned: bool) -> None:
        verdict = "OK" if report.ok(allow_unsigned=allow_unsigned) else "FAIL"
        self.stdout.write(
            f"{verdict} {report.municipality}: {report.checked} checked, {report.valid} valid, "
            f"{len(report.invalid)} invalid, {len(report.missing)} missing, {len(report.unsigned)} unsigned "
            f"({_rate(report.checked, report.seconds)})"
        )
        for label, findings in (
            ("INVALID", report.invalid),
            ("MISSING", report.missing),
            ("UNSIGNED", report.unsigned),
        ):
            for finding in findings[:SHOWN_FINDINGS]:
                self.stdout.write(
                    f"  {label} {finding.receipt_number} {finding.object_type} {finding.object_id}: {finding.reason}"
                )
            if len(findings) > SHOWN_FINDINGS:
                self.stdout.write(f"  … and {len(findings) - SHOWN_FINDINGS} more {label.lower()}")

    def _check(self, municipalities: list) -> None:
        now, problems = datetime.now(UTC), []
        for m in municipalities:
            try:
                config = municipality_signatures(m.code)
                key = config.signing_key
            except SignaturesNotConfigured as exc:
                self.stdout.write(f"UNSIGNED {m.code}: {exc}; its decisions are recorded without a signature")
                continue
            except (OSError, ValueError) as exc:
                problems.append(m.code)
                self.stdout.write(f"FAIL {m.code}: the signing key cannot be loaded: {exc}")
                continue
            expires = key.certificate.not_valid_after_utc
            state = "OK"
            if expires <= now or key.certificate.not_valid_before_utc > now:
                state = "FAIL"
                problems.append(m.code)
            elif expires - now < EXPIRY_WARNING:
                state = "WARNING"
            self.stdout.write(
                f"{state} {m.code}: signs as {key.certificate.subject.rfc4514_string()}, "
                f"valid until {expires.date().isoformat()}; {len(config.organisation_keys)} key entries, "
                f"{len(config.organisation_trust_anchors)} trust anchors"
            )
        if problems:
            raise CommandError(f"signing keys not usable: {', '.join(problems)}")


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} signatures/s" if seconds > 0 and count else "- signatures/s"
