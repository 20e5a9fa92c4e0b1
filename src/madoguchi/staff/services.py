"""Staff administration by a municipality's own administrator (管理者).

A municipality administrator — staff holding :attr:`Role.ADMIN` for all of the
municipality's departments — creates staff, gives and takes roles per department,
deactivates staff who leave and resets a lost authenticator. Passwords are never set here:
new staff get a link by e-mail to choose theirs (:mod:`madoguchi.staff.passwords`). The
platform operator can do the same for every municipality in ``/admin/``; these services are
the municipality's own, scoped path, used by the back office.

Rules every service here keeps:

* A staff member "belongs" to the municipality in which they hold at least one role
  (:class:`StaffMembership`). An administrator only ever reaches staff and departments of
  their own municipality; anything else is "not found" (:class:`StaffNotFound`).
* Staff are deactivated, never deleted: the audit chain and cases name them. A deactivated
  account cannot sign in, and its sessions and API tokens stop working at once
  (``staff_context_for`` refuses inactive users).
* The last role of a staff member cannot be removed: without a role they would drop out of
  the municipality's list (and out of reach of its administrator). Deactivate them instead.
* Administrators cannot lock themselves out: they cannot deactivate themselves, nor remove
  their own last municipality-wide 管理者 role.
* Every change is one transaction with its audit entry in the municipality's chain
  (``tenants.staff.*`` events, object = the user name). Names and e-mail addresses stay out
  of the payload; the user name identifies the account.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.core.errors import Conflict
from madoguchi.staff.auditing import staff_log_action
from madoguchi.staff.selectors import StaffNotFound, staff_get
from madoguchi.tenants.access import StaffContext
from madoguchi.tenants.models import Department, Role, StaffMembership

EVENT_CREATED = "tenants.staff.created"
EVENT_ROLE_ADDED = "tenants.staff.role_added"
EVENT_ROLE_REMOVED = "tenants.staff.role_removed"
EVENT_DEACTIVATED = "tenants.staff.deactivated"
EVENT_REACTIVATED = "tenants.staff.reactivated"
EVENT_TOTP_RESET = "tenants.staff.totp_reset"

USERNAME_TAKEN = _("This user name is already in use. Choose another one.")
ROLE_EXISTS = _("The staff member already has this role in this department.")
LAST_ROLE = _("This is the staff member's only role. Deactivate the staff member instead of removing it.")
OWN_LAST_ADMIN_ROLE = _("You cannot remove your own last administrator role for all departments.")
DEACTIVATE_SELF = _("You cannot deactivate your own account.")


class StaffAdminError(Conflict):
    """A change the rules refuse; ``message`` is a translated sentence for the administrator."""

    code = "staff_change_refused"


def _require_admin(admin: StaffContext) -> None:
    admin.require("manage_staff", None)


def _department(admin: StaffContext, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = Department.objects.for_municipality(admin.municipality).filter(pk=department_id).first()
    if department is None:
        raise StaffNotFound(department_id)
    return department


def _role_payload(membership: StaffMembership) -> dict:
    return {
        "role": membership.role,
        "department": membership.department.code if membership.department_id else None,
    }


def staff_create(
    *,
    admin: StaffContext,
    username: str,
    last_name: str,
    first_name: str,
    email: str,
    role: str,
    department_id: int | None,
):
    """Create a staff member of the administrator's municipality with one role, without a password.

    Nobody but the staff member ever knows their password: the account starts with an
    unusable one, and :func:`staff.passwords.staff_password_link_send` e-mails them a link to
    choose it. They have no authenticator either, so their first sign-in makes them enrol one.
    """
    _require_admin(admin)
    if role not in Role.values:
        raise StaffNotFound(role)
    department = _department(admin, department_id)
    User = get_user_model()
    username = User.normalize_username(username.strip())
    if User._default_manager.filter(username__iexact=username).exists():
        raise StaffAdminError(USERNAME_TAKEN)
    try:
        with transaction.atomic():
            user = User._default_manager.create_user(
                username=username, email=email, password=None, last_name=last_name, first_name=first_name
            )
            membership = StaffMembership.objects.for_municipality(admin.municipality).create(
                municipality=admin.municipality, user=user, department=department, role=role
            )
            staff_log_action(
                user,
                event=EVENT_CREATED,
                actor=admin.actor_label,
                owner=admin.municipality,
                payload={"roles": [_role_payload(membership)]},
            )
    except IntegrityError:  # the same user name created concurrently
        raise StaffAdminError(USERNAME_TAKEN) from None
    return user


def staff_role_add(*, admin: StaffContext, user_id: int, role: str, department_id: int | None) -> StaffMembership:
    """Give a staff member of the municipality ``role`` in a department (None: all departments)."""
    _require_admin(admin)
    if role not in Role.values:
        raise StaffNotFound(role)
    with transaction.atomic():
        user = staff_get(municipality=admin.municipality, user_id=user_id, lock=True)
        department = _department(admin, department_id)
        memberships = StaffMembership.objects.for_municipality(admin.municipality)
        if memberships.filter(user=user, department=department, role=role).exists():
            raise StaffAdminError(ROLE_EXISTS)
        membership = memberships.create(municipality=admin.municipality, user=user, department=department, role=role)
        staff_log_action(
            user,
            event=EVENT_ROLE_ADDED,
            actor=admin.actor_label,
            owner=admin.municipality,
            payload=_role_payload(membership),
        )
    return membership


def staff_role_remove(*, admin: StaffContext, user_id: int, membership_id: int) -> None:
    """Take one role from a staff member of the municipality.

    Refused for the staff member's last role, and for the administrator's own last
    municipality-wide 管理者 role.
    """
    _require_admin(admin)
    with transaction.atomic():
        user = staff_get(municipality=admin.municipality, user_id=user_id, lock=True)
        memberships = StaffMembership.objects.for_municipality(admin.municipality).filter(user=user)
        membership = memberships.select_related("department").filter(pk=membership_id).first()
        if membership is None:
            raise StaffNotFound(membership_id)
        others = memberships.exclude(pk=membership.pk)
        if not others.exists():
            raise StaffAdminError(LAST_ROLE)
        if (
            user.pk == admin.user_id
            and membership.role == Role.ADMIN
            and membership.department_id is None
            and not others.filter(role=Role.ADMIN, department__isnull=True).exists()
        ):
            raise StaffAdminError(OWN_LAST_ADMIN_ROLE)
        payload = _role_payload(membership)
        membership.delete()
        staff_log_action(
            user, event=EVENT_ROLE_REMOVED, actor=admin.actor_label, owner=admin.municipality, payload=payload
        )


def staff_set_active(*, admin: StaffContext, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a staff member of the municipality; never delete them.

    A deactivated account cannot sign in; its open sessions and API tokens stop working on
    their next request. Doing what is already done changes and records nothing.
    """
    _require_admin(admin)
    if not active and user_id == admin.user_id:
        raise StaffAdminError(DEACTIVATE_SELF)
    with transaction.atomic():
        user = staff_get(municipality=admin.municipality, user_id=user_id, lock=True)
        if user.is_active == active:
            return
        user.is_active = active
        user.save(update_fields=["is_active"])
        staff_log_action(
            user,
            event=EVENT_REACTIVATED if active else EVENT_DEACTIVATED,
            actor=admin.actor_label,
            owner=admin.municipality,
        )


def staff_totp_reset(*, admin: StaffContext, user_id: int) -> None:
    """Remove a staff member's authenticator and recovery codes (a lost or replaced phone).

    Their next sign-in asks them to enrol a new authenticator; a session verified with the
    old one is no longer verified and goes back to the sign-in page.
    """
    _require_admin(admin)
    with transaction.atomic():
        user = staff_get(municipality=admin.municipality, user_id=user_id, lock=True)
        totp_count, _detail = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        staff_log_action(
            user,
            event=EVENT_TOTP_RESET,
            actor=admin.actor_label,
            owner=admin.municipality,
            payload={"had_authenticator": bool(totp_count)},
        )
