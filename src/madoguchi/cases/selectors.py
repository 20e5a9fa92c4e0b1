"""Reads of cases."""

from __future__ import annotations

import re
import unicodedata

from django_scopes import scopes_disabled

from madoguchi.cases.access import access_code_matches
from madoguchi.cases.models import Case

RECEIPT_RE = re.compile(r"^(\d{6})-(\d{4})-(\d{6})$")


def normalize_receipt_number(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    return re.sub(r"[\s‐‑–—−ー－]", "-", value)


def case_get_for_resident(*, receipt_number: str, access_code: str) -> Case | None:
    """Return the case if the receipt number and access code match, else None.

    A wrong code and an unknown number give the same answer, so receipt numbers cannot
    be probed.
    """
    receipt_number = normalize_receipt_number(receipt_number)
    match = RECEIPT_RE.match(receipt_number)
    if not match:
        return None
    # The receipt number carries the municipality's code; the lookup is by a unique key
    # and is then checked against the secret, so no scope is needed to find the row.
    with scopes_disabled():
        case = (
            Case.objects.select_related("municipality__prefecture", "procedure_version")
            .filter(receipt_number=receipt_number)
            .first()
        )
    if case is None or not access_code_matches(access_code, case.access_code_hash):
        return None
    return case
