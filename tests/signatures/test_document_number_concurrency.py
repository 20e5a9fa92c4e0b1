"""文書番号 under concurrency (issue #12): documents issued at once, each in its own thread and
database connection, get unique, consecutive numbers; one that fails in between leaves no hole.

PostgreSQL only, like the receipt numbers' test: the test suite's SQLite database is a shared
in-memory one, whose connections refuse a second writer ("table is locked") instead of waiting.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from tests.backoffice.casework import complete_route, pay_fee, staff, submit_inkan
from tests.samples import NAME

from madoguchi.cases import workflow
from madoguchi.signatures.documents.services import document_issue
from madoguchi.signatures.models import DocumentKind, IssuedDocument

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 6
WAIT = 120  # seconds; only ever reached if the code under test is broken


def _decided(aoba, version_of, now, *, name=None):
    case = submit_inkan(aoba, version_of, now=now, name=name)
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    pay_fee(complete_route(case, now=now), now=now)  # a certificate waits for its fee
    return workflow.case_decide(staff=staff("aoba-approver"), case=case, approve=True, reason="", now=now)


def test_documents_issued_at_once_get_consecutive_numbers_and_a_failure_leaves_no_gap(
    municipalities, version_of, now, documents_configured, settings
):
    aoba = municipalities[0]
    # Decided while no key is configured, so the decisions' own jobs issue nothing.
    configured, settings.MADOGUCHI_SIGNATURES_FILE = settings.MADOGUCHI_SIGNATURES_FILE, None
    cases = [_decided(aoba, version_of, now) for _ in range(THREADS)]
    cases.insert(THREADS // 2, _decided(aoba, version_of, now, name={**NAME, "given": "花\U000f0000"}))
    settings.MADOGUCHI_SIGNATURES_FILE = configured
    start = threading.Barrier(len(cases))
    outcomes: list[str] = []

    def issue(case) -> None:
        try:
            start.wait(WAIT)
            document_issue(case=case, kind=DocumentKind.APPROVED, actor="test", now=now)
            outcomes.append("issued")
        except Exception as exc:  # the unprintable name; anything else fails the assertion below
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)

    assert sorted(outcomes) == sorted(["issued"] * THREADS + ["UnprintableCharacters"])
    numbers = IssuedDocument.objects.for_municipality(aoba).values_list("document_number", flat=True)
    assert sorted(numbers, key=lambda n: int(n[4:-1])) == [f"青市民第{n}号" for n in range(1, THREADS + 1)]
