"""How a resident's signature reaches the server: the signing providers.

Every provider ends in the same place — a :class:`SubmittedSignature` that the municipality's
verifier checks (``signatures.verification``) — so adding one never changes what is accepted.

- ``software_card``: the demo "software card" signed in the browser (development only; the
  production settings refuse it), next to uploading a ``.p7s`` made by any signing software;
- ``authapp``: the national authentication app (デジタル認証アプリ), ``signatures.authapp``.

The provider is chosen per municipality in the signatures file (``residents.signing_provider``),
else by the setting ``MADOGUCHI_SIGNING_PROVIDER`` (default ``software_card``).
"""

from __future__ import annotations

import contextlib

from django.conf import settings

from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures

SOFTWARE_CARD = "software_card"
AUTHAPP = "authapp"
PROVIDERS = (SOFTWARE_CARD, AUTHAPP)


def signing_provider_name(municipality_code: str) -> str:
    """The provider this municipality's residents sign with (an unknown name falls back to the card)."""
    chosen = getattr(settings, "MADOGUCHI_SIGNING_PROVIDER", SOFTWARE_CARD) or SOFTWARE_CARD
    with contextlib.suppress(SignaturesNotConfigured):
        chosen = municipality_signatures(municipality_code).options.get("signing_provider") or chosen
    return chosen if chosen in PROVIDERS else SOFTWARE_CARD
