"""Where each municipality's trust anchors, CRLs and signing keys are: the signatures file.

Keys and certificates are files named here, never rows in the database. The file is YAML,
named by the setting ``MADOGUCHI_SIGNATURES_FILE`` (environment variable of the same
name); relative paths in it are relative to the file's directory. See
docs/operations/signing-keys.md for the format and for rotating keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings


class SignaturesNotConfigured(Exception):
    """The municipality has no signature configuration (or not the part asked for)."""


@dataclass(frozen=True)
class OrganisationKey:
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key: RSAPrivateKey | None  # None: a retired key kept only so its certificate is known


@dataclass(frozen=True)
class MunicipalitySignatures:
    code: str
    verifier: str = "x509"
    resident_trust_anchors: tuple[x509.Certificate, ...] = ()
    crl_file: Path | None = None
    crl_source: str = ""
    organisation_keys: tuple[OrganisationKey, ...] = ()
    organisation_trust_anchors: tuple[x509.Certificate, ...] = ()
    timestamp_url: str = ""
    options: dict = field(default_factory=dict)

    @property
    def signing_key(self) -> OrganisationKey:
        """The key that signs now: the first entry with a private key."""
        for entry in self.organisation_keys:
            if entry.key is not None:
                return entry
        raise SignaturesNotConfigured(f"{self.code}: no organisation signing key")

    @property
    def organisation_certificates(self) -> tuple[x509.Certificate, ...]:
        return tuple(entry.certificate for entry in self.organisation_keys)


def _certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _secret(entry: dict, base: Path) -> bytes | None:
    if "passphrase_env" in entry:
        value = os.environ.get(entry["passphrase_env"])
        if value is None:
            raise SignaturesNotConfigured(f"environment variable {entry['passphrase_env']} is not set")
        return value.encode()
    if "passphrase_file" in entry:
        return (base / entry["passphrase_file"]).read_bytes().strip()
    return None


def _organisation_key(entry: dict, base: Path) -> OrganisationKey:
    if "pkcs12" in entry:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            (base / entry["pkcs12"]).read_bytes(), _secret(entry, base)
        )
        if certificate is None or not isinstance(key, RSAPrivateKey):
            raise SignaturesNotConfigured(f"{entry['pkcs12']}: needs an RSA key and its certificate")
        return OrganisationKey(certificate, tuple(chain), key)
    certificates = _certificates(base / entry["certificate"])
    return OrganisationKey(certificates[0], tuple(certificates[1:]), None)


def _municipality(code: str, data: dict, base: Path) -> MunicipalitySignatures:
    residents = data.get("residents") or {}
    organisation = data.get("organisation") or {}
    crl = residents.get("crl") or {}
    return MunicipalitySignatures(
        code=code,
        verifier=residents.get("verifier", "x509"),
        resident_trust_anchors=tuple(
            c for name in residents.get("trust_anchors", []) for c in _certificates(base / name)
        ),
        crl_file=(base / crl["file"]) if crl.get("file") else None,
        crl_source=crl.get("source", ""),
        organisation_keys=tuple(_organisation_key(e, base) for e in organisation.get("keys", [])),
        organisation_trust_anchors=tuple(
            c for name in organisation.get("trust_anchors", []) for c in _certificates(base / name)
        ),
        timestamp_url=organisation.get("timestamp_url", ""),
        options={k: v for k, v in residents.items() if k not in {"verifier", "trust_anchors", "crl"}},
    )


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> dict[str, MunicipalitySignatures]:
    file = Path(path)
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    base = file.parent
    return {
        str(code): _municipality(str(code), entry or {}, base)
        for code, entry in (data.get("municipalities") or {}).items()
    }


def signatures_file() -> Path | None:
    value = getattr(settings, "MADOGUCHI_SIGNATURES_FILE", None)
    return Path(value) if value else None


def municipality_signatures(code: str) -> MunicipalitySignatures:
    """The signature configuration of one municipality; raises SignaturesNotConfigured."""
    path = signatures_file()
    if path is None or not path.exists():
        raise SignaturesNotConfigured("MADOGUCHI_SIGNATURES_FILE is not set or does not exist")
    found = _load(str(path), path.stat().st_mtime_ns).get(code)
    if found is None:
        raise SignaturesNotConfigured(f"{code}: not in {path.name}")
    return found


def configured_municipalities() -> dict[str, MunicipalitySignatures]:
    """Every municipality in the signatures file, by code (empty without a file)."""
    path = signatures_file()
    if path is None or not path.exists():
        return {}
    return _load(str(path), path.stat().st_mtime_ns)
