"""Why a case action is refused: each error carries the code and message a screen shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict, Invalid, NotFound
from madoguchi.procedures.errors import FieldError


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


# Why a record of an import (cases.imports) is refused, by code.
IMPORT_PROBLEMS = {
    "answers_invalid": _("The answers do not satisfy the procedure."),
    "procedure_version_foreign": _("The procedure version belongs to another municipality."),
    "idempotency_key_invalid": _("An idempotency key of 1 to 100 characters is required."),
    "idempotency_key_used": _("This idempotency key is already used, in the municipality or in this import."),
    "submitted_at_invalid": _("The submission time needs a time zone and may not lie in the future."),
    "status_invalid": _("This is not a status an application can have."),
    "closed_at_invalid": _(
        "Exactly the completed and withdrawn records have a closing time, after their submission and not in "
        "the future."
    ),
    "assignee_invalid": _("The assignee is not active staff of the procedure's department."),
}


@dataclass(frozen=True)
class RecordProblem:
    """Why the record at ``index`` (0-based, in the order given) was refused."""

    index: int
    code: str
    errors: list[FieldError] = field(default_factory=list)  # the answers' problems, for answers_invalid

    @property
    def message(self) -> str:
        return str(IMPORT_PROBLEMS[self.code])

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "code": self.code,
            "message": self.message,
            "errors": [error.as_dict() for error in self.errors],
        }


class ImportInvalid(Invalid):
    """Records were refused, so nothing of the import was stored: ``problems`` says which and why."""

    kind = "validation-error"
    code = "import_invalid"
    message = _("The import has records that cannot be accepted; nothing was stored.")

    def __init__(self, problems: list[RecordProblem]):
        super().__init__()
        self.problems = problems

    def extensions(self) -> dict:
        return {"records": [problem.as_dict() for problem in self.problems]}
