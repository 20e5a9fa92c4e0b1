"""The case page's route section says, per stamp, whether the municipality signed it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from tests.backoffice.casework import log_in_verified, staff, submit_inkan, user

from madoguchi.approvals.services import step_approve
from madoguchi.cases import workflow


@pytest.fixture
def stamped_case(aoba, version_of):
    now = timezone.now()
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=submit_inkan(aoba, version_of, now=now), now=now)
    step_approve(staff=staff("aoba-clerk"), case=case, step_id="kian", now=now)
    return case


def route_html(case) -> str:
    client = Client()
    log_in_verified(client, user("aoba-approver"))
    html = client.get(f"/staff/cases/{case.receipt_number}/").content.decode()
    return html[html.index('data-testid="route"') :]


def test_a_signed_stamp_shows_the_signer_and_the_signing_time(signatures_configured, stamped_case):
    html = route_html(stamped_case)
    assert html.count('data-testid="org-signature"') == 1
    assert "組織署名済み: CN=青葉市長,O=青葉市,C=JP · <time datetime=" in html


def test_an_unsigned_stamp_is_marked(stamped_case):
    html = route_html(stamped_case)
    assert "組織署名なし" in html
    assert "組織署名済み" not in html
