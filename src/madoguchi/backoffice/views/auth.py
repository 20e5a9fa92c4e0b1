"""Staff sign-in pages: password, second factor, authenticator enrolment, log-out.

The rules live in :mod:`madoguchi.backoffice.auth`; these views parse the forms and render.
Every page works without JavaScript.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.backoffice import auth
from madoguchi.backoffice.forms_auth import INVALID_CODE, INVALID_LOGIN, EnrolForm, PasswordForm, SecondFactorForm


def _data(request):
    return request.POST if request.method == "POST" else None


def _error_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_password(request):
    """Step 1: user name and password."""
    next_url = auth.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    user = request.user
    if user.is_authenticated and user.is_verified():
        if getattr(request, "staff", None) is not None:
            return redirect(next_url or reverse("backoffice:queue"))
        if auth.staff_is_operator(user):
            return redirect(auth.staff_landing_url(user, next_url))
        if auth.staff_is_prefecture_staff(user):
            return render(request, "backoffice/auth/signed_in.html", {"title": _("Signed in")})
    notice = None
    if request.session.pop(auth.TIMED_OUT_KEY, False):
        notice = "timed_out"
    elif request.session.pop(auth.LOGGED_OUT_KEY, False):
        notice = "logged_out"
    elif request.session.pop(auth.PASSWORD_SET_KEY, False):
        notice = "password_set"

    form = PasswordForm(_data(request), initial={"next": next_url or ""})
    if form.is_bound and form.is_valid():
        staff = auth.staff_password_check(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if staff is not None:
            auth.pending_start(request, user=staff, next_url=next_url)
            return redirect("backoffice:login_verify" if auth.has_authenticator(staff) else "backoffice:enrol")
        form.add_error(None, INVALID_LOGIN)
    context = {
        "form": form,
        "notice": notice,
        "idle_minutes": settings.MADOGUCHI_STAFF_IDLE_MINUTES,
        "title": _("Sign in to the back office"),
    }
    return render(request, "backoffice/auth/login.html", context, status=_error_status(form))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_verify(request):
    """Step 2: a TOTP code or a recovery code."""
    user, pending = auth.pending_get(request)
    if user is None:
        return redirect("backoffice:login")
    if not auth.has_authenticator(user):
        return redirect("backoffice:enrol")
    form = SecondFactorForm(_data(request))
    if form.is_bound and form.is_valid():
        result = auth.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            method = "totp" if auth.TOTP_CODE.match(form.cleaned_data["code"]) else "recovery_code"
            auth.staff_login_complete(
                request, user=user, backend=pending["backend"], device=result.device, method=method
            )
            return redirect(auth.staff_landing_url(user, pending["next"]))
        auth.staff_second_factor_failed(user=user, step="second_factor", throttled=result.throttled_until is not None)
        if result.throttled_until is not None:
            form.add_error("code", _throttled_message(result.wait_seconds))
        else:
            form.add_error("code", INVALID_CODE)
    context = {"form": form, "title": _("Enter your verification code")}
    return render(request, "backoffice/auth/verify.html", context, status=_error_status(form))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """First sign-in: set up an authenticator app, then show ten recovery codes once."""
    user, pending = auth.pending_get(request)
    if user is None:
        return redirect("backoffice:login")
    if auth.has_authenticator(user):
        return redirect("backoffice:login_verify")
    device = auth.totp_enrol_device(request, user=user)
    form = EnrolForm(_data(request))
    if form.is_bound and form.is_valid():
        allowed, info = device.verify_is_allowed()
        codes = auth.totp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"]) if allowed else None
        if codes is not None:
            auth.staff_login_complete(
                request, user=user, backend=pending["backend"], device=device, method="totp_enrolment"
            )
            context = {
                "codes": [auth.format_recovery_code(code) for code in codes],
                "continue_url": auth.staff_landing_url(user, pending["next"]),
                "title": _("Your recovery codes"),
            }
            return render(request, "backoffice/auth/recovery_codes.html", context)
        auth.staff_second_factor_failed(user=user, step="enrolment", throttled=not allowed)
        if not allowed:
            wait = auth.SecondFactorResult(throttled_until=(info or {}).get("locked_until")).wait_seconds
            form.add_error("code", _throttled_message(wait))
        else:
            form.add_error("code", INVALID_CODE)
    context = {
        "form": form,
        "qr_svg": auth.totp_qr_svg(device),
        "secret": auth.totp_secret(device),
        "title": _("Set up your authenticator app"),
    }
    return render(request, "backoffice/auth/enrol.html", context, status=_error_status(form))


@require_POST
def logout_view(request):
    """Log out (POST only, so a link or an image cannot log anyone out)."""
    auth.staff_logout(request)
    return redirect("backoffice:login")


def _throttled_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)s second, then enter the current code.",
        "Too many wrong codes. Wait %(seconds)s seconds, then enter the current code.",
        seconds,
    ) % {"seconds": seconds}
