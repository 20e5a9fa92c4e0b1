"""The admin site of the platform operator: second factor, shared sign-in, audited changes."""

from __future__ import annotations

from functools import update_wrapper

from django.contrib.admin import ModelAdmin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp.admin import OTPAdminSite

from madoguchi.platform_admin.auditing import AuditedAdminMixin


def audited(admin_class: type[ModelAdmin]) -> type[ModelAdmin]:
    """Return ``admin_class`` with :class:`AuditedAdminMixin` in front of it."""
    if issubclass(admin_class, AuditedAdminMixin):
        return admin_class
    return type(admin_class.__name__, (AuditedAdminMixin, admin_class), {"__module__": admin_class.__module__})


class PlatformAdminSite(OTPAdminSite):
    """``OTPAdminSite`` (a verified OTP device is required) that signs in through the back office.

    The admin's own login form is never shown: its URL redirects to ``/staff/login/`` with
    ``next``, so the operator meets the same password step, lockout, TOTP step (or first
    enrolment) and audit as staff. Someone signed in with both factors who is not an
    operator (a clerk trying ``/admin/``) gets "not found", as for any page they may not see.
    Log-out goes through the staff log-out, so it is audited like theirs.
    """

    site_header = _("Madoguchi platform administration")
    site_title = _("Madoguchi platform administration")
    index_title = _("Platform administration")

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, with every change the admin class makes audited."""
        super().register(model_or_iterable, audited(admin_class or ModelAdmin), **options)

    def _refuse_signed_in_strangers(self, request) -> None:
        """Raise Http404 for someone signed in with both factors who may not use the admin."""
        user = request.user
        if user.is_authenticated and user.is_verified() and not self.has_permission(request):
            raise Http404

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def refusing(request, *args, **kwargs):
            self._refuse_signed_in_strangers(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(refusing, inner)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        self._refuse_signed_in_strangers(request)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, login_url=reverse("backoffice:login"))

    @method_decorator(never_cache)
    def logout(self, request, extra_context=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        from madoguchi.backoffice.auth import staff_logout

        staff_logout(request)
        return redirect("backoffice:login")
