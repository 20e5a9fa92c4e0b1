"""A real SMTP server (aiosmtpd) on 127.0.0.1, and cases whose residents gave an e-mail address.

Notifications are sent over a socket to a server started by the test, never into Django's
in-memory outbox, so connection handling, refusals and encodings are the real ones.
"""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.db import transaction
from tests.backoffice.casework import complete_route
from tests.cases.test_submit import INKAN
from tests.notifications.support import ADDRESS, APPLICANT_PHONE, RecordingHandler, free_port, use_smtp
from tests.resident_signing import case_submit_as_resident

from madoguchi.cases import workflow
from madoguchi.notifications.models import NotificationKind
from madoguchi.notifications.selectors import notifications_for_case
from madoguchi.tenants.access import StaffContext


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server that records what it gets; Django's e-mail points at it."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield handler
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Django's e-mail points at a port nobody listens on (connection refused)."""
    use_smtp(settings, free_port())


@pytest.fixture
def public_url(settings):
    settings.MADOGUCHI_PUBLIC_URL = "https://madoguchi.example.jp"
    return "https://madoguchi.example.jp/status/"


@pytest.fixture
def submit(aoba, version_of, now):
    """Submit an INKAN application to 青葉市; return the SubmitResult (case and access code).

    The submission queues its 受付 e-mail; tests of the later e-mails take it out of the outbox
    (``receipt=False``) so that what they count and send is only the e-mail they are about.
    The receipt itself is tested in test_receipt.py.
    """
    counter = iter(range(1, 1000))

    def make(*, municipality=None, language="ja", email=ADDRESS, receipt=False, answers=None):
        municipality = municipality or aoba
        answers = {**INKAN, "phone": APPLICANT_PHONE, **(answers or {})}
        if email:
            answers["email"] = email
        result = case_submit_as_resident(
            municipality=municipality,
            procedure_version=version_of(municipality, "inkan-certificate"),
            answers=answers,
            idempotency_key=f"notify-{next(counter)}",
            language=language,
            now=now,
        )
        if not receipt:
            notifications_for_case(case=result.case).filter(kind=NotificationKind.RECEIVED).delete()
        return result

    return make


@pytest.fixture
def staff_of(db):
    """Return an administrator of a municipality (may request corrections and decide)."""

    def make(municipality):
        name = f"clerk-{municipality.code}"
        user = get_user_model().objects.create_user(name, password="x-long-password-1")
        return StaffContext(
            user_id=user.pk, username=name, municipality=municipality, grants=frozenset({(None, "admin")})
        )

    return make


@pytest.fixture
def staff(aoba, staff_of):
    return staff_of(aoba)


def queued(case, kind: str):
    """Return the e-mail the change just made queued (notifications subscribes to the case's changes)."""
    return notifications_for_case(case=case).filter(kind=kind).order_by("-id").first()


@pytest.fixture
def request_correction(now):
    """Ask for a correction and queue the e-mail in one transaction."""

    def act(staff, case, message="電話番号をご確認ください。", *, at=None):
        with transaction.atomic():
            case = workflow.case_request_correction(staff=staff, case=case, message=message, now=at or now)
            return queued(case, "correction_requested")

    return act


@pytest.fixture
def decide(now):
    """Review and decide a case, queueing the e-mail in the deciding transaction."""

    def act(staff, case, *, approve, reason="", at=None, review=True):
        if review:
            case = workflow.case_start_review(staff=staff, case=case, now=at or now)
        complete_route(case, now=at or now)
        with transaction.atomic():
            case = workflow.case_decide(staff=staff, case=case, approve=approve, reason=reason, now=at or now)
            return queued(case, "approved" if approve else "rejected")

    return act
