"""A procedure's approval route (決裁ルート) as data: read it from the definition and check it.

The route is the ``approval_route`` list of a procedure definition. JSON Schema checks its
shape (``procedure.schema.json``); :func:`route_parse` checks what a schema cannot: unique
step ids, one 決裁 at the end, a 起案 only at the start, 専決 only to a lower role and only
on an amount the resident actually answers. Nothing here touches the database.

Roles form one ladder, 担当 (clerk) < 審査 (reviewer) < 決裁者 (approver). The ladder decides
who stands in for whom: 代決 falls to the next lower role, 専決 to a role below the step's.
If you add a role to ``tenants.models.Role`` that takes part in routes, place it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict
from madoguchi.procedures.definition import DefinitionProblem, iter_fields

ROLE_LADDER = ("clerk", "reviewer", "approver")
AMOUNT_FIELD_TYPES = frozenset({"integer", "yen"})


class RouteInvalid(Conflict):
    """The procedure's approval route cannot be followed (a definition or department problem).

    The text (English) is for the DX staff who edit the catalog; staff working a case are
    shown the translated ``message``.
    """

    kind = "route-refused"
    code = "route_invalid"
    message = _("The procedure's approval route cannot be followed. Ask the DX office to check its definition.")

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class StepKind:
    # If you add a kind, add it to procedure.schema.json ($defs/approval_step) and docs/approvals.md.
    DRAFT = "draft"  # 起案
    REVIEW = "review"  # 審査 (回議)
    CONSULT = "consult"  # 合議: every listed department agrees, in any order
    DECIDE = "decide"  # 決裁


def next_lower_role(role: str) -> str | None:
    """Return the role one rung below ``role`` (who may stand in as 代決), or None."""
    index = ROLE_LADDER.index(role)
    return ROLE_LADDER[index - 1] if index > 0 else None


@dataclass(frozen=True)
class Delegation:
    """専決: ``role`` may decide the step, always, or when the answer ``field`` is below ``below``."""

    role: str
    field: str | None = None
    below: int | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        """Return whether the delegation covers a case with ``answers``.

        An unanswered or non-numeric amount is never "below": when the amount is unknown the
        decision goes to the regular decider.
        """
        if self.field is None:
            return True
        value = answers.get(self.field)
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return value < self.below

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role}
        if self.field is not None:
            data.update(field=self.field, below=self.below)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Delegation | None:
        if not data:
            return None
        return cls(role=data["role"], field=data.get("field"), below=data.get("below"))


@dataclass(frozen=True)
class RouteStep:
    id: str
    kind: str
    role: str
    department: str | None = None  # None: the case's department
    departments: tuple[str, ...] = ()  # 合議 only
    delegation: Delegation | None = None
    title: dict[str, str] | None = None

    def department_codes(self, case_department: str | None) -> list[str | None]:
        """Return the codes of the departments that must each approve this step."""
        if self.kind == StepKind.CONSULT:
            return list(self.departments)
        return [self.department or case_department]


def route_parse(definition: dict[str, Any]) -> list[RouteStep] | None:
    """Return the definition's approval route, None if it has none, or raise RouteInvalid."""
    raw = definition.get("approval_route")
    if not raw:
        return None
    steps = [
        RouteStep(
            id=item["id"],
            kind=item["kind"],
            role=item["role"],
            department=item.get("department"),
            departments=tuple(item.get("departments", ())),
            delegation=Delegation.from_dict(item.get("delegation")),
            title=item.get("title"),
        )
        for item in raw
    ]
    _check(steps, definition)
    return steps


def _check(steps: list[RouteStep], definition: dict[str, Any]) -> None:
    seen: set[str] = set()
    for step in steps:
        if step.id in seen:
            raise RouteInvalid(f"approval_route: duplicate step id '{step.id}'")
        seen.add(step.id)
    kinds = [step.kind for step in steps]
    if kinds.count(StepKind.DECIDE) != 1 or kinds[-1] != StepKind.DECIDE:
        raise RouteInvalid("approval_route: there must be exactly one 'decide' step, and it must be the last")
    if kinds.count(StepKind.DRAFT) > 1 or (StepKind.DRAFT in kinds and kinds[0] != StepKind.DRAFT):
        raise RouteInvalid("approval_route: a 'draft' step may only be the first")
    amount_fields = {spec["id"] for _step, spec in iter_fields(definition) if spec["type"] in AMOUNT_FIELD_TYPES}
    for step in steps:
        delegation = step.delegation
        if delegation is None:
            continue
        if ROLE_LADDER.index(delegation.role) >= ROLE_LADDER.index(step.role):
            raise RouteInvalid(f"approval_route: step '{step.id}' delegates to '{delegation.role}', which is not lower")
        if delegation.field is not None and delegation.field not in amount_fields:
            raise RouteInvalid(
                f"approval_route: step '{step.id}' delegates on '{delegation.field}', "
                "which is not an integer or yen field of this procedure"
            )


def check_route(definition: dict) -> None:
    """The procedures' definition check for the approval route (registered at start)."""
    try:
        route_parse(definition)
    except RouteInvalid as error:
        raise DefinitionProblem(str(error), path=["approval_route"]) from None
