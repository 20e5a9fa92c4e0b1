"""Fixtures for the REST API tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from tests.api.live import live_api  # noqa: F401 (a fixture for the HTTP-level tests)

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import Attachment, Case, ReceiptCounter


def store_snapshot(municipalities) -> dict:
    """Return what the municipalities hold: row counts, issued receipt numbers and stored files."""
    snapshot: dict = {
        model.__name__: sum(model.objects.for_municipality(m).count() for m in municipalities)
        for model in (Case, Attachment, AuditEntry)
    }
    snapshot["receipt_sequences"] = sorted(
        (c.municipality_id, c.fiscal_year, c.last)
        for m in municipalities
        for c in ReceiptCounter.objects.for_municipality(m)
    )
    media = Path(settings.MEDIA_ROOT)
    snapshot["files"] = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    return snapshot


@pytest.fixture
def unchanged(municipalities):
    """Return a check that nothing was stored since the test started."""
    before = store_snapshot(municipalities)

    def check() -> None:
        assert store_snapshot(municipalities) == before

    return check
