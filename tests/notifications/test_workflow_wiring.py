"""The staff actions in cases.workflow queue the e-mail in their own transaction.

notifications subscribes to ``cases.events.case_status_changed`` (in the transaction), so
cases.workflow never imports notifications.
"""

import pytest
from django.db import transaction
from tests.backoffice.casework import complete_route

from madoguchi.cases import workflow
from madoguchi.cases.models import Case, CaseStatus
from madoguchi.notifications.models import Notification


def kinds(municipality):
    return list(Notification.objects.for_municipality(municipality).order_by("id").values_list("kind", "body"))


def test_a_correction_request_queues_its_email(aoba, submit, staff, now):
    workflow.case_request_correction(staff=staff, case=submit().case, message="住所をご確認ください。", now=now)
    [(kind, body)] = kinds(aoba)
    assert kind == "correction_requested" and "住所をご確認ください。" in body


def test_decisions_queue_their_emails_and_other_actions_do_not(aoba, submit, staff, now):
    approved, rejected, withdrawn = submit().case, submit().case, submit().case
    for case in (approved, rejected):
        workflow.case_start_review(staff=staff, case=case, now=now)
        complete_route(case, now=now)
    workflow.case_decide(staff=staff, case=approved, approve=True, now=now)
    workflow.case_decide(staff=staff, case=rejected, approve=False, reason="要件を満たしていません。", now=now)
    workflow.case_withdraw(staff=staff, case=withdrawn, now=now)
    assert [kind for kind, _body in kinds(aoba)] == ["approved", "rejected"]
    assert "要件を満たしていません。" in kinds(aoba)[1][1]


def test_a_rolled_back_action_queues_nothing(aoba, submit, staff, now):
    case = submit().case
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.case_request_correction(staff=staff, case=case, message="確認してください。", now=now)
        raise RuntimeError
    assert kinds(aoba) == []
    assert Case.objects.for_municipality(aoba).get().status == CaseStatus.SUBMITTED
