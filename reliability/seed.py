"""Accounts the suite needs, made inside the instance (``python -m reliability.seed``; prints JSON).

Run with the instance's environment (production settings). Makes, on top of the demo:

* a staff API token for every demo staff member of both municipalities (the load generator
  decides cases through the staff API; the access matrix asks the API as each of them);
* the platform operator, a superuser with a confirmed TOTP device whose key the suite knows;
* one spare staff member per municipality, whom the access matrix may deactivate, reset and
  send links to without touching the accounts it signs in with.

Prints ``{"tokens": {username: token}, "operator": {"username", "password", "totp_key"}}``.
"""

from __future__ import annotations

import json
import secrets

import django

# The demo municipalities and the prefix of their staff's user names (as in the README).
STAFF_SLUGS = {"082015": "aoba", "082023": "minatogawa"}


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_scopes import scopes_disabled

    from madoguchi.staff.tokens import staff_token_create
    from madoguchi.tenants.models import Department, Municipality, Role, StaffMembership

    user_model = get_user_model()
    tokens: dict[str, str] = {}
    with scopes_disabled():
        staff_ids = set(StaffMembership.objects.values_list("user_id", flat=True))
        for user in user_model._default_manager.filter(pk__in=staff_ids).order_by("username"):
            _token, tokens[user.username] = staff_token_create(user=user, name="reliability suite")
        for municipality in Municipality.objects.filter(code__in=STAFF_SLUGS):
            spare, _ = user_model._default_manager.get_or_create(
                username=f"{STAFF_SLUGS[municipality.code]}-spare", defaults={"email": "spare@example.jp"}
            )
            StaffMembership.objects.get_or_create(
                municipality=municipality,
                user=spare,
                department=Department.objects.get(municipality=municipality, code="shimin"),
                role=Role.CLERK,
            )
    password = secrets.token_urlsafe(18)
    operator, _ = user_model._default_manager.get_or_create(
        username="reliability-operator", defaults={"email": "operator@example.jp"}
    )
    operator.is_staff = operator.is_superuser = True
    operator.set_password(password)
    operator.save()
    key = secrets.token_hex(20)
    TOTPDevice.objects.filter(user=operator).delete()
    TOTPDevice.objects.create(user=operator, name="reliability", key=key, confirmed=True)
    print(
        json.dumps(
            {"tokens": tokens, "operator": {"username": operator.username, "password": password, "totp_key": key}}
        )
    )


if __name__ == "__main__":
    main()
