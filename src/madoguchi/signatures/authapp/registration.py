"""What a municipality's administrator needs to register with the Digital Agency, and whether it is set up."""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.signatures.authapp.config import authapp_config
from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.providers import AUTHAPP, signing_provider_name

SANDBOX_URL = "https://sb-auth-and-sign.go.jp"
PRODUCTION_URL = "https://auth-and-sign.go.jp"


@dataclass(frozen=True)
class AuthAppRegistration:
    provider: str  # "software_card" or "authapp"
    client_id: str = ""
    base_url: str = ""
    key_ids: tuple[str, ...] = ()
    problem: str = ""  # why the configuration cannot be used, for the administrator (not residents)

    @property
    def environment(self) -> str:
        if self.base_url.rstrip("/") == SANDBOX_URL:
            return "sandbox"
        if self.base_url.rstrip("/") == PRODUCTION_URL:
            return "production"
        return "other" if self.base_url else ""


def authapp_registration(municipality_code: str) -> AuthAppRegistration:
    provider = signing_provider_name(municipality_code)
    try:
        signatures = municipality_signatures(municipality_code)
    except SignaturesNotConfigured as exc:
        return AuthAppRegistration(provider, problem=str(exc))
    entry = signatures.options.get("authapp") or {}
    try:
        config = authapp_config(signatures)
    except SignaturesNotConfigured as exc:
        return AuthAppRegistration(
            provider, client_id=str(entry.get("client_id", "")), base_url=str(entry.get("base_url", "")),
            problem=str(exc) if provider == AUTHAPP or entry else "",
        )  # fmt: skip
    return AuthAppRegistration(
        provider,
        client_id=config.client_id,
        base_url=config.base_url,
        key_ids=tuple(key["kid"] for key in config.jwks()["keys"]),
    )
