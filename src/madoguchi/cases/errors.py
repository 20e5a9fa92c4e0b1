"""Why a case action is refused: each error carries the code and message a screen shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict, Invalid, NotFound


class IllegalTransition(Conflict):
    """The case's current status does not allow this action (someone may have changed it)."""

    kind = "illegal-transition"
    code = "illegal_transition"

    def __init__(self, action: str, status: str):
        from madoguchi.cases.models import CaseStatus

        super().__init__(
            _(
                "The application is now “%(status)s”, which does not allow this action. Someone may have "
                "changed it in the meantime: open the application again and check its status."
            )
            % {"status": CaseStatus(status).label}
        )
        self.action, self.case_status = action, status


class MessageRequired(Invalid):
    """This action needs a reason or message (補正の内容, 却下の理由)."""

    kind = "message-required"
    code = "message_required"
    message = _("This action needs a message or reason.")


class InvalidAssignee(Invalid):
    """The chosen assignee is not active staff of the case's department (in its municipality)."""

    code = "invalid_assignee"
    message = _("Choose a staff member of this application's department.")


class UnknownAction(NotFound):
    """No such staff action (a page URL or an API body named one that does not exist)."""

    code = "unknown_action"


class IdempotencyConflict(Invalid):
    """The idempotency key was used before with a different request body."""

    kind = "idempotency-conflict"
    code = "idempotency_conflict"
    message = _("This Idempotency-Key was already used with a different request.")

    def __init__(self, key: str = ""):
        super().__init__()
        self.key = key
