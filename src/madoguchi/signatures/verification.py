"""Checking a resident's signature: the direct X.509 verifier and the adapter interface.

Only registered signature verifiers (署名検証者) may query JPKI revocation themselves; others
go through a platform operator or the national authentication app's API. So the verifier
is chosen per municipality in the signatures file (``residents.verifier``): ``x509`` is
:class:`X509Verifier` below; any other value is the dotted path of an adapter class
(contract in docs/signatures.md). Every verifier returns the same :class:`Evidence`, with a
CMS SignedData container, so the stored evidence never depends on the path it came by.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.utils.module_loading import import_string
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from madoguchi.core.errors import Invalid
from madoguchi.signatures import jpki
from madoguchi.signatures.aio import run_coroutine
from madoguchi.signatures.cms import CmsInvalid, certificate_der, cms_from_raw, verify_cms
from madoguchi.signatures.config import MunicipalitySignatures, SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.messages import UNAVAILABLE_REASONS, reason_message_lazy

# The resident's certificate must be checked against the configured CRL whatever it
# declares (JPKI certificates name an LDAP distribution point we never fetch); CAs above it
# are checked when they declare revocation information.
RESIDENT_REVOCATION = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
    )
)

# Why a signature is refused; each has a message for the resident (signatures/messages.py).
REASONS = (
    "missing",  # the procedure requires a signature and none came
    "not_accepted",  # the procedure takes no signature
    "malformed",  # not a signature container / certificate we can read
    "algorithm",  # not RSA PKCS#1 v1.5 with SHA-2
    "content_mismatch",  # the signature is not over exactly this application
    "untrusted",  # no chain to a configured trust anchor
    "expired",
    "not_yet_valid",
    "revoked",
    "key_usage",  # a certificate not meant for signing (e.g. JPKI 利用者証明用)
    "revocation_unavailable",  # the CRL is missing, unreadable or stale: never a pass
    "not_configured",  # this municipality verifies no signatures
)


class SignatureRejected(Invalid):
    """A resident's signature was refused; ``reason`` (one of REASONS) is the code.

    A refusal caused by the platform's own state (no current CRL, nothing configured) is a
    503 with Retry-After: the resident did nothing wrong and can send the same request later.
    """

    kind = "signature-rejected"

    def __init__(self, reason: str, detail: str = ""):
        if reason not in REASONS:
            raise ValueError(reason)
        super().__init__(reason_message_lazy(reason), code=reason)
        self.reason, self.detail = reason, detail
        if reason in UNAVAILABLE_REASONS:
            self.status, self.kind, self.retry_after = 503, "signature-unavailable", 300


@dataclass(frozen=True)
class SubmittedSignature:
    """What a client sends: a CMS SignedData, or a raw signature with its certificate and chain."""

    cms: bytes = b""
    signature: bytes = b""
    certificate: bytes = b""
    chain: tuple[bytes, ...] = ()

    def container(self, content: bytes) -> bytes:
        if self.cms:
            return self.cms
        if not (self.signature and self.certificate):
            raise SignatureRejected("malformed", "a CMS container, or a signature with its certificate, is needed")
        try:
            return cms_from_raw(
                content=content, signature=self.signature, certificate=self.certificate, chain=list(self.chain)
            )
        except CmsInvalid as exc:
            raise SignatureRejected(exc.code, str(exc)) from exc


@dataclass(frozen=True)
class Evidence:
    """What is kept with the case: the container and what was found when it was received."""

    cms: bytes
    content_sha256: str
    certificate: x509.Certificate
    facts: jpki.BasicFacts
    revocation: dict = field(default_factory=dict)  # status and the CRL it was checked against
    verifier: str = "x509"


class Verifier(Protocol):
    name: str

    def verify(self, *, content: bytes, submitted: SubmittedSignature, at: datetime) -> Evidence: ...


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate_der(certificate))


def _has_signing_usage(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return usage.digital_signature or usage.content_commitment


class X509Verifier:
    """Verify directly: signature, chain to the configured anchors, validity, key usage, CRL."""

    name = "x509"

    def __init__(self, config: MunicipalitySignatures):
        self.config = config

    def _crl(self, at: datetime) -> tuple[bytes, x509.CertificateRevocationList]:
        path = self.config.crl_file
        if path is None:
            raise SignatureRejected("revocation_unavailable", "no CRL is configured")
        try:
            data = path.read_bytes()
            crl = x509.load_der_x509_crl(data) if not data.startswith(b"-----") else x509.load_pem_x509_crl(data)
        except (OSError, ValueError) as exc:
            raise SignatureRejected("revocation_unavailable", "the CRL cannot be read") from exc
        if crl.next_update_utc is None or crl.next_update_utc < at:
            raise SignatureRejected("revocation_unavailable", "the CRL is stale: refresh it")
        return crl.public_bytes(Encoding.DER), crl

    def verify(self, *, content: bytes, submitted: SubmittedSignature, at: datetime) -> Evidence:
        if not self.config.resident_trust_anchors:
            raise SignatureRejected("not_configured", "no trust anchors for residents' signatures")
        container = submitted.container(content)
        try:
            parsed = verify_cms(container, content)
        except CmsInvalid as exc:
            raise SignatureRejected(exc.code, str(exc)) from exc
        crl_der, crl = self._crl(at)
        context = ValidationContext(
            trust_roots=[_asn1(c) for c in self.config.resident_trust_anchors],
            other_certs=[_asn1(c) for c in parsed.certificates],
            crls=[crl_der],
            moment=at,
            allow_fetching=False,
            revinfo_policy=RESIDENT_REVOCATION,
        )
        validator = CertificateValidator(
            _asn1(parsed.signer), intermediate_certs=[_asn1(c) for c in parsed.certificates],
            validation_context=context,
        )  # fmt: skip
        try:
            run_coroutine(lambda: validator.async_validate_usage(key_usage=set()))
        except cv_errors.RevokedError as exc:
            raise SignatureRejected("revoked", str(exc)) from exc
        except cv_errors.ExpiredError as exc:
            raise SignatureRejected("expired", str(exc)) from exc
        except cv_errors.NotYetValidError as exc:
            raise SignatureRejected("not_yet_valid", str(exc)) from exc
        except cv_errors.InsufficientRevinfoError as exc:
            raise SignatureRejected("revocation_unavailable", str(exc)) from exc
        except cv_errors.DisallowedAlgorithmError as exc:
            raise SignatureRejected("algorithm", str(exc)) from exc
        except (cv_errors.PathBuildingError, cv_errors.PathValidationError) as exc:
            raise SignatureRejected("untrusted", str(exc)) from exc
        except cv_errors.InvalidCertificateError as exc:
            raise SignatureRejected("key_usage", str(exc)) from exc
        if not _has_signing_usage(parsed.signer):
            raise SignatureRejected("key_usage", "the certificate is not for signing")
        return Evidence(
            cms=container,
            content_sha256=hashlib.sha256(content).hexdigest(),
            certificate=parsed.signer,
            facts=jpki.basic_facts(parsed.signer),
            revocation={
                "status": "good",
                "method": "crl",
                "crl_issuer": crl.issuer.rfc4514_string(),
                "crl_this_update": crl.last_update_utc.isoformat(),
                "crl_next_update": crl.next_update_utc.isoformat(),
                "checked_at": at.isoformat(),
            },
            verifier=self.name,
        )


def verifier_for(municipality_code: str) -> Verifier:
    """The verifier the municipality chose; raises SignatureRejected("not_configured")."""
    try:
        config = municipality_signatures(municipality_code)
    except SignaturesNotConfigured as exc:
        raise SignatureRejected("not_configured", str(exc)) from exc
    if config.verifier == "x509":
        return X509Verifier(config)
    return import_string(config.verifier)(config)
