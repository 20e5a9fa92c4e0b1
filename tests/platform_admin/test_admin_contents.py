"""What the operator can and cannot see in /admin/: platform objects yes; TOTP seeds,
recovery codes and residents' applications never."""

from __future__ import annotations

from base64 import b32encode

import pytest
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# Every model the admin offers, reviewed for personal data and secrets (docs/operations/access.md).
# Registering another one makes this test fail until it is reviewed and added here.
REVIEWED_MODELS = {
    "auth.group",
    "auth.user",
    "tenants.prefecture",
    "tenants.municipality",
    "tenants.department",
    "tenants.staffmembership",
    "tenants.prefecturestaff",
    "tenants.staffapitoken",
    "audit.auditentry",
    "audit.auditcheckpoint",
    "audit.platformauditentry",
    "audit.platformauditcheckpoint",
    "procedures.procedure",
    "procedures.procedureversion",
    "django_tasks_database.dbtaskresult",
    "operations.scheduledjob",
    "operations.jobrun",
    "operations.workerheartbeat",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
}


def test_the_admin_offers_exactly_the_reviewed_models():
    assert {model._meta.label_lower for model in admin.site._registry} == REVIEWED_MODELS


def test_no_residents_data_is_registered_in_the_admin():
    apps = {model._meta.app_label for model in admin.site._registry}
    assert not apps & {"cases", "notifications", "signatures", "assistant", "approvals"}


@pytest.mark.parametrize("path", ["/admin/cases/case/", "/admin/cases/attachment/", "/admin/cases/"])
def test_residents_applications_are_not_in_the_admin(operator_client, path):
    assert operator_client.get(path).status_code == 404


def test_the_totp_device_pages_never_show_the_key(operator_client):
    device = TOTPDevice.objects.get(user__username="aoba-clerk")
    secrets = [device.key, b32encode(device.bin_key).decode()]
    for path in ("/admin/otp_totp/totpdevice/", f"/admin/otp_totp/totpdevice/{device.pk}/change/"):
        response = operator_client.get(path)
        assert response.status_code == 200
        page = response.content.decode()
        assert "aoba-clerk" in page
        assert not any(secret in page or secret.lower() in page for secret in secrets), path


@pytest.mark.parametrize("suffix", ["config/", "qrcode/"])
def test_django_otps_key_and_qr_code_views_are_gone(operator_client, suffix):
    device = TOTPDevice.objects.get(user__username="aoba-clerk")
    response = operator_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{suffix}", follow=True)
    # Django's admin reads the rest as an object id: no such device, back to the index.
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response["Content-Type"].startswith("text/html")
    assert device.key not in response.content.decode()


def test_a_totp_device_cannot_be_added_or_edited(operator_client):
    device = TOTPDevice.objects.get(user__username="aoba-clerk")
    assert operator_client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    response = operator_client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/", {"user": device.user_id, "name": "x", "key": "00" * 20}
    )
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.name == "demo"


def test_recovery_codes_are_never_shown(operator_client):
    device = StaticDevice.objects.create(user=TOTPDevice.objects.get(user__username="aoba-clerk").user, name="recovery")
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    for path in ("/admin/otp_static/staticdevice/", f"/admin/otp_static/staticdevice/{device.pk}/change/"):
        response = operator_client.get(path)
        assert response.status_code == 200
        assert token not in response.content.decode()
    assert operator_client.get("/admin/otp_static/staticdevice/add/").status_code == 403
