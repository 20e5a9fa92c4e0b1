"""Staff sign-in (職員ログイン) and access to back-office views.

Staff read residents' personal data, so the back office asks for two factors:

1. the password, checked through ``django.contrib.auth.authenticate`` so that django-axes
   counts failures and locks the *user name* after ``AXES_FAILURE_LIMIT`` of them;
2. a 6-digit TOTP code from an authenticator app, or one of ten single-use recovery codes
   (django-otp's static device) for a lost phone. django-otp throttles wrong codes per device.

Between the two steps the session holds only a *pending* sign-in (user id, backend, where to
go next); the user is logged in when the second factor passes, and ``login()`` then gives the
session a new key. Someone who has never set up an authenticator enrols one after the
password step (QR code, confirm with a code, then ten recovery codes shown once).

Only municipality staff (exactly one municipality, see :func:`staff_context_for`),
prefecture staff and the platform operator may sign in here. Everyone else gets the same
message as for a wrong password, so the page never tells which part was wrong.

The platform operator (a Django ``is_staff`` user, usually a superuser, with no
municipality) signs in here too, with the same two factors, lockout and idle timeout, and
then lands in ``/admin/``; the admin site sends its own login page here
(``platform_admin.sites``). One sign-in flow for everyone, so there is one password form
for axes to guard and one place that audits it.

Sign-ins, failures, enrolments and log-outs go to the audit chain of the staff member's
municipality, the operator's to the platform chain; failures for unknown user names have no
municipality and are only counted by axes, and prefecture staff (aggregate figures only)
have no chain of their own, so their sign-ins are only logged.
"""

from __future__ import annotations

import logging
import re
import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from urllib.parse import urlsplit

import segno
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.backoffice.middleware import LAST_SEEN_KEY
from madoguchi.staff.auditing import staff_log_action
from madoguchi.staff.selectors import (  # noqa: F401 - who may sign in is the staff app's rule; views use it from here
    staff_audit_owner,
    staff_is_operator,
    staff_is_prefecture_staff,
    staff_may_sign_in,
)
from madoguchi.tenants.access import staff_context_for

logger = logging.getLogger(__name__)

PENDING_KEY = "madoguchi.staff.pending"
ENROL_DEVICE_KEY = "madoguchi.staff.enrol_device"
LOGGED_OUT_KEY = "madoguchi.staff.logged_out"
# Written by StaffSessionMiddleware after an idle logout; the login page shows a notice.
TIMED_OUT_KEY = "madoguchi.staff.timed_out"
# Written after a password was set by link (views/password.py); the login page says so.
PASSWORD_SET_KEY = "madoguchi.staff.password_set"  # noqa: S105 - a session key
# A pending sign-in (password checked, second factor not yet) expires after this long.
PENDING_SECONDS = 10 * 60
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"
TOTP_CODE = re.compile(r"^\d{6}$")

EVENT_LOGGED_IN = "backoffice.staff.logged_in"
EVENT_LOGIN_FAILED = "backoffice.staff.login_failed"
EVENT_TOTP_ENROLLED = "backoffice.staff.totp_enrolled"
EVENT_LOGGED_OUT = "backoffice.staff.logged_out"
EVENT_LOGGED_OUT_IDLE = "backoffice.staff.logged_out_idle"


# --- access to back-office views -------------------------------------------------------


def staff_view(view):
    """Let only logged-in, second-factor-verified municipality staff through.

    ``request.staff`` (set by StaffSessionMiddleware) is the StaffContext the view passes to
    selectors and services. Anyone else is sent to the login page; ``next`` brings them back
    after signing in: the page itself for GET, the (local) referring page for a POST, whose
    URL cannot simply be reloaded. Responses are never cached: they hold personal data.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not user.is_verified() or getattr(request, "staff", None) is None:
            if request.method in ("GET", "HEAD"):
                back = request.get_full_path()
            else:
                referer = safe_next(request, request.headers.get("referer"))
                back = _path_of(referer) if referer else None
            if not back:
                return redirect("backoffice:login")
            return redirect_to_login(back, login_url=reverse("backoffice:login"))
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, private=True)
        return response

    return wrapper


def safe_next(request, value: str | None) -> str | None:
    """Return ``value`` if it is a URL on this site, else None (no open redirects)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def redirect_url() -> str:
    return reverse("backoffice:login")


# --- who may sign in --------------------------------------------------------------------


def staff_landing_url(user, next_url: str | None) -> str:
    """Return where ``user`` goes after signing in.

    Municipality staff go to ``next`` or the case queue. An operator without a municipality
    goes to ``next`` if it is in the admin, else to the admin's index. Prefecture staff see
    no cases, so they land on the login page, which tells them they are signed in.
    """
    if staff_context_for(user) is not None:
        return next_url or reverse("backoffice:queue")
    if staff_is_operator(user):
        admin_index = reverse("admin:index")
        return next_url if next_url and _path_of(next_url).startswith(admin_index) else admin_index
    return reverse("backoffice:login")


# --- step 1: password -------------------------------------------------------------------


def staff_password_check(*, request, username: str, password: str):
    """Return the user if ``password`` is right and they may sign in here, else None.

    Every refusal counts as a failed login for axes (also "right password, not staff", so
    the lockout behaves the same whichever part was wrong). Refusals of a known municipality
    staff member are audited.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is not None and staff_may_sign_in(user):
        return user
    if user is not None:
        # Tell axes, as authenticate() does for a wrong password.
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    known = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    if known is not None:
        staff_log_action(
            known,
            event=EVENT_LOGIN_FAILED,
            payload={"step": "password", "locked_out": bool(getattr(request, "axes_locked_out", False))},
        )
    return None


def pending_start(request, *, user, next_url: str | None) -> None:
    """Remember that ``user`` passed the password step; they are not logged in yet."""
    request.session.cycle_key()
    request.session.pop(ENROL_DEVICE_KEY, None)
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "auth_hash": user.get_session_auth_hash(),
        "started": time.time(),
        "next": next_url,
    }


def pending_get(request):
    """Return (user, pending data) of the session's pending sign-in, or (None, None)."""
    data = request.session.get(PENDING_KEY)
    if not data or time.time() - data.get("started", 0) > PENDING_SECONDS:
        pending_clear(request)
        return None, None
    user = get_user_model()._default_manager.filter(pk=data["user_id"]).first()
    # A password changed or the account disabled since step 1 ends the pending sign-in.
    if user is None or user.get_session_auth_hash() != data["auth_hash"] or not staff_may_sign_in(user):
        pending_clear(request)
        return None, None
    return user, data


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(ENROL_DEVICE_KEY, None)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- step 2: second factor --------------------------------------------------------------


@dataclass(frozen=True)
class SecondFactorResult:
    device: TOTPDevice | StaticDevice | None = None
    # When the devices refuse to check codes because of earlier wrong ones.
    throttled_until: datetime | None = None

    @property
    def wait_seconds(self) -> int:
        if self.throttled_until is None:
            return 0
        return max(1, int((self.throttled_until - timezone.now()).total_seconds() + 0.999))


def normalise_code(code: str) -> str:
    """Return ``code`` without spaces and hyphens, lower case (recovery codes are shown as abcd-efgh)."""
    return re.sub(r"[\s\-]", "", code).lower()


def second_factor_verify(*, user, code: str) -> SecondFactorResult:
    """Check a TOTP code (6 digits) or a recovery code against ``user``'s confirmed devices.

    A recovery code is deleted when used, so it works once.
    """
    code = normalise_code(code)
    model = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
    throttled_until = None
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = (info or {}).get("locked_until")
            throttled_until = max(filter(None, [throttled_until, locked_until]), default=timezone.now())
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return SecondFactorResult(device=verified)
    return SecondFactorResult(throttled_until=throttled_until)


def staff_login_complete(request, *, user, backend: str, device, method: str) -> None:
    """Log ``user`` in (new session key), mark the session verified by ``device``, audit it."""
    pending_clear(request)
    login(request, user, backend=backend)
    otp_login(request, device)
    request.session[LAST_SEEN_KEY] = time.time()
    payload = {"method": method}
    if isinstance(device, StaticDevice):
        payload["recovery_codes_left"] = device.token_set.count()
    staff_log_action(user, event=EVENT_LOGGED_IN, payload=payload)


def staff_second_factor_failed(*, user, step: str, throttled: bool) -> None:
    staff_log_action(user, event=EVENT_LOGIN_FAILED, payload={"step": step, "throttled": throttled})


# --- enrolment --------------------------------------------------------------------------


def totp_enrol_device(request, *, user) -> TOTPDevice:
    """Return the unconfirmed TOTP device this session is enrolling, creating it if needed.

    Reloading the page keeps the same key (the person may already have scanned it); a new
    session starts over with a new key and drops older unconfirmed ones.
    """
    device_id = request.session.get(ENROL_DEVICE_KEY)
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        request.session[ENROL_DEVICE_KEY] = device.pk
    return device


def totp_secret(device: TOTPDevice) -> str:
    """Return the device's key in base32, grouped by four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """Return the otpauth:// URI as an inline SVG QR code (no style attributes: CSP)."""
    svg = segno.make(device.config_url, micro=False).svg_inline(
        scale=4, light="#fff", svgclass="qr-code", title=gettext("QR code for your authenticator app")
    )
    # segno escapes the title; the rest is its own markup around path data.
    svg = re.sub(r'\sstyle="[^"]*"', "", svg).replace("<svg ", '<svg role="img" ', 1)
    return mark_safe(svg)  # noqa: S308


def totp_enrol_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` if ``code`` is right and return ten new recovery codes, else None.

    Older recovery codes of the user stop working.
    """
    if verify_token(user, device.persistent_id, normalise_code(code)) is None:
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=recovery, token=token) for token in codes])
    staff_log_action(user, event=EVENT_TOTP_ENROLLED, payload={"recovery_codes": RECOVERY_CODE_COUNT})
    return codes


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


# --- log out ----------------------------------------------------------------------------


def staff_logout(request) -> None:
    """End the session (audited for municipality staff)."""
    if request.user.is_authenticated:
        staff_log_action(request.user, event=EVENT_LOGGED_OUT, payload={})
    logout(request)
    request.session[LOGGED_OUT_KEY] = True


def staff_idle_logout(request, *, idle_seconds: float) -> None:
    """End a session left idle too long (audited for municipality staff); the login page says why."""
    staff_log_action(request.user, event=EVENT_LOGGED_OUT_IDLE, payload={"idle_minutes": int(idle_seconds // 60)})
    logout(request)
    request.session[TIMED_OUT_KEY] = True
