"""Reads of a municipality's staff, for its administrator; who counts as staff at all."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.audit.chain import PLATFORM, ChainOwner
from madoguchi.core.errors import NotFound
from madoguchi.tenants.access import staff_context_for
from madoguchi.tenants.models import Department, Municipality, PrefectureStaff, StaffMembership


class StaffNotFound(NotFound):
    """No such staff member, role or department in the municipality."""

    code = "staff_not_found"

    def __init__(self, key: object = None):
        super().__init__()
        self.key = key


@dataclass(frozen=True)
class StaffRow:
    """A staff member with their roles in one municipality, for the administrator's list."""

    user: Any
    memberships: list[StaffMembership]
    has_authenticator: bool


def _staff_users(*, municipality: Municipality):
    user_ids = StaffMembership.objects.for_municipality(municipality).values("user_id")
    return get_user_model()._default_manager.filter(pk__in=user_ids)


def staff_list(*, municipality: Municipality) -> list[StaffRow]:
    """Return the municipality's staff (active first, by user name) with their roles.

    Three queries whatever the number of staff.
    """
    users = list(_staff_users(municipality=municipality).order_by("-is_active", "username"))
    memberships: dict[int, list[StaffMembership]] = {user.pk: [] for user in users}
    for membership in (
        StaffMembership.objects.for_municipality(municipality)
        .select_related("department")
        .order_by("department__code", "role")
    ):
        memberships[membership.user_id].append(membership)
    enrolled = set(
        TOTPDevice.objects.filter(user__in=[u.pk for u in users], confirmed=True).values_list("user_id", flat=True)
    )
    return [StaffRow(user=u, memberships=memberships[u.pk], has_authenticator=u.pk in enrolled) for u in users]


def staff_get(*, municipality: Municipality, user_id: int, lock: bool = False):
    """Return the staff member ``user_id`` of ``municipality``, or raise StaffNotFound.

    Someone who holds no role in the municipality (another municipality's staff, a platform
    operator) is "not found" like a user id that does not exist. ``lock`` locks the user row
    (inside a transaction) so two administrators' changes to one person serialise.
    """
    users = _staff_users(municipality=municipality)
    if lock:
        users = users.select_for_update()
    user = users.filter(pk=user_id).first()
    if user is None:
        raise StaffNotFound(user_id)
    return user


def staff_detail(*, municipality: Municipality, user_id: int) -> StaffRow:
    """Return one staff member of ``municipality`` with their roles (StaffNotFound if none)."""
    user = staff_get(municipality=municipality, user_id=user_id)
    memberships = list(
        StaffMembership.objects.for_municipality(municipality)
        .filter(user=user)
        .select_related("department")
        .order_by("department__code", "role")
    )
    return StaffRow(
        user=user,
        memberships=memberships,
        has_authenticator=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    )


def department_list(*, municipality: Municipality) -> list[Department]:
    return list(Department.objects.for_municipality(municipality).order_by("code"))


# --- who may sign in, and whose audit chain records it --------------------------------------


def staff_is_prefecture_staff(user) -> bool:
    return PrefectureStaff.objects.filter(user=user).exists()


def staff_is_operator(user) -> bool:
    """Return whether ``user`` is a platform operator: may use ``/admin/`` (Django's ``is_staff``)."""
    return bool(user.is_active and user.is_staff)


def staff_may_sign_in(user) -> bool:
    """Return whether ``user`` may use the staff sign-in: municipality or prefecture staff, or an operator.

    The same accounts may ask for a password link; a deactivated account may do neither.
    """
    if not user.is_active:
        return False
    return staff_context_for(user) is not None or staff_is_prefecture_staff(user) or staff_is_operator(user)


def staff_audit_owner(user) -> tuple[ChainOwner | None, str]:
    """Return the chain that records ``user``'s own actions (sign-ins, passwords) and their actor label.

    Municipality staff: their municipality's chain, ``staff:<name>``. An operator without a
    municipality: the platform chain, ``platform:<name>``. Prefecture staff (aggregate
    figures only, no chain of their own) and anyone else: None; such events are only logged.
    """
    context = staff_context_for(user)
    if context is not None:
        return context.municipality, f"staff:{user.get_username()}"
    if staff_is_operator(user):
        return PLATFORM, f"platform:{user.get_username()}"
    return None, f"staff:{user.get_username()}"
