"""Why an approval action is refused: each error carries the code and message a screen shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict, Invalid, NotFound
from madoguchi.tenants.access import ActionNotAllowed


class StepNotFound(NotFound):
    """No such case, step or approval for this staff member — also when it exists but belongs
    to another municipality, or to departments the staff member has nothing to do with."""

    code = "step_not_found"


class StaffNotFound(NotFound):
    """No such staff member in the acting staff member's municipality."""

    code = "staff_not_found"


class ApprovalNotAllowed(ActionNotAllowed):
    """The staff member can see the step but may not act on it (now)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class ApprovalError(Conflict):
    """A refused approval action; ``code`` and ``message`` are what a screen shows."""

    kind = "route-refused"
    code = "approval_error"
    message = _("The approval could not be recorded.")


class StepOutOfOrder(ApprovalError):
    code = "out_of_order"
    message = _("An earlier step of the route is not approved yet.")


class StepAlreadyDone(ApprovalError):
    code = "already_done"
    message = _("This step has already been approved.")


class CaseNotInReview(ApprovalError):
    code = "not_in_review"
    message = _("The route can only be worked on while the application is in review.")


class ReasonRequired(ApprovalError):
    status = 422
    kind = "message-required"
    code = "reason_required"
    message = _("Give the reason for returning the application.")


class AlreadyPostReviewed(ApprovalError):
    code = "already_post_reviewed"
    message = _("This decision has already been reviewed.")


class AbsenceInvalid(ApprovalError):
    status = 422
    kind = Invalid.kind
    code = "absence_invalid"
    message = _("The absence must end on or after its first day, and not in the past.")


class SigningFailed(ApprovalError):
    """The municipality's signing key is configured but unusable: nothing is recorded unsigned."""

    code = "signing_failed"
    message = _("The decision could not be signed with the municipality's key. Ask the system administrator.")


class RouteIncomplete(ApprovalError):
    """Raised on a decision (決裁) while the case's approval route is not complete."""

    code = "route_incomplete"
    message = _("The approval route is not complete yet.")


class ProposalReasonRequired(ApprovalError):
    status = 422
    kind = "message-required"
    code = "proposal_reason_required"
    message = _("Give the reason for the rejection: the applicant is told it.")


class ProposalMissing(ApprovalError):
    status = 422
    kind = Invalid.kind
    code = "proposal_missing"
    message = _("Choose what the draft proposes: to grant or to reject the application.")


class ProposalMisplaced(ApprovalError):
    status = 422
    kind = Invalid.kind
    code = "proposal_misplaced"
    message = _("Only the first step of the route (起案) proposes the outcome.")


class DecisionDiffersFromProposal(ApprovalError):
    """Raised by ``case_decide`` when the decision is not what the route approved."""

    code = "decision_differs"
    message = _("The decision must be the outcome the approval route approved.")


class NoProposalToDecide(ApprovalError):
    """Raised when a stamp must take the 決裁 but the route's draft proposed no outcome."""

    code = "no_proposal"
    message = _(
        "The draft (起案) proposed no outcome, so this stamp cannot decide. Stamp the step, then approve or "
        "reject the application."
    )


class ReturnTakesNoOutcome(ApprovalError):
    """A return (差戻し) sent with a proposal or a decision: it neither proposes nor decides."""

    status = 422
    kind = Invalid.kind
    code = "return_with_outcome"
    message = _("A return (差戻し) neither proposes nor decides an outcome: send only the reason.")
