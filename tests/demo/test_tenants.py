"""The demo staff (``madoguchi.demo.tenants``) and ``madoguchi demo_totp``: public passwords
and TOTP keys derived from the user name, printed only in development."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.backoffice.conftest import demo_device

from madoguchi.demo.tenants import DEMO_PASSWORD, demo_tenants_load, demo_totp_code, demo_totp_key
from madoguchi.tenants.models import PrefectureStaff, StaffMembership

pytestmark = pytest.mark.django_db


def test_demo_tenants_load_creates_staff_with_roles(aoba, minatogawa):
    grants = {
        (m.user.username, m.department.code if m.department else None, m.role)
        for m in StaffMembership.objects.for_municipality(aoba).select_related("user", "department")
    }
    for role in ("clerk", "reviewer", "approver"):
        assert {(f"aoba-{role}", "shimin", role), (f"aoba-{role}", "kosodate", role)} <= grants
    assert ("aoba-admin", None, "admin") in grants
    assert {("aoba-zeimu", "zeimu", "reviewer"), ("aoba-hoken", "hoken", "reviewer")} <= grants  # 合議
    assert len(grants) == 9
    assert StaffMembership.objects.for_municipality(minatogawa).filter(user__username="minatogawa-admin").exists()
    pref = PrefectureStaff.objects.get(user__username="ibaraki-pref")
    assert pref.prefecture == aoba.prefecture
    user = get_user_model().objects.get(username="aoba-clerk")
    assert user.check_password(DEMO_PASSWORD)
    assert not user.is_staff
    device = TOTPDevice.objects.get(user=user, name="demo")
    assert device.confirmed and device.key == demo_totp_key("aoba-clerk") and len(device.key) == 40


def test_demo_tenants_load_is_idempotent(municipalities):
    def snapshot():
        users = list(get_user_model().objects.order_by("username").values_list("username", "password"))
        devices = list(TOTPDevice.objects.order_by("pk").values_list("pk", "key", "confirmed"))
        return users, devices, len(StaffMembership.objects.for_municipality(municipalities[0]))

    before = snapshot()
    demo_tenants_load()
    assert snapshot() == before
    assert len(before[0]) == 13  # six per city and one of the prefecture


def test_demo_tenants_load_restores_a_changed_demo_password(municipalities):
    user = get_user_model().objects.get(username="aoba-clerk")
    user.set_password("something-else-entirely")
    user.save()
    demo_tenants_load()
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_demo_totp_prints_the_current_code_in_debug(municipalities, settings, capsys):
    settings.DEBUG = True
    call_command("demo_totp", "aoba-clerk")
    assert capsys.readouterr().out.strip() == demo_totp_code(demo_device("aoba-clerk"))


def test_demo_totp_refuses_when_debug_is_off(municipalities, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "aoba-clerk")


def test_demo_totp_refuses_devices_other_than_the_demo_one(aoba, settings):
    settings.DEBUG = True
    user = get_user_model().objects.create_user(username="aoba-real", password="a-real-password-1234")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(CommandError, match="no demo TOTP device"):
        call_command("demo_totp", "aoba-real")
    TOTPDevice.objects.create(user=user, name="demo", confirmed=True)  # a random key, not the demo one
    with pytest.raises(CommandError, match="no demo TOTP device"):
        call_command("demo_totp", "aoba-real")
