"""What the operator must act on before signatures stop: CRLs near their nextUpdate and
organisation signing keys near expiry, per municipality in the signatures file.

A residents' CRL past its nextUpdate refuses every resident signature (a stale CRL is never a
pass), so readiness warns ``MADOGUCHI_HEALTH_CRL_WARN_HOURS`` before that and fails after; a
signing certificate warns ``MADOGUCHI_HEALTH_KEY_WARN_DAYS`` before it expires. Both are
non-critical: they stop signatures, not the service, and every instance shares the files.
The same dates are exported to Prometheus as timestamps, for alert rules.

Parsing a CRL (JPKI's run to tens of megabytes) is done once per file version (path, size and
modification time), not on every probe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from django.conf import settings
from prometheus_client.core import GaugeMetricFamily, Metric

from madoguchi.observability.health import CheckResult, worst
from madoguchi.signatures.config import SignaturesNotConfigured, configured_municipalities


@dataclass(frozen=True)
class Dated:
    code: str
    when: datetime | None  # None: missing or unreadable
    problem: str = ""


@lru_cache(maxsize=64)
def _crl_next_update(path: str, size: int, mtime_ns: int) -> datetime | None:
    data = Path(path).read_bytes()
    crl = x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_crl(data)
    return crl.next_update_utc


def crl_dates() -> list[Dated]:
    """nextUpdate of each municipality's residents' CRL (municipalities that verify with one)."""
    found = []
    for code, config in sorted(configured_municipalities().items()):
        if config.verifier != "x509" or not config.resident_trust_anchors:
            continue  # residents' signatures not configured, or checked by an adapter's service
        if config.crl_file is None:
            found.append(Dated(code, None, "no CRL configured"))
            continue
        try:
            stat = config.crl_file.stat()
            found.append(Dated(code, _crl_next_update(str(config.crl_file), stat.st_size, stat.st_mtime_ns)))
        except (OSError, ValueError):
            found.append(Dated(code, None, "CRL missing or unreadable"))
    return found


def signing_key_dates() -> list[Dated]:
    """Expiry (notAfter) of each municipality's current organisation signing certificate."""
    found = []
    for code, config in sorted(configured_municipalities().items()):
        try:
            found.append(Dated(code, config.signing_key.certificate.not_valid_after_utc))
        except SignaturesNotConfigured:
            continue  # this municipality records decisions unsigned
    return found


def _dated_health(dates: list[Dated], *, now: datetime, warn_before: timedelta, what: str) -> CheckResult:
    items: dict[str, str] = {}
    notes = []
    for dated in dates:
        if dated.when is None:
            items[dated.code] = "fail"
            notes.append(f"{dated.code}: {dated.problem}")
        elif dated.when <= now:
            items[dated.code] = "fail"
            notes.append(f"{dated.code}: {what} passed")
        elif dated.when - now < warn_before:
            items[dated.code] = "warn"
            hours = (dated.when - now).total_seconds() / 3600
            notes.append(f"{dated.code}: {what} in {hours:.0f} h" if hours < 72 else f"{dated.code}: {what} in {hours / 24:.0f} days")
        else:
            items[dated.code] = "ok"
    return CheckResult(worst(items.values()), "; ".join(notes)[:200], items)


def crl_health(now: datetime | None = None) -> CheckResult:
    """Warn when a CRL's nextUpdate is near, fail when it has passed or the CRL is missing."""
    return _dated_health(
        crl_dates(),
        now=now or datetime.now(UTC),
        warn_before=timedelta(hours=settings.MADOGUCHI_HEALTH_CRL_WARN_HOURS),
        what="CRL nextUpdate",
    )


def signing_key_health(now: datetime | None = None) -> CheckResult:
    """Warn when a signing certificate expires within the warning period, fail once it has."""
    try:
        dates = signing_key_dates()
    except (OSError, ValueError, SignaturesNotConfigured):
        return CheckResult("fail", "a signing key cannot be loaded: run madoguchi signatures check")
    return _dated_health(
        dates,
        now=now or datetime.now(UTC),
        warn_before=timedelta(days=settings.MADOGUCHI_HEALTH_KEY_WARN_DAYS),
        what="signing certificate expiry",
    )


def signature_metrics() -> Iterable[Metric]:
    crl = GaugeMetricFamily(
        "madoguchi_crl_next_update_timestamp_seconds",
        "nextUpdate of the residents' CRL (Unix time; 0 if missing or unreadable).",
        labels=["municipality"],
    )
    for dated in crl_dates():
        crl.add_metric([dated.code], dated.when.timestamp() if dated.when else 0)
    key = GaugeMetricFamily(
        "madoguchi_signing_key_expiry_timestamp_seconds",
        "notAfter of the organisation's current signing certificate (Unix time).",
        labels=["municipality"],
    )
    for dated in signing_key_dates():
        key.add_metric([dated.code], dated.when.timestamp())
    return [crl, key]
