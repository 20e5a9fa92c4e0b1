"""The resident is e-mailed when a signed document is issued for them (issue 12, item 4):
the decision notice after a decision, and a re-issued version; not the 受理証明書 they asked
for themselves on the status page. Delivered over a real SMTP server, without the access code."""

from __future__ import annotations

import pytest
from tests.backoffice.casework import INKAN, complete_route, pay_fee, staff, submit
from tests.notifications.conftest import public_url, smtp_server  # noqa: F401  (fixtures)
from tests.notifications.support import ADDRESS
from tests.notifications.test_send import body_of, subject_of
from tests.resident_signing import case_submit_as_resident

from madoguchi.cases import workflow
from madoguchi.cases.access import access_code_from_salt, format_access_code
from madoguchi.notifications.delivery import notifications_send_due
from madoguchi.notifications.models import Notification
from madoguchi.signatures.documents.services import document_receipt_request, document_reissue
from madoguchi.signatures.models import DocumentKind


@pytest.fixture
def case(aoba, version_of, now):
    return submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers={**INKAN, "email": ADDRESS})


def document_emails(case) -> list[Notification]:
    return list(
        Notification.objects.for_municipality(case.municipality).filter(case=case, kind="document_issued").order_by("id")
    )


def decide(case, *, approve: bool, now, reason: str = ""):
    pay_fee(case, now=now)
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    complete_route(case, now=now)
    return workflow.case_decide(staff=staff("aoba-approver"), case=case, approve=approve, reason=reason, now=now)


def test_the_decision_notice_is_announced_by_email_once_issued(
    case, now, documents_configured, django_capture_on_commit_callbacks, smtp_server, public_url  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(case, approve=True, now=now)
    [queued] = document_emails(case)
    notifications_send_due(now=queued.next_attempt_at)  # issued by the job, at the time it ran

    [message] = [m for m in smtp_server.messages if "文書を交付しました" in subject_of(m)]
    assert subject_of(message) == f"【青葉市】文書を交付しました（受付番号 {case.receipt_number}）"
    body = body_of(message)
    assert "■交付した文書\n決定通知書（電子署名付きPDF）" in body
    assert public_url in body
    code = access_code_from_salt(case.access_salt)
    assert code not in body and format_access_code(code) not in body
    assert queued.body == body


def test_a_rejection_notice_is_announced_in_english_for_an_english_application(
    aoba, version_of, now, documents_configured, django_capture_on_commit_callbacks
):
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers={**INKAN, "email": ADDRESS},
        idempotency_key="document-email-en",
        language="en",
        now=now,
    ).case
    with django_capture_on_commit_callbacks(execute=True):
        decide(case, approve=False, reason="The seal is not registered.", now=now)
    [queued] = document_emails(case)
    assert queued.language == "en"
    assert queued.subject == f"[Aoba City] A document has been issued for your application (receipt number {case.receipt_number})"
    assert "却下通知書 (PDF, signed electronically)" in queued.body


def test_a_reissued_document_is_announced_again(case, now, documents_configured, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decide(case, approve=True, now=now)
    document_reissue(staff=staff("aoba-clerk"), case=case, kind=DocumentKind.APPROVED, now=now)
    assert len(document_emails(case)) == 2


def test_a_certificate_of_receipt_the_resident_asked_for_is_not_emailed(case, now, documents_configured):
    document_receipt_request(case=case, now=now)
    assert document_emails(case) == []


def test_nothing_is_emailed_to_a_resident_who_gave_no_address(
    aoba, version_of, now, documents_configured, django_capture_on_commit_callbacks
):
    case = submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers=INKAN)
    with django_capture_on_commit_callbacks(execute=True):
        decide(case, approve=True, now=now)
    assert document_emails(case) == []
