"""Reads of a municipality's staff, for its administrator."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.core.errors import NotFound
from madoguchi.tenants.models import Department, Municipality, StaffMembership


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
