from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "madoguchi.portal"
    label = "portal"
    verbose_name = _("Resident portal")

    def ready(self) -> None:
        from madoguchi.observability.unavailable import register_responder
        from madoguchi.portal.views.errors import service_unavailable

        # Every page outside the API: the friendly error page in the resident's language.
        register_responder("/", service_unavailable)
