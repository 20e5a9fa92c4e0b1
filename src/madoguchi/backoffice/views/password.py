"""Staff password pages: "forgot your password" and opening a set-password or reset link.

The rules live in :mod:`madoguchi.staff.passwords`; these views parse forms and render.
Like the sign-in pages they work without JavaScript and are never cached.

A link's token is in its URL only until the link is opened: the page stores it in the
session and redirects to the same URL with ``new`` in its place (as Django's
``PasswordResetConfirmView`` does), so the token is not in the address bar, the history or
a ``Referer`` while the person types the new password.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from madoguchi.backoffice.auth import PASSWORD_SET_KEY
from madoguchi.backoffice.forms_auth import PasswordForgotForm, StaffSetPasswordForm
from madoguchi.staff import passwords
from madoguchi.staff.passwords import LinkPurpose, LinkState

LINK_SESSION_KEY = "madoguchi.staff.password_link"
TOKEN_PLACEHOLDER = "new"  # noqa: S105 - stands in the URL for the token kept in the session

TOO_MANY = gettext_lazy("Too many requests from here in a short time. Wait a while and try again.")


def _account_key(group, request) -> str:
    return request.POST.get("identifier", "").strip().casefold()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_forgot(request):
    """Ask for a reset link by user name or e-mail address; the answer never tells whether it exists."""
    form = PasswordForgotForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        rate = settings.MADOGUCHI_PASSWORD_RESET_RATE
        if rate and is_ratelimited(request, group="staff-password-forgot", key="ip", rate=rate, increment=True):
            form.add_error(None, TOO_MANY)
            response = render(request, "backoffice/auth/password_forgot.html", {"form": form}, status=429)
            response["Retry-After"] = "600"
            return response
        account_rate = settings.MADOGUCHI_PASSWORD_RESET_ACCOUNT_RATE
        # Past the per-account limit the page answers as always but sends nothing: it must
        # not tell an existing account from an unknown one, nor flood someone's inbox.
        if not (
            account_rate
            and is_ratelimited(
                request, group="staff-password-forgot-account", key=_account_key, rate=account_rate, increment=True
            )
        ):
            passwords.staff_password_reset_request(identifier=form.cleaned_data["identifier"])
        return redirect("backoffice:password_forgot_sent")
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/auth/password_forgot.html", {"form": form}, status=status)


@never_cache
@require_GET
def password_forgot_sent(request):
    seconds = settings.PASSWORD_RESET_TIMEOUT
    context = {"reset_hours": seconds // 3600} if seconds % 3600 == 0 else {"reset_minutes": max(1, seconds // 60)}
    return render(request, "backoffice/auth/password_forgot_sent.html", context)


def _invalid(request, state: LinkState, purpose: LinkPurpose):
    context = {"message": passwords.LINK_STATE_MESSAGES[state], "state": state.value, "purpose": purpose}
    return render(request, "backoffice/auth/password_link_invalid.html", context, status=400)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_link(request, purpose: str, uidb64: str, token: str):
    """Open a set-password or reset link, then choose the password (twice)."""
    if token != TOKEN_PLACEHOLDER:
        link = passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token)
        if not link.usable:
            return _invalid(request, link.state, link.purpose)
        request.session[LINK_SESSION_KEY] = {"purpose": purpose, "uidb64": uidb64, "token": token}
        return redirect("backoffice:password_link", purpose=purpose, uidb64=uidb64, token=TOKEN_PLACEHOLDER)

    stored = request.session.get(LINK_SESSION_KEY) or {}
    if stored.get("purpose") != purpose or stored.get("uidb64") != uidb64:
        return _invalid(request, LinkState.UNKNOWN, LinkPurpose.SET)
    link = passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=stored["token"])
    if not link.usable:
        request.session.pop(LINK_SESSION_KEY, None)
        return _invalid(request, link.state, link.purpose)

    form = StaffSetPasswordForm(link.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            passwords.staff_password_set(
                purpose=link.purpose,
                user_id=link.user.pk,
                token=stored["token"],
                password=form.cleaned_data["new_password1"],
            )
        except passwords.PasswordLinkRefused as refused:  # used meanwhile, e.g. in another tab
            request.session.pop(LINK_SESSION_KEY, None)
            return _invalid(request, refused.state, link.purpose)
        request.session.pop(LINK_SESSION_KEY, None)
        request.session[PASSWORD_SET_KEY] = True
        return redirect("backoffice:login")
    context = {
        "form": form,
        "purpose": link.purpose,
        "username": link.user.get_username(),
        "title": _("Set your password") if link.purpose is LinkPurpose.SET else _("Choose a new password"),
    }
    return render(request, "backoffice/auth/password_set.html", context, status=400 if form.is_bound else 200)
