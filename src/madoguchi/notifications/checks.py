"""Deployment checks (``madoguchi check --deploy``) for e-mail to residents."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


@register("notifications", deploy=True)
def check_email_settings(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    url = urlsplit(settings.MADOGUCHI_PUBLIC_URL)
    # Unset or not https is an error (madoguchi.E001); a loopback host only a warning, since
    # `make production` runs on this machine's own address.
    if url.scheme == "https" and url.hostname in {"localhost", "127.0.0.1", "::1"}:
        warnings.append(
            Warning(
                "MADOGUCHI_PUBLIC_URL is a loopback address, not the public address of the portal.",
                hint="E-mails to residents link to its status page; set MADOGUCHI_PUBLIC_URL.",
                id="notifications.W001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith("@localhost"):
        warnings.append(
            Warning(
                "E-mails to residents are sent from an address at localhost.",
                hint="Set MADOGUCHI_EMAIL_FROM to the municipality's sending address.",
                id="notifications.W002",
            )
        )
    return warnings
