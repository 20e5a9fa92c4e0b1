from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """Staff administration: accounts, roles per department and API tokens.

    The records themselves (users, ``StaffMembership``, ``StaffApiToken``) belong to
    ``tenants``, the ground floor every app reads; changing them is audited, so the services
    live here, above ``audit``, and ``tenants`` never imports the audit chain.
    """

    name = "madoguchi.staff"
    label = "staff"
    verbose_name = _("Staff")
