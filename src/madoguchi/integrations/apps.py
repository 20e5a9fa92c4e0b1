from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Server-to-server credentials of a municipality's own systems (its web site, a vendor's
    form service) that submit applications through the API on residents' behalf.

    Above ``audit`` (creating and revoking a credential is audited) and below the doors: the
    API only authenticates with :func:`integrator_authenticate`.
    """

    name = "madoguchi.integrations"
    label = "integrations"
    verbose_name = _("Integrations")
