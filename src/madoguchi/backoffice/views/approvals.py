"""Back-office approval work (電子決裁): stamping a case's route, returning it (差戻し),
後閲 of a deputy's decision, the staff member's approval inbox and absences (不在登録).

The rules — order, capacities (通常・専決・代決), one seal per person — live in
``approvals.services``, ``approvals.post_reviews`` and ``approvals.selectors``; these views only translate the form
and the outcome. "Not allowed" and "not found" answer alike (404), as on the case pages.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from madoguchi.approvals import absences, post_reviews, selectors, services
from madoguchi.approvals import errors as refusals
from madoguchi.backoffice.views.cases import _render_case, staff_page
from madoguchi.cases.selectors import case_get_for_staff
from madoguchi.core.errors import DomainError

DECIDED = {
    "approved": gettext_lazy("Your approval was recorded, and the application was approved."),
    "rejected": gettext_lazy("Your approval was recorded, and the application was rejected."),
}
ROUTE_ACTIONS = {
    "approve": (services.step_approve, gettext_lazy("Your approval was recorded.")),
    "return": (services.step_return, gettext_lazy("The application was returned to the start of the route.")),
}


@staff_page
@require_POST
def route_action(request, receipt_number: str, step_id: str, action: str):
    if action not in ROUTE_ACTIONS:
        raise Http404("Unknown route action")
    perform, success = ROUTE_ACTIONS[action]
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    text = request.POST.get("message", "")
    department = request.POST.get("department", "")[:40] or None
    keyword: dict = {"comment": text} if action == "approve" else {"reason": text}
    proposal = request.POST.get("proposal", "")[:16]
    if action == "approve" and "proposing" in request.POST:
        keyword.update(proposal=proposal, proposal_message=request.POST.get("proposal_message", ""))
    deciding = action == "approve" and request.POST.get("decide") == "1"
    try:
        if action == "approve" and "proposing" in request.POST and not proposal:
            raise refusals.ProposalMissing
        if deciding:
            _approval, decided = services.step_decide(
                staff=request.staff, case=case, step_id=step_id[:40], department=department, comment=text
            )
            if decided is not None:
                success = DECIDED[decided.status]
        else:
            perform(staff=request.staff, case=case, step_id=step_id[:40], department=department, **keyword)
    except refusals.ApprovalNotAllowed:
        raise Http404 from None
    except refusals.ApprovalError as error:
        status = 400 if error.status == 422 else 409
        return _render_case(
            request,
            case,
            route_error={"step": step_id, "department": department, "message": error.message, "action": action},
            values={"route": text, "proposal": proposal, "proposal_message": request.POST.get("proposal_message", "")},
            status=status,
        )
    except DomainError as error:  # the decision refused by another domain (e.g. signing)
        if error.status == 404:
            raise
        return _render_case(
            request,
            case,
            route_error={"step": step_id, "department": department, "message": str(error), "action": action},
            status=error.status,
        )
    messages.success(request, success)
    return redirect("backoffice:case", receipt_number=case.receipt_number)


@staff_page
@require_POST
def post_review(request, approval_id: int):
    try:
        approval = post_reviews.post_review(
            staff=request.staff, approval_id=approval_id, comment=request.POST.get("message", "")
        )
    except refusals.AlreadyPostReviewed as error:
        messages.error(request, error.message)
        return redirect("backoffice:approvals")
    messages.success(request, _("Your review of the deputy's decision was recorded."))
    if request.POST.get("next") == "case":
        return redirect("backoffice:case", receipt_number=approval.case.receipt_number)
    return redirect("backoffice:approvals")


def _inbox(request, *, errors: dict | None = None, values: dict | None = None, status: int = 200):
    staff = request.staff
    today = timezone.localdate()
    is_admin = any(role == "admin" for _dept, role in staff.grants)
    context = {
        "awaiting": selectors.steps_awaiting(staff=staff),
        "post_reviews": selectors.pending_post_reviews(staff=staff),
        "absences": selectors.absences_upcoming(staff=staff, today=today),
        "staff_users": selectors.municipality_staff_users(staff=staff),
        "is_admin": is_admin,
        "today": today,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "backoffice/approvals.html", context, status=status)


@staff_page
@require_GET
def inbox(request):
    return _inbox(request)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@staff_page
@require_POST
def absence_create(request):
    staff = request.staff
    values = {key: request.POST.get(key, "")[:40] for key in ("user", "start", "end", "deputy")}
    start, end = _date(values["start"]), _date(values["end"])
    errors = {}
    if start is None:
        errors["start"] = _("Enter the first day as a date, for example 2026-12-24.")
    if end is None:
        errors["end"] = _("Enter the last day as a date, for example 2026-12-28.")
    users = {str(user.pk): user for user in selectors.municipality_staff_users(staff=staff)}
    absent = users.get(values["user"]) if values["user"] else get_user_model().objects.get(pk=staff.user_id)
    deputy = users.get(values["deputy"]) if values["deputy"] else None
    if absent is None:
        errors["user"] = _("Choose a staff member of your municipality.")
    if values["deputy"] and deputy is None:
        errors["deputy"] = _("Choose a staff member of your municipality.")
    if not errors:
        try:
            absences.absence_register(staff=staff, user=absent, start=start, end=end, deputy=deputy)
        except refusals.AbsenceInvalid as error:
            errors["end"] = error.message
        except refusals.ApprovalNotAllowed:
            errors["user"] = _("Only an administrator may register the absence of someone else.")
        else:
            messages.success(request, _("The absence was registered."))
            return redirect("backoffice:approvals")
    return _inbox(request, errors=errors, values=values, status=400)
