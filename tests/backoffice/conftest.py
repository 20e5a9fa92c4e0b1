"""Back-office fixtures: staff sign in through the real two-step flow.

``login_staff(client, username)`` signs a demo staff member in as a person would: it posts
the demo password to /staff/login/, then the code their "demo" TOTP device shows now to
/staff/login/verify/, and returns the last response (a redirect to ``next`` or the queue)::

    def test_the_queue_lists_open_cases(client, login_staff):
        login_staff(client, "aoba-clerk")
        response = client.get("/staff/")

Pass ``next_url="/staff/cases/…/"`` to land elsewhere. Demo staff (made by the
``municipalities`` fixture through ``demo_tenants_load``): ``aoba-clerk``,
``aoba-reviewer``, ``aoba-approver`` (市民課 and 子育て支援課), ``aoba-admin`` (all
departments), the same four ``minatogawa-*`` for 港川市, and ``ibaraki-pref`` (prefecture
staff, no cases). ``staff_member(...)`` makes a staff member without an authenticator.

A TOTP code is accepted once; :func:`totp_code` uses the next 30-second step (inside
django-otp's tolerance) when this step's code was used, so one user can sign in twice in a
test (e.g. in two clients), not three times.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.demo.tenants import DEMO_DEVICE_NAME, DEMO_PASSWORD
from madoguchi.tenants.models import Department, StaffMembership


def totp_code(device: TOTPDevice) -> str:
    """Return a code ``device`` accepts now and has not accepted before."""
    device.refresh_from_db()
    now_t = (int(time.time()) - device.t0) // device.step + device.drift
    ahead = max(0, device.last_t + 1 - now_t)
    assert ahead <= device.tolerance, "this user's codes for now and the next step are used up"
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + ahead)
    return f"{code:0{device.digits}d}"


def demo_device(username: str) -> TOTPDevice:
    return TOTPDevice.objects.get(user__username=username, name=DEMO_DEVICE_NAME)


@pytest.fixture
def login_staff(municipalities):
    """Return ``login(client, username, *, next_url=None)``: password, then TOTP code."""

    def login(client, username: str, *, next_url: str | None = None):
        response = client.post(
            reverse("backoffice:login"), {"username": username, "password": DEMO_PASSWORD, "next": next_url or ""}
        )
        assert response.status_code == 302, f"password step refused for {username}"
        assert response.url == reverse("backoffice:login_verify")
        response = client.post(reverse("backoffice:login_verify"), {"code": totp_code(demo_device(username))})
        assert response.status_code == 302, f"TOTP step refused for {username}"
        return response

    return login


@pytest.fixture
def staff_member(municipalities):
    """Return ``make(username, municipality, role="clerk", department="shimin")``: a staff
    member with the demo password and no authenticator yet (department None: all)."""

    def make(username: str, municipality, *, role: str = "clerk", department: str | None = "shimin"):
        user = get_user_model().objects.create_user(username=username, password=DEMO_PASSWORD)
        dept = Department.objects.for_municipality(municipality).get(code=department) if department else None
        StaffMembership.objects.create(municipality=municipality, user=user, department=dept, role=role)
        return user

    return make
