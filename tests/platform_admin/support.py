"""The platform operator in tests: a superuser with an authenticator, signed in the real way.

``operator_make()`` creates the operator (no municipality) with a confirmed TOTP device;
``operator_sign_in(client, user)`` posts the password to /staff/login/ and the current code
to /staff/login/verify/, as the operator does before using /admin/.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.backoffice.conftest import totp_code

OPERATOR = "operator"
OPERATOR_PASSWORD = "a-long-operator-password-123"


def operator_make(username: str = OPERATOR):
    user = get_user_model().objects.create_superuser(username, f"{username}@example.jp", OPERATOR_PASSWORD)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def operator_sign_in(client, user, *, next_url: str = ""):
    """Sign ``user`` in with password and TOTP; return the last response (a redirect)."""
    response = client.post(
        "/staff/login/", {"username": user.get_username(), "password": OPERATOR_PASSWORD, "next": next_url}
    )
    assert response.status_code == 302 and response.url == "/staff/login/verify/", "password step refused"
    device = TOTPDevice.objects.get(user=user, name="authenticator")
    response = client.post("/staff/login/verify/", {"code": totp_code(device)})
    assert response.status_code == 302, "TOTP step refused"
    return response
