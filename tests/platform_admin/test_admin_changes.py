"""What the operator changes in /admin/ is in the audit chain: the municipality's when the
object belongs to one, the platform's otherwise — without values or personal data."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.audit.chain import PLATFORM
from madoguchi.audit.models import AuditEntry, PlatformAuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.tenants.models import Department, Prefecture, StaffMembership


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def municipal(municipality, event):
    return list(AuditEntry.objects.for_municipality(municipality).filter(event=event).order_by("sequence"))


def platform(event):
    return list(PlatformAuditEntry.objects.filter(event=event).order_by("sequence"))


def test_a_changed_department_is_recorded_in_its_municipalitys_chain(operator_client, aoba, minatogawa):
    department = Department.objects.for_municipality(aoba).get(code="shimin")
    response = operator_client.post(
        f"/admin/tenants/department/{department.pk}/change/",
        {
            "municipality": aoba.pk,
            "code": "shimin",
            "name": "市民窓口課",
            "name_en": department.name_en,
            "phone": department.phone,
            "document_prefix": department.document_prefix,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (entry,) = municipal(aoba, "admin.object.changed")
    assert entry.actor == "platform:operator"
    assert (entry.object_type, entry.object_id) == ("tenants.department", str(department.pk))
    assert entry.payload == {"pk": str(department.pk), "changes": [{"kind": "changed", "fields": ["Name"]}]}
    assert "市民窓口課" not in str(entry.payload)
    assert not municipal(minatogawa, "admin.object.changed")
    assert not platform("admin.object.changed")
    assert audit_verify(municipality=aoba) is None


def test_a_new_prefecture_is_recorded_in_the_platform_chain(operator_client, municipalities):
    response = operator_client.post(
        "/admin/tenants/prefecture/add/", {"code": "130001", "name": "東京都", "name_kana": "トウキョウト"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    prefecture = Prefecture.objects.get(code="130001")
    (entry,) = platform("admin.object.added")
    assert (entry.object_type, entry.object_id) == ("tenants.prefecture", str(prefecture.pk))
    assert audit_verify(municipality=PLATFORM) is None


def test_a_staff_members_changed_e_mail_goes_to_their_municipality_without_the_address(operator_client, aoba):
    clerk = get_user_model().objects.get(username="aoba-clerk")
    response = operator_client.post(
        f"/admin/auth/user/{clerk.pk}/change/",
        {
            "username": "aoba-clerk",
            "first_name": "",
            "last_name": "",
            "email": "new-address@example.jp",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (entry,) = municipal(aoba, "admin.object.changed")
    assert (entry.object_type, entry.object_id) == ("auth.user", "aoba-clerk")
    assert "Email address" in entry.payload["changes"][0]["fields"]
    assert "new-address" not in str(entry.payload)


def test_a_password_set_by_the_operator_is_audited_without_the_password(operator_client, aoba):
    clerk = get_user_model().objects.get(username="aoba-clerk")
    password = "operator-chosen-password-2026"
    response = operator_client.post(
        f"/admin/auth/user/{clerk.pk}/password/",
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (entry,) = municipal(aoba, "admin.object.changed")
    assert entry.object_id == "aoba-clerk"
    assert password not in str(entry.payload)


def test_deleting_a_staff_members_authenticator_is_audited_in_their_municipality(operator_client, aoba):
    device = TOTPDevice.objects.get(user__username="aoba-clerk")
    response = operator_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    (entry,) = municipal(aoba, "admin.object.deleted")
    assert (entry.object_type, entry.object_id) == ("otp_totp.totpdevice", "aoba-clerk")
    assert audit_verify(municipality=aoba) is None


def test_a_bulk_delete_records_each_object_in_the_transaction_of_the_delete(operator_client, aoba, minatogawa):
    pks = list(
        TOTPDevice.objects.filter(user__username__in=["aoba-clerk", "minatogawa-clerk"]).values_list("pk", flat=True)
    )
    response = operator_client.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "index": "0", "_selected_action": pks, "post": "yes"},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk__in=pks).exists()
    assert [e.object_id for e in municipal(aoba, "admin.object.deleted")] == ["aoba-clerk"]
    assert [e.object_id for e in municipal(minatogawa, "admin.object.deleted")] == ["minatogawa-clerk"]


# --- onboarding without a password ----------------------------------------------------------


def test_the_operator_sets_up_a_first_administrator_who_chooses_their_own_password(
    operator_client, minatogawa, mailoutbox
):
    response = operator_client.post(
        "/admin/auth/user/add/",
        {"username": "minatogawa-kanri", "usable_password": "false", "password1": "", "password2": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    newcomer = get_user_model().objects.get(username="minatogawa-kanri")
    assert not newcomer.has_usable_password()
    newcomer.email = "kanri@minatogawa.example.lg.jp"
    newcomer.save(update_fields=["email"])
    changelist = "/admin/auth/user/"
    action = {"action": "send_password_link", "index": "0", "_selected_action": [newcomer.pk]}

    page = operator_client.post(changelist, action, follow=True).content.decode()
    assert "no role" in page and not mailoutbox  # not staff yet: cannot sign in
    StaffMembership.objects.for_municipality(minatogawa).create(
        municipality=minatogawa, user=newcomer, department=None, role="admin"
    )
    page = operator_client.post(changelist, action, follow=True).content.decode()
    assert "A link to set the password was sent to 1 user." in page
    (mail,) = mailoutbox
    assert mail.to == ["kanri@minatogawa.example.lg.jp"] and "/staff/password/set/" in mail.body
    (sent,) = municipal(minatogawa, "staff.password_link.sent")
    assert (sent.actor, sent.object_id, sent.payload) == ("platform:operator", "minatogawa-kanri", {"purpose": "set"})


def test_only_an_operator_may_send_links_through_the_operator_service(aoba):
    from madoguchi.staff.passwords import operator_password_link_send

    with pytest.raises(PermissionDenied):
        operator_password_link_send(operator=get_user_model().objects.get(username="aoba-admin"), user_id=1)
