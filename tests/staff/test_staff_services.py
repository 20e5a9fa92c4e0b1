"""Staff administration services (staff.services): a municipality administrator manages
their own municipality's staff, every change is one audited transaction, and nobody reaches
another municipality's staff or departments or locks themselves out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.backoffice.casework import staff, user

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.staff import services
from madoguchi.staff.selectors import StaffNotFound, staff_list
from madoguchi.tenants.access import ActionNotAllowed, staff_context_for
from madoguchi.tenants.models import Department, Role, StaffMembership


def department(municipality, code):
    return Department.objects.for_municipality(municipality).get(code=code)


def create(admin, username="aoba-tanaka", **overrides):
    fields = {
        "username": username,
        "last_name": "田中",
        "first_name": "花子",
        "email": "tanaka@example.lg.jp",
        "role": Role.CLERK,
        "department_id": None,
    }
    return services.staff_create(admin=admin, **{**fields, **overrides})


def last_entry(municipality):
    return AuditEntry.objects.for_municipality(municipality).order_by("-sequence").first()


def roles_of(municipality, member):
    return set(
        StaffMembership.objects.for_municipality(municipality)
        .filter(user=member)
        .values_list("role", "department__code")
    )


def test_staff_create_makes_a_staff_member_with_one_role_and_an_audit_entry(aoba):
    admin = staff("aoba-admin")
    member = create(admin, department_id=department(aoba, "zeimu").pk)
    assert not member.has_usable_password()  # chosen by the staff member through a link
    assert (member.last_name, member.first_name, member.email) == ("田中", "花子", "tanaka@example.lg.jp")
    assert roles_of(aoba, member) == {(Role.CLERK, "zeimu")}
    assert not TOTPDevice.objects.filter(user=member).exists()  # enrols at first sign-in
    entry = last_entry(aoba)
    assert (entry.event, entry.actor, entry.object_type, entry.object_id) == (
        "tenants.staff.created",
        "staff:aoba-admin",
        "staff",
        "aoba-tanaka",
    )
    assert entry.payload == {"roles": [{"role": "clerk", "department": "zeimu"}]}
    assert "田中" not in str(entry.payload) and "tanaka@" not in str(entry.payload)
    assert audit_verify(municipality=aoba) is None
    assert staff_context_for(member).municipality == aoba


def test_staff_create_refuses_a_user_name_in_use_in_any_municipality(aoba):
    with pytest.raises(services.StaffAdminError) as refused:
        create(staff("aoba-admin"), username="Minatogawa-Clerk")
    assert refused.value.message == services.USERNAME_TAKEN


def test_staff_create_refuses_a_department_of_another_municipality(aoba, minatogawa):
    with pytest.raises(StaffNotFound):
        create(staff("aoba-admin"), department_id=department(minatogawa, "zeimu").pk)
    assert not get_user_model().objects.filter(username="aoba-tanaka").exists()


@pytest.mark.parametrize("username", ["aoba-clerk", "aoba-reviewer", "aoba-approver"])
def test_only_an_administrator_for_all_departments_manages_staff(aoba, username):
    with pytest.raises(ActionNotAllowed):
        create(staff(username))
    with pytest.raises(ActionNotAllowed):
        services.staff_set_active(admin=staff(username), user_id=user("aoba-clerk").pk, active=False)


def test_an_administrator_of_one_department_does_not_manage_staff(aoba):
    admin = staff("aoba-admin")
    clerk = user("aoba-clerk")
    services.staff_role_add(admin=admin, user_id=clerk.pk, role=Role.ADMIN, department_id=department(aoba, "shimin").pk)
    assert not staff("aoba-clerk").manages_staff
    with pytest.raises(ActionNotAllowed):
        create(staff("aoba-clerk"))


def test_staff_role_add_and_remove_are_audited(aoba):
    admin = staff("aoba-admin")
    clerk = user("aoba-clerk")
    kankyo = department(aoba, "kankyo")
    membership = services.staff_role_add(admin=admin, user_id=clerk.pk, role=Role.REVIEWER, department_id=kankyo.pk)
    assert (Role.REVIEWER, "kankyo") in roles_of(aoba, clerk)
    assert last_entry(aoba).event == "tenants.staff.role_added"
    assert last_entry(aoba).payload == {"role": "reviewer", "department": "kankyo"}
    services.staff_role_remove(admin=admin, user_id=clerk.pk, membership_id=membership.pk)
    assert (Role.REVIEWER, "kankyo") not in roles_of(aoba, clerk)
    assert (last_entry(aoba).event, last_entry(aoba).object_id) == ("tenants.staff.role_removed", "aoba-clerk")
    assert audit_verify(municipality=aoba) is None


def test_staff_role_add_refuses_a_role_held_already(aoba):
    admin = staff("aoba-admin")
    with pytest.raises(services.StaffAdminError) as refused:
        services.staff_role_add(
            admin=admin, user_id=user("aoba-clerk").pk, role=Role.CLERK, department_id=department(aoba, "shimin").pk
        )
    assert refused.value.message == services.ROLE_EXISTS


def test_staff_role_remove_refuses_the_last_role(aoba):
    admin = staff("aoba-admin")
    member = create(admin)
    (only,) = StaffMembership.objects.for_municipality(aoba).filter(user=member)
    with pytest.raises(services.StaffAdminError) as refused:
        services.staff_role_remove(admin=admin, user_id=member.pk, membership_id=only.pk)
    assert refused.value.message == services.LAST_ROLE


def test_an_administrator_cannot_remove_their_own_last_administrator_role(aoba):
    admin = staff("aoba-admin")
    me = user("aoba-admin")
    services.staff_role_add(admin=admin, user_id=me.pk, role=Role.CLERK, department_id=None)
    own_admin = StaffMembership.objects.for_municipality(aoba).get(user=me, role=Role.ADMIN)
    with pytest.raises(services.StaffAdminError) as refused:
        services.staff_role_remove(admin=admin, user_id=me.pk, membership_id=own_admin.pk)
    assert refused.value.message == services.OWN_LAST_ADMIN_ROLE
    assert staff("aoba-admin").manages_staff


def test_an_administrator_may_remove_another_administrators_role(aoba):
    admin = staff("aoba-admin")
    other = create(admin, username="aoba-kanri2", role=Role.ADMIN)
    services.staff_role_add(admin=admin, user_id=other.pk, role=Role.CLERK, department_id=None)
    role = StaffMembership.objects.for_municipality(aoba).get(user=other, role=Role.ADMIN)
    services.staff_role_remove(admin=admin, user_id=other.pk, membership_id=role.pk)
    assert not staff_context_for(other).manages_staff


def test_staff_set_active_deactivates_and_reactivates_without_deleting(aoba):
    admin = staff("aoba-admin")
    clerk = user("aoba-clerk")
    services.staff_set_active(admin=admin, user_id=clerk.pk, active=False)
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert staff_context_for(clerk) is None  # no sign-in, no session, no API token
    assert roles_of(aoba, clerk)  # still listed, roles kept
    assert last_entry(aoba).event == "tenants.staff.deactivated"
    services.staff_set_active(admin=admin, user_id=clerk.pk, active=False)  # again: nothing to record
    assert last_entry(aoba).event == "tenants.staff.deactivated"
    assert AuditEntry.objects.for_municipality(aoba).filter(event="tenants.staff.deactivated").count() == 1
    services.staff_set_active(admin=admin, user_id=clerk.pk, active=True)
    clerk.refresh_from_db()
    assert clerk.is_active and last_entry(aoba).event == "tenants.staff.reactivated"
    assert "aoba-clerk" in [row.user.username for row in staff_list(municipality=aoba)]


def test_an_administrator_cannot_deactivate_themselves(aoba):
    with pytest.raises(services.StaffAdminError) as refused:
        services.staff_set_active(admin=staff("aoba-admin"), user_id=user("aoba-admin").pk, active=False)
    assert refused.value.message == services.DEACTIVATE_SELF
    assert user("aoba-admin").is_active


def test_staff_totp_reset_removes_authenticator_and_recovery_codes(aoba):
    clerk = user("aoba-clerk")
    StaticDevice.objects.create(user=clerk, name="recovery", confirmed=True)
    services.staff_totp_reset(admin=staff("aoba-admin"), user_id=clerk.pk)
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticDevice.objects.filter(user=clerk).exists()
    entry = last_entry(aoba)
    assert (entry.event, entry.object_id, entry.payload) == (
        "tenants.staff.totp_reset",
        "aoba-clerk",
        {"had_authenticator": True},
    )


def test_another_municipalitys_staff_are_not_found_by_any_service(aoba, minatogawa):
    admin = staff("aoba-admin")
    foreign = user("minatogawa-clerk")
    foreign_role = StaffMembership.objects.for_municipality(minatogawa).filter(user=foreign).first()
    calls = [
        lambda: services.staff_role_add(admin=admin, user_id=foreign.pk, role=Role.CLERK, department_id=None),
        lambda: services.staff_role_remove(admin=admin, user_id=foreign.pk, membership_id=foreign_role.pk),
        lambda: services.staff_set_active(admin=admin, user_id=foreign.pk, active=False),
        lambda: services.staff_totp_reset(admin=admin, user_id=foreign.pk),
    ]
    for call in calls:
        with pytest.raises(StaffNotFound):
            call()
    foreign.refresh_from_db()
    assert foreign.is_active and TOTPDevice.objects.filter(user=foreign).exists()
    assert roles_of(minatogawa, foreign) == {(Role.CLERK, "shimin"), (Role.CLERK, "kosodate")}
    assert not AuditEntry.objects.for_municipality(minatogawa).exists()
    assert not AuditEntry.objects.for_municipality(aoba).exists()


def test_a_role_of_another_staff_member_is_not_found(aoba):
    admin = staff("aoba-admin")
    reviewer_role = StaffMembership.objects.for_municipality(aoba).filter(user=user("aoba-reviewer")).first()
    with pytest.raises(StaffNotFound):
        services.staff_role_remove(admin=admin, user_id=user("aoba-clerk").pk, membership_id=reviewer_role.pk)


def test_staff_list_shows_the_municipalitys_staff_only_in_three_queries(aoba, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = staff_list(municipality=aoba)
    assert [row.user.username for row in rows] == [
        "aoba-admin",
        "aoba-approver",
        "aoba-clerk",
        "aoba-hoken",
        "aoba-reviewer",
        "aoba-zeimu",
    ]
    clerk = rows[2]
    assert clerk.has_authenticator
    assert [(m.role, m.department.code) for m in clerk.memberships] == [("clerk", "kosodate"), ("clerk", "shimin")]
