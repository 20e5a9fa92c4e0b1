"""Reads of one municipality's audit chain for its administrators (the back-office audit browser).

Entries are shown newest first and paged by keyset on ``sequence`` (unique per chain), so
the thousandth page costs what the first does. How far the chain is known to be intact
comes from what was already recorded — the latest verification run from the back office
(an ``audit.chain.verified`` entry) and the latest daily checkpoint — never from walking a
long chain on every page view.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from madoguchi.audit.models import AuditCheckpoint, AuditEntry
from madoguchi.audit.services import EVENT_CHAIN_VERIFIED as EVENT_VERIFIED
from madoguchi.tenants.models import Municipality

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What the administrator narrowed the log to; empty values do not filter."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    event: str = ""
    object_id: str = ""

    def as_payload(self) -> dict:
        """Return the filters as JSON-ready data (for the audit entry of an export)."""
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "actor": self.actor,
            "event": self.event,
            "object_id": self.object_id,
        }


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    details: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    # The sequence to continue below, or None on the last page.
    next_cursor: int | None


@dataclass(frozen=True)
class ChainStatus:
    """What is known about the chain's integrity without walking it now."""

    head_sequence: int
    last_verification: AuditEntry | None
    last_checkpoint: AuditCheckpoint | None

    @property
    def verified_up_to(self) -> int | None:
        """The sequence up to which the latest verification found the chain intact, if it did."""
        if self.last_verification is None or not self.last_verification.payload.get("ok"):
            return None
        return self.last_verification.payload.get("entries")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries_filtered(*, municipality: Municipality, filters: AuditFilters) -> QuerySet:
    """Return ``municipality``'s entries matching ``filters``, newest first.

    Dates are calendar days in the site's time zone, both inclusive. ``actor`` matches the
    recorded actor or a staff member's user name ("aoba-clerk" finds "staff:aoba-clerk");
    ``event`` matches event names that start with it ("tenants.staff" finds every staff
    change); ``object_id`` is exact (e.g. a receipt number or a user name).
    """
    entries = AuditEntry.objects.for_municipality(municipality)
    if filters.date_from:
        entries = entries.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        entries = entries.filter(created_at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    if filters.actor:
        entries = entries.filter(Q(actor=filters.actor) | Q(actor=f"staff:{filters.actor}"))
    if filters.event:
        entries = entries.filter(event__startswith=filters.event)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    return entries.order_by("-sequence")


def audit_details(entry: AuditEntry) -> str:
    """Return an entry's payload as compact, readable JSON (Japanese kept as it is)."""
    if not entry.payload:
        return ""
    return json.dumps(entry.payload, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def audit_page(
    *, municipality: Municipality, filters: AuditFilters, cursor: int | None = None, page_size: int = PAGE_SIZE
) -> AuditPage:
    """Return one page of the filtered log, starting below sequence ``cursor`` (None: the newest)."""
    entries = audit_entries_filtered(municipality=municipality, filters=filters)
    if cursor is not None:
        entries = entries.filter(sequence__lt=cursor)
    found = list(entries[: page_size + 1])
    rows = [AuditRow(entry=entry, details=audit_details(entry)) for entry in found[:page_size]]
    next_cursor = found[page_size - 1].sequence if len(found) > page_size else None
    return AuditPage(rows=rows, next_cursor=next_cursor)


def audit_export_rows(*, municipality: Municipality, filters: AuditFilters) -> Iterator[AuditEntry]:
    """Yield every entry of the filtered log, newest first, streamed in chunks."""
    entries = audit_entries_filtered(municipality=municipality, filters=filters)
    yield from entries.iterator(chunk_size=2000)


def audit_chain_status(*, municipality: Municipality) -> ChainStatus:
    """Return the chain's length, its latest recorded verification and its latest checkpoint."""
    entries = AuditEntry.objects.for_municipality(municipality)
    newest = entries.order_by("-sequence").values_list("sequence", flat=True).first()
    return ChainStatus(
        head_sequence=newest or 0,
        last_verification=entries.filter(event=EVENT_VERIFIED).order_by("-sequence").first(),
        last_checkpoint=AuditCheckpoint.objects.for_municipality(municipality)
        .order_by("-sequence", "-created_at")
        .first(),
    )
