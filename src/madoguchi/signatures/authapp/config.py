"""A municipality's registration with the national authentication app, from the signatures file.

```yaml
municipalities:
  "082015":
    residents:
      signing_provider: authapp
      authapp:
        base_url: https://sb-auth-and-sign.go.jp   # the sandbox; production: https://auth-and-sign.go.jp
        client_id: RP00000001                      # issued by the Digital Agency
        private_key_file: authapp-082015-sig.pem   # RSA, signs the client assertions
        encryption_key_file: authapp-082015-enc.pem  # RSA, decrypts the sign results (optional)
        passphrase_env: AOBA_AUTHAPP_PASSPHRASE    # optional, for encrypted PEM files
```

Keys are files named here (relative to the signatures file), never rows or settings values,
and never in the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from madoguchi.signatures.authapp.jose import jwk_public
from madoguchi.signatures.config import MunicipalitySignatures, SignaturesNotConfigured, signatures_file

# The paths of the published API, below base_url (see docs/signatures.md for the sources).
AUTHORIZATION_PATH = "/api/realms/main/protocol/openid-connect/auth"
TOKEN_PATH = "/api/realms/main/protocol/openid-connect/token"  # noqa: S105 (a URL path, not a secret)
CERTS_PATH = "/api/realms/main/protocol/openid-connect/certs"
SIGN_TRANSACTIONS_PATH = "/api/sign-transactions"


@dataclass(frozen=True)
class AuthAppConfig:
    code: str
    base_url: str
    client_id: str
    signing_key: rsa.RSAPrivateKey
    encryption_key: rsa.RSAPrivateKey
    timeout: float = 10.0
    # How long a resident has between leaving for the app and coming back. Not published:
    # the shorter, conservative choice, below which the service's own limit should lie.
    transaction_lifetime: int = 300

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def signing_jwk(self) -> dict:
        return jwk_public(self.signing_key.public_key(), use="sig", alg="RS256")

    @property
    def encryption_jwk(self) -> dict:
        return jwk_public(self.encryption_key.public_key(), use="enc", alg="RSA-OAEP-256")

    def jwks(self) -> dict:
        keys = [self.signing_jwk]
        if self.encryption_key is not self.signing_key:
            keys.append(self.encryption_jwk)
        return {"keys": keys}


def _key(path: Path, passphrase: bytes | None) -> rsa.RSAPrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), passphrase)
    except (OSError, ValueError, TypeError) as exc:
        raise SignaturesNotConfigured(f"{path.name}: cannot load the key ({exc.__class__.__name__})") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise SignaturesNotConfigured(f"{path.name}: an RSA key of at least 2048 bits is needed")
    return key


def authapp_config(config: MunicipalitySignatures) -> AuthAppConfig:
    """The municipality's authapp entry; SignaturesNotConfigured if absent or unusable."""
    entry = config.options.get("authapp") or {}
    missing = [name for name in ("base_url", "client_id", "private_key_file") if not entry.get(name)]
    if missing:
        raise SignaturesNotConfigured(f"{config.code}: residents.authapp lacks {', '.join(missing)}")
    base = (signatures_file() or Path(".")).parent
    passphrase = None
    if entry.get("passphrase_env"):
        value = os.environ.get(entry["passphrase_env"])
        if value is None:
            raise SignaturesNotConfigured(f"environment variable {entry['passphrase_env']} is not set")
        passphrase = value.encode()
    signing_key = _key(base / entry["private_key_file"], passphrase)
    encryption_key = (
        _key(base / entry["encryption_key_file"], passphrase) if entry.get("encryption_key_file") else signing_key
    )
    return AuthAppConfig(
        code=config.code,
        base_url=str(entry["base_url"]),
        client_id=str(entry["client_id"]),
        signing_key=signing_key,
        encryption_key=encryption_key,
        timeout=float(entry.get("timeout", 10)),
        transaction_lifetime=int(entry.get("transaction_lifetime", 300)),
    )
