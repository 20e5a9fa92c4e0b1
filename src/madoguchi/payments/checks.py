"""System check: an online payment provider that is switched on has its keys.

An error under ``check --deploy`` (``make production`` refuses to start): without the secret key
no payment can be created, and without the webhook secret no payment is ever confirmed, so the
resident would pay and the certificate stay held.
"""

from django.conf import settings
from django.core.checks import Error, register

from madoguchi.payments.config import missing_options


@register("payments", deploy=True)
def check_payment_provider_keys(app_configs, **kwargs) -> list[Error]:
    provider = getattr(settings, "MADOGUCHI_PAYMENT_PROVIDER", "")
    if not provider:
        return []
    missing = missing_options(provider, getattr(settings, "MADOGUCHI_PAYMENT_PROVIDER_OPTIONS", {}))
    if not missing:
        return []
    return [
        Error(
            f"MADOGUCHI_PAYMENT_PROVIDER={provider} but {', '.join(missing)} is not set: residents could not pay "
            "online, or their payments would never be confirmed.",
            hint="Set the provider's keys (docs/fees.md#deployment-settings), or unset MADOGUCHI_PAYMENT_PROVIDER.",
            id="payments.E001",
        )
    ]
