"""Users in the admin: Django's UserAdmin, plus "send a link to set the password".

The operator sets up a municipality's first administrator (and any other account) without
ever knowing their password: add the user with password-based authentication disabled,
give them a role, then use this action — the person chooses their password through the link
e-mailed to them (:mod:`madoguchi.staff.passwords`), exactly as staff added by a municipality
administrator do.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from madoguchi.staff import passwords
from madoguchi.staff.services import StaffAdminError


class PlatformUserAdmin(UserAdmin):
    actions = ["send_password_link"]

    @admin.action(description=_("Send a link to set the password"))
    def send_password_link(self, request, queryset):
        sent = 0
        for user in queryset.order_by("username"):
            try:
                passwords.operator_password_link_send(operator=request.user, user_id=user.pk)
            except StaffAdminError as refused:
                self.message_user(request, f"{user.get_username()}: {refused.message}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "A link to set the password was sent to %(count)d user.",
                    "A link to set the password was sent to %(count)d users.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )


def user_admin_extend(site: admin.AdminSite) -> None:
    """Replace Django's UserAdmin on ``site`` with :class:`PlatformUserAdmin`."""
    User = get_user_model()
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, PlatformUserAdmin)
