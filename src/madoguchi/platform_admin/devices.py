"""OTP devices in the admin: listed and deletable, never shown.

django-otp's own admins show a TOTP device's key (and a QR code of it) and a recovery
device's codes: whoever reads them can produce the staff member's codes. Here the devices
are listed with whose they are, their name, whether they are confirmed and when they were
last used; the operator can delete one — the staff member then enrols a new authenticator
at their next sign-in (the same as a municipality administrator's "reset the
authenticator") — and the deletion is audited like every admin change. Nothing can be
added or edited.
"""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_FIELDS = ["user", "name", "confirmed", "created_at", "last_used_at"]


class DeviceAdmin(admin.ModelAdmin):
    list_display = DEVICE_FIELDS
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = DEVICE_FIELDS
    readonly_fields = DEVICE_FIELDS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def device_admins_restrict(site: admin.AdminSite) -> None:
    """Replace django-otp's device admins on ``site`` with :class:`DeviceAdmin`."""
    for model in (TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, DeviceAdmin)
