"""Online payment settings from the environment (read by the settings; imports no app code).

``MADOGUCHI_PAYMENT_PROVIDER``: empty (the default) offers no online payment; ``stripe`` offers
Stripe Checkout with ``MADOGUCHI_STRIPE_SECRET_KEY``, ``MADOGUCHI_STRIPE_WEBHOOK_SECRET`` and
``MADOGUCHI_STRIPE_API_BASE`` (https://api.stripe.com; the tests point it at a local stand-in).
Missing keys do not stop the settings from loading: ``madoguchi check --deploy`` reports them
(madoguchi.E002), so a development checkout without keys still starts.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

# The options each provider's adapter takes, by environment variable.
PROVIDER_OPTIONS: dict[str, dict[str, str]] = {
    "stripe": {
        "secret_key": "MADOGUCHI_STRIPE_SECRET_KEY",
        "webhook_secret": "MADOGUCHI_STRIPE_WEBHOOK_SECRET",
        "api_base": "MADOGUCHI_STRIPE_API_BASE",
    },
}
DEFAULTS = {"stripe": {"api_base": "https://api.stripe.com"}}
REQUIRED = {"stripe": ("secret_key", "webhook_secret")}


def payment_provider_from_env(environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Return ``(provider id or "", its adapter options)``. Raise ImproperlyConfigured for an unknown provider."""
    provider = environ.get("MADOGUCHI_PAYMENT_PROVIDER", "").strip().lower()
    if not provider:
        return "", {}
    if provider not in PROVIDER_OPTIONS:
        raise ImproperlyConfigured(
            f"MADOGUCHI_PAYMENT_PROVIDER must be empty or one of {sorted(PROVIDER_OPTIONS)}, not {provider!r}."
        )
    options = {
        option: environ.get(variable, "").strip() or DEFAULTS.get(provider, {}).get(option, "")
        for option, variable in PROVIDER_OPTIONS[provider].items()
    }
    return provider, options


def missing_options(provider: str, options: Mapping[str, str]) -> list[str]:
    """Return the environment variables ``provider`` needs that are empty."""
    return [PROVIDER_OPTIONS[provider][name] for name in REQUIRED.get(provider, ()) if not options.get(name)]
