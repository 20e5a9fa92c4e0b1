"""What staff can do to a case, listed once.

Every door that lets staff act on a case — the case page, the staff API — offers the
actions of :data:`STAFF_ACTIONS` and performs them with :func:`case_action_perform`, so an
action, its permission, the statuses it is possible in and what it needs as input are
defined here and nowhere else. A door only parses its input and shows the result.
If you add an action: register it below and give it a form on the case page
(``backoffice/case_detail.html``); the staff API takes it from the registry. Another domain
registers its own actions from its ``AppConfig.ready()`` (payments: ``payment_paid`` …), with
``available`` saying when its own state allows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.cases import workflow
from madoguchi.cases.errors import MessageRequired, UnknownAction
from madoguchi.cases.models import Case
from madoguchi.core.registry import Registry
from madoguchi.tenants.access import StaffContext


@dataclass(frozen=True)
class StaffAction:
    """One action: ``permission`` (tenants.access.ACTION_ROLES) and ``transition``
    (workflow.TRANSITIONS, or None if possible in every status) decide who may take it when."""

    name: str
    permission: str
    transition: str | None
    perform: Callable[..., object]
    message: Literal["none", "optional", "required"] = "none"
    takes_assignee: bool = False
    # What the staff member is told when a required message is missing, and after success.
    message_missing: str | Promise = ""
    done: str | Promise = ""
    # Whether the case allows it beyond its status (e.g. a payment still unpaid); None: always.
    available: Callable[[Case], bool] | None = None


STAFF_ACTIONS: Registry[StaffAction] = Registry("cases.staff_actions")


def staff_action_register(action: StaffAction) -> None:
    """Add ``action`` to :data:`STAFF_ACTIONS` (a domain's ``ready()`` may call this)."""
    STAFF_ACTIONS.add(action.name, action)


_register = staff_action_register


_register(
    StaffAction(
        name="assign",
        permission="assign",
        transition=None,
        takes_assignee=True,
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_assign(
            staff=staff, case=case, assignee_id=assignee_id, now=now
        ),
        done=_("The assignee was changed."),
    )
)
_register(
    StaffAction(
        name="comment",
        permission="comment",
        transition=None,
        message="required",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_comment(
            staff=staff, case=case, message=message, now=now
        ),
        message_missing=_("Enter a comment."),
        done=_("Your comment was added."),
    )
)
_register(
    StaffAction(
        name="start_review",
        permission="start_review",
        transition="start_review",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_start_review(
            staff=staff, case=case, now=now
        ),
        done=_("The review was started."),
    )
)
_register(
    StaffAction(
        name="request_correction",
        permission="request_correction",
        transition="request_correction",
        message="required",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_request_correction(
            staff=staff, case=case, message=message, now=now
        ),
        message_missing=_("Enter what the applicant needs to correct."),
        done=_("The correction request was sent to the applicant."),
    )
)
_register(
    StaffAction(
        name="approve",
        permission="decide",
        transition="decide",
        message="optional",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_decide(
            staff=staff, case=case, approve=True, reason=message, now=now
        ),
        done=_("The application was approved."),
    )
)
_register(
    StaffAction(
        name="reject",
        permission="decide",
        transition="decide",
        message="required",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_decide(
            staff=staff, case=case, approve=False, reason=message, now=now
        ),
        message_missing=_("Enter the reason for the rejection."),
        done=_("The application was rejected."),
    )
)
_register(
    StaffAction(
        name="complete",
        permission="complete",
        transition="complete",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_complete(
            staff=staff, case=case, now=now
        ),
        done=_("The application was marked as completed."),
    )
)
_register(
    StaffAction(
        name="withdraw",
        permission="withdraw",
        transition="withdraw",
        message="optional",
        perform=lambda *, staff, case, message, assignee_id, now: workflow.case_withdraw(
            staff=staff, case=case, message=message, now=now
        ),
        done=_("The withdrawal of the application was recorded."),
    )
)


def staff_action_get(name: str) -> StaffAction:
    """Return the action called ``name``; UnknownAction (shown as "not found") otherwise."""
    if name not in STAFF_ACTIONS:
        raise UnknownAction
    return STAFF_ACTIONS[name]


def case_available_actions(*, staff: StaffContext, case: Case) -> list[str]:
    """Return the names of the actions ``staff`` may take on ``case`` in its current status."""
    return [
        action.name
        for action in STAFF_ACTIONS
        if staff.can(action.permission, case.department_id)
        and (action.transition is None or case.status in workflow.TRANSITIONS[action.transition]["from"])
        and (action.available is None or action.available(case))
    ]


def case_action_perform(
    *,
    staff: StaffContext,
    case: Case,
    action: str,
    message: str = "",
    assignee_id: int | None = None,
    now: datetime | None = None,
) -> object:
    """Perform ``action`` on ``case`` as ``staff`` and return what its service returns.

    Raise UnknownAction for an action that does not exist, MessageRequired (with the
    action's own wording) when it needs a message and got none, and whatever refusal its
    service raises (IllegalTransition, InvalidAssignee, RouteIncomplete, …).
    """
    definition = staff_action_get(action)
    message = (message or "").strip()[: workflow.MAX_MESSAGE_LENGTH] if definition.message != "none" else ""
    if definition.message == "required" and not message:
        raise MessageRequired(definition.message_missing or None)
    return definition.perform(
        staff=staff, case=case, message=message, assignee_id=assignee_id if definition.takes_assignee else None, now=now
    )
