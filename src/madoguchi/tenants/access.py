"""What a staff member may see and do.

A staff member belongs to one municipality and holds roles per department (or for all of
the municipality's departments). Every back-office view and staff API call resolves a
:class:`StaffContext` first; services check actions against it. A case outside the staff
member's municipality or departments is "not found", never "forbidden", so existence does
not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_scopes import scopes_disabled

from madoguchi.core.errors import NotFound
from madoguchi.tenants.models import Municipality, Role, StaffMembership

ALL_ROLES = frozenset(Role.values)
# If you add an action here, check it in the service that performs it.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "view": ALL_ROLES,
    "assign": ALL_ROLES,
    "comment": ALL_ROLES,
    "start_review": ALL_ROLES,
    "request_correction": ALL_ROLES,
    "complete": ALL_ROLES,
    "withdraw": ALL_ROLES,
    "decide": frozenset({Role.APPROVER, Role.ADMIN}),
    "manage_staff": frozenset({Role.ADMIN}),
    # The assistant's FAQ: staff of the responsible department write entries; a second pair of
    # eyes (reviewer and above) publishes what residents will be told.
    "faq_edit": ALL_ROLES,
    "faq_publish": frozenset({Role.REVIEWER, Role.APPROVER, Role.ADMIN}),
    # Issued documents (signatures.documents.services.document_reissue): a re-issue restates a
    # decision already taken, so whoever works the case may do it.
    "issue_document": ALL_ROLES,
    # The fee (payments.services.payment_record): whoever works the case records what was paid.
    "record_payment": ALL_ROLES,
}


class ActionNotAllowed(NotFound):
    """The staff member's roles do not allow this action on this case.

    Shown as "not found", like a case of another municipality: existence must not leak.
    """

    def __init__(self, action: str = ""):
        super().__init__()
        self.action = action


@dataclass(frozen=True)
class StaffContext:
    user_id: int
    username: str
    municipality: Municipality
    # (department id or None for all departments, role)
    grants: frozenset[tuple[int | None, str]]

    def roles_for(self, department_id: int | None) -> set[str]:
        return {role for dept, role in self.grants if dept is None or dept == department_id}

    def can(self, action: str, department_id: int | None) -> bool:
        return bool(self.roles_for(department_id) & ACTION_ROLES[action])

    def require(self, action: str, department_id: int | None) -> None:
        if not self.can(action, department_id):
            raise ActionNotAllowed(action)

    @property
    def all_departments(self) -> bool:
        return any(dept is None for dept, _role in self.grants)

    @property
    def department_ids(self) -> set[int]:
        return {dept for dept, _role in self.grants if dept is not None}

    @property
    def manages_staff(self) -> bool:
        """Whether this is a municipality administrator: 管理者 for all departments."""
        return self.can("manage_staff", None)

    @property
    def actor_label(self) -> str:
        return f"staff:{self.username}"


def staff_context_for(user) -> StaffContext | None:
    """Return the staff context of ``user``, or None if they are not municipality staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    with scopes_disabled():  # a user's memberships are found by user, then checked to be one municipality
        memberships = list(StaffMembership.objects.filter(user=user).select_related("municipality__prefecture"))
    municipalities = {m.municipality_id for m in memberships}
    if len(municipalities) != 1:
        return None
    return StaffContext(
        user_id=user.pk,
        username=user.get_username(),
        municipality=memberships[0].municipality,
        grants=frozenset((m.department_id, m.role) for m in memberships),
    )
