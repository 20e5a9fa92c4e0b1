"""Reads of approval routes: where a case's route stands, who may act, what awaits 後閲.

Who may act on a step is decided in one place, :func:`step_capacity`, which both the
services (to check the acting staff member) and :func:`route_status` (to list who could act)
use, so the screen and the rule cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from madoguchi.approvals.models import Absence, Approval, ApprovalStep, Capacity, Decision, StepStatus
from madoguchi.approvals.routes import Delegation, RouteInvalid, RouteStep, next_lower_role, route_parse
from madoguchi.cases.models import Case, CaseStatus
from madoguchi.tenants.access import StaffContext
from madoguchi.tenants.models import Department, Role, StaffMembership

Grant = tuple[int | None, str]  # (department id or None for all departments, role)


def case_route(case: Case) -> list[RouteStep] | None:
    """Return the route of the procedure version the case was made under (None: no route)."""
    return route_parse(case.procedure_version.definition)


def route_steps_planned(*, case: Case, route: list[RouteStep], generation: int, now: datetime) -> list[ApprovalStep]:
    """Return the (unsaved) rows of one generation of ``case``'s route.

    Raise RouteInvalid if a department the route names does not exist in the municipality.
    """
    case_department = case.department.code if case.department_id else None
    codes = {code for step in route for code in step.department_codes(case_department)}
    if None in codes:
        raise RouteInvalid("the case has no department, and a route step does not name one")
    departments = {d.code: d for d in Department.objects.for_municipality(case.municipality).filter(code__in=codes)}
    missing = sorted(codes - departments.keys())
    if missing:
        raise RouteInvalid(f"unknown department(s) in the approval route: {', '.join(missing)}")
    return [
        ApprovalStep(
            municipality=case.municipality,
            case=case,
            generation=generation,
            position=position,
            step_id=step.id,
            kind=step.kind,
            role=step.role,
            department=departments[code],
            delegation=step.delegation.as_dict() if step.delegation else None,
            answers_version=case.answers_version,
            status=StepStatus.PENDING,
            created_at=now,
        )
        for position, step in enumerate(route)
        for code in step.department_codes(case_department)
    ]


def case_steps(case: Case) -> list[ApprovalStep]:
    """Return every generation's rows of ``case``'s route, oldest generation first."""
    return list(ApprovalStep.objects.for_municipality(case.municipality).filter(case=case).select_related("department"))


def current_generation(rows: Iterable[ApprovalStep]) -> list[ApprovalStep]:
    rows = list(rows)
    if not rows:
        return []
    latest = max(row.generation for row in rows)
    return [row for row in rows if row.generation == latest]


def actionable(rows: list[ApprovalStep]) -> list[ApprovalStep]:
    """Return the pending rows every earlier position of which is approved (in one generation)."""
    pending = [row for row in rows if row.status == StepStatus.PENDING]
    if not pending or any(row.status != StepStatus.APPROVED for row in rows if row not in pending):
        return []
    first = min(row.position for row in pending)
    return [row for row in pending if row.position == first]


def is_complete(rows: list[ApprovalStep], case: Case) -> bool:
    return (
        bool(rows)
        and all(row.status == StepStatus.APPROVED for row in rows)
        and rows[0].answers_version == case.answers_version
    )


def proposal_of(rows: list[ApprovalStep], approvals: Iterable[Approval]) -> Approval | None:
    """Return the stamp of the current generation's first step that proposed an outcome (起案)."""
    first = {row.pk for row in rows if row.position == min(r.position for r in rows)} if rows else set()
    return next(
        (a for a in approvals if a.step_id in first and a.decision == Decision.APPROVE and a.proposal),
        None,
    )


def route_proposal(case: Case) -> Approval | None:
    """Return the stamp with the outcome ``case``'s current route proposes, or None."""
    rows = current_generation(case_steps(case))
    if not rows:
        return None
    approvals = Approval.objects.for_municipality(case.municipality).filter(step__in=[r.pk for r in rows])
    return proposal_of(rows, approvals)


def route_is_complete(case: Case) -> bool:
    """Return whether ``case`` may be decided as far as its approval route goes.

    True when the procedure has no route; otherwise every step of the current generation is
    approved, and for the answers the case has now (a correction after approval reopens it).
    """
    try:
        route = case_route(case)
    except RouteInvalid:
        return False
    if route is None:
        return True
    return is_complete(current_generation(case_steps(case)), case)


@dataclass
class Staffing:
    """Who holds which roles in a municipality, and who is away on one day."""

    grants: dict[int, set[Grant]] = field(default_factory=lambda: defaultdict(set))
    usernames: dict[int, str] = field(default_factory=dict)
    # user id -> the deputies named in their absences that cover the day (None: none named)
    absent: dict[int, list[int | None]] = field(default_factory=lambda: defaultdict(list))

    def holders(self, step: ApprovalStep) -> set[int]:
        return {
            user_id
            for user_id, grants in self.grants.items()
            if any(role == step.role and dept in (None, step.department_id) for dept, role in grants)
        }

    def deputies_named(self, step: ApprovalStep) -> set[int] | None:
        """Return the deputies who may 代決 ``step``: None when 代決 is not possible today.

        代決 is possible only when the step's role has holders and every one of them is
        absent. Deputies named in those absences may act; if none is named, the result is
        the empty set, meaning "any holder of the next lower role".
        """
        holders = self.holders(step)
        if not holders or not holders <= self.absent.keys():
            return None
        return {deputy for user_id in holders for deputy in self.absent[user_id] if deputy is not None}


def staffing_on(*, municipality, day: date, department_ids: Iterable[int] | None = None) -> Staffing:
    """Return the staffing of ``municipality`` on ``day`` (limited to some departments if given)."""
    staffing = Staffing()
    memberships = StaffMembership.objects.for_municipality(municipality).select_related("user")
    if department_ids is not None:
        memberships = memberships.filter(Q(department__isnull=True) | Q(department_id__in=list(department_ids)))
    for membership in memberships:
        staffing.grants[membership.user_id].add((membership.department_id, membership.role))
        staffing.usernames[membership.user_id] = membership.user.get_username()
    absences = Absence.objects.for_municipality(municipality).filter(start__lte=day, end__gte=day)
    for absence in absences.values("user_id", "deputy_id"):
        staffing.absent[absence["user_id"]].append(absence["deputy_id"])
    return staffing


def step_capacity(
    *, grants: Iterable[Grant], user_id: int, step: ApprovalStep, answers: dict, staffing: Staffing
) -> str | None:
    """Return the capacity in which ``user_id`` (holding ``grants``) may act on ``step``, or None.

    In order: the step's own role (通常); the 専決 role when the delegation covers the case's
    answers; 代決 when every holder of the step's role is absent — the deputies named in
    those absences, or else a holder of the next lower role.
    """
    roles = {role for dept, role in grants if dept is None or dept == step.department_id}
    if step.role in roles:
        return Capacity.REGULAR
    delegation = Delegation.from_dict(step.delegation)
    if delegation is not None and delegation.role in roles and delegation.applies(answers):
        return Capacity.DELEGATED
    named = staffing.deputies_named(step)
    if named is None:
        return None
    if named:
        return Capacity.DEPUTY if user_id in named else None
    return Capacity.DEPUTY if next_lower_role(step.role) in roles else None


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    capacity: str


@dataclass(frozen=True)
class StepState:
    step_id: str
    kind: str
    role: str
    position: int
    department_code: str
    department_name: str
    status: str
    actionable: bool
    approvals: list[Approval]
    may_act: list[Actor]


@dataclass(frozen=True)
class RouteStatus:
    has_route: bool
    started: bool
    generation: int
    complete: bool
    steps: list[StepState]
    # Earlier generations' approvals and returns (差戻し), oldest first.
    history: list[Approval]
    # What the draft (起案) of the current generation proposes: "approve", "reject" or "".
    proposal: str = ""
    proposal_message: str = ""


def route_status(*, case: Case, now: datetime | None = None) -> RouteStatus:
    """Return where ``case``'s route stands: each step of the current generation with its
    state, its approvals, and who may act on it now (and in which capacity).

    A route that has not started yet (review not started) is shown as planned.
    """
    now = now or timezone.now()
    route = case_route(case)
    if route is None:
        return RouteStatus(has_route=False, started=False, generation=0, complete=True, steps=[], history=[])
    rows_all = case_steps(case)
    rows = current_generation(rows_all)
    started = bool(rows)
    if not started:
        rows = route_steps_planned(case=case, route=route, generation=1, now=now)
    generation = rows[0].generation
    approvals = list(
        Approval.objects.for_municipality(case.municipality)
        .filter(case=case)
        .select_related("user", "post_reviewed_by", "step")
        .order_by("created_at", "id")
    )
    by_step: dict[int, list[Approval]] = defaultdict(list)
    for approval in approvals:
        by_step[approval.step_id].append(approval)
    stamped = {a.user_id for a in approvals if a.step.generation == generation and a.decision == Decision.APPROVE}
    open_rows = actionable(rows) if case.status == CaseStatus.IN_REVIEW else []
    staffing = staffing_on(municipality=case.municipality, day=timezone.localdate(now)) if open_rows else Staffing()
    steps = []
    for row in rows:
        may_act = []
        if row in open_rows:
            for user_id, grants in sorted(staffing.grants.items(), key=lambda item: staffing.usernames[item[0]]):
                capacity = step_capacity(
                    grants=grants, user_id=user_id, step=row, answers=case.answers, staffing=staffing
                )
                if capacity is not None and user_id not in stamped:
                    may_act.append(Actor(user_id, staffing.usernames[user_id], capacity))
        steps.append(
            StepState(
                step_id=row.step_id,
                kind=row.kind,
                role=row.role,
                position=row.position,
                department_code=row.department.code,
                department_name=row.department.display_name,
                status=row.status,
                actionable=row in open_rows,
                approvals=by_step.get(row.pk, []) if row.pk else [],
                may_act=may_act,
            )
        )
    proposed = proposal_of(rows, approvals) if started else None
    return RouteStatus(
        has_route=True,
        started=started,
        generation=generation,
        complete=started and is_complete(rows, case),
        steps=steps,
        history=[a for a in approvals if a.step.generation != generation],
        proposal=proposed.proposal if proposed else "",
        proposal_message=proposed.proposal_message if proposed else "",
    )


def _role_filter(staff: StaffContext, prefix: str) -> Q:
    """Return a filter on steps whose role ``staff`` holds in the step's department."""
    query = Q(pk__in=[])
    for dept, role in staff.grants:
        grant = Q(**{f"{prefix}role": role})
        if dept is not None:
            grant &= Q(**{f"{prefix}department_id": dept})
        query |= grant
    return query


def pending_post_reviews(*, staff: StaffContext) -> list[Approval]:
    """Return the 代決 approvals that ``staff``, as a holder of the step's role, should look at (後閲)."""
    return list(
        Approval.objects.for_municipality(staff.municipality)
        .filter(post_review_required=True, post_reviewed_at__isnull=True)
        .filter(_role_filter(staff, "step__"))
        .exclude(user_id=staff.user_id)
        .select_related("case", "step__department", "user")
        .order_by("created_at", "id")
    )


def may_post_review(*, staff: StaffContext, approval: Approval) -> bool:
    step = approval.step
    return approval.user_id != staff.user_id and step.role in staff.roles_for(step.department_id)


@dataclass(frozen=True)
class AwaitingStep:
    case: Case
    step: StepState
    capacity: str


def steps_awaiting(*, staff: StaffContext, now: datetime | None = None, limit: int = 50) -> list[AwaitingStep]:
    """Return the route steps ``staff`` may stamp now (承認待ち), oldest application first.

    Candidates are the pending steps of the staff member's departments; a 代決 deputy named
    from another department finds the case through its page instead.
    """
    now = now or timezone.now()
    pending = ApprovalStep.objects.for_municipality(staff.municipality).filter(status=StepStatus.PENDING)
    if not staff.all_departments:
        pending = pending.filter(department_id__in=staff.department_ids)
    cases = (
        Case.objects.for_municipality(staff.municipality)
        .filter(status=CaseStatus.IN_REVIEW, pk__in=pending.values("case_id"))
        .select_related("procedure_version", "department", "municipality")
        .order_by("submitted_at", "pk")[:limit]
    )
    awaiting = []
    for case in cases:
        for step in route_status(case=case, now=now).steps:
            mine = [actor for actor in step.may_act if actor.user_id == staff.user_id]
            if step.actionable and mine:
                awaiting.append(AwaitingStep(case=case, step=step, capacity=mine[0].capacity))
    return awaiting


def post_reviews_for_case(*, staff: StaffContext, case: Case) -> list[Approval]:
    """Return the 代決 approvals on ``case`` that ``staff`` may review afterwards (後閲) now."""
    return [approval for approval in pending_post_reviews(staff=staff) if approval.case_id == case.pk]


def absences_upcoming(*, staff: StaffContext, today: date) -> list[Absence]:
    """Return the absences not yet over: an administrator sees everyone's, others their own."""
    absences = Absence.objects.for_municipality(staff.municipality).filter(end__gte=today)
    if not any(role == Role.ADMIN for _dept, role in staff.grants):
        absences = absences.filter(user_id=staff.user_id)
    return list(absences.select_related("user", "deputy").order_by("start", "id"))


def municipality_staff_users(*, staff: StaffContext) -> list:
    """Return the active users who are staff of the staff member's municipality, by user name."""
    ids = StaffMembership.objects.for_municipality(staff.municipality).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username"))
