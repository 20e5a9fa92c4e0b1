"""CMS SignedData for organisational signatures: make one, check one (pyHanko).

A signature is detached (the content is stored beside it, never inside), SHA-256 with RSA
PKCS#1 v1.5, with signed attributes (content type, message digest, signing time, the
signer's ESS certificate id and CMS algorithm protection) and the signer's certificate and
chain in ``certificates``, so a verifier needs nothing but the bytes and the trust anchors.

pyHanko's API is async; the callers are synchronous Django code, so each call runs its own
short event loop (:func:`madoguchi.signatures.aio.run_coroutine`).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, SimpleSigner
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from madoguchi.signatures.aio import run_coroutine
from madoguchi.signatures.config import OrganisationKey

DIGEST = "sha256"


class _LoadedKeySigner(SimpleSigner):
    """A SimpleSigner that signs with the already loaded key.

    SimpleSigner re-parses its key from DER on every signature, and cryptography checks an
    RSA key when it loads it: about 90 ms per approval. The key here was loaded (and
    checked) once, when the signatures file was read.
    """

    def __init__(self, organisation_key: OrganisationKey):
        store = SimpleCertificateStore()
        store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in organisation_key.chain])
        super().__init__(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(organisation_key.certificate),
            signing_key=translate_pyca_cryptography_key_to_asn1(organisation_key.key),
            cert_registry=store,
        )
        self._key = organisation_key.key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if digest_algorithm != DIGEST:
            raise ValueError(f"organisational signatures use {DIGEST}, not {digest_algorithm}")
        return self._key.sign(data, PKCS1v15(), hashes.SHA256())


@lru_cache(maxsize=32)
def _signer(organisation_key: OrganisationKey) -> _LoadedKeySigner:
    # Keyed on the loaded entry: a changed signatures file is loaded anew (config._load is
    # keyed on the file's mtime), and so gets a new signer.
    return _LoadedKeySigner(organisation_key)


def certificate_sha256(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def cms_sign(*, organisation_key: OrganisationKey, content: bytes, signing_time: datetime) -> bytes:
    """Return the DER of a detached CMS SignedData over ``content``, signed at ``signing_time``."""
    if organisation_key.key is None:
        raise ValueError("a retired organisation key (certificate only) cannot sign")
    signer = _signer(organisation_key)
    info = run_coroutine(
        lambda: signer.async_sign_general_data(
            content, DIGEST, detached=True, signed_attr_settings=PdfCMSSignedAttributes(signing_time=signing_time)
        )
    )
    return info.dump()


@dataclass(frozen=True)
class CmsCheck:
    """What checking one signature found. ``problem`` is None when it is valid and trusted."""

    problem: str | None
    signing_time: datetime | None = None
    signer_sha256: str = ""


def _anchors_context(anchors: Sequence, moment: datetime) -> ValidationContext:
    # No fetching: verification must work offline (LGWAN) and give the same answer twice.
    # Revocation of organisation certificates is not checked (no CRL for them is configured);
    # see docs/operations/signing-keys.md, "Key compromise".
    return ValidationContext(
        trust_roots=list(anchors), moment=moment, allow_fetching=False, revocation_mode="soft-fail"
    )


async def _check(content: bytes, der: bytes, anchors: Sequence) -> CmsCheck:
    try:
        info = asn1_cms.ContentInfo.load(der)
        signed_data = info["content"]
        signer_info = signed_data["signer_infos"][0]
        attributes = {a["type"].native: a["values"][0].native for a in signer_info["signed_attrs"]}
    except Exception:  # any parse failure of stored bytes is one verdict: not a signature
        return CmsCheck("the stored signature is not a CMS SignedData")
    signing_time = attributes.get("signing_time")
    if signing_time is None:
        return CmsCheck("the signature has no signing time")
    if signer_info["digest_algorithm"]["algorithm"].native != DIGEST:
        return CmsCheck("the signature does not use SHA-256")
    status = await async_validate_detached_cms(
        content, signed_data, signer_validation_context=_anchors_context(anchors, signing_time)
    )
    signer = hashlib.sha256(status.signing_cert.dump()).hexdigest()
    if not status.intact:
        return CmsCheck("the signature does not match the payload", signing_time, signer)
    if not status.valid:
        return CmsCheck("the signature value is not valid", signing_time, signer)
    if not status.trusted:
        reason = "revoked" if status.revoked else "not issued under the organisation's trust anchors"
        return CmsCheck(
            f"the signer's certificate is {reason} (at the signing time {signing_time.isoformat()})",
            signing_time,
            signer,
        )
    return CmsCheck(None, signing_time, signer)


def _check_all(items: Sequence[tuple[bytes, bytes]], anchors_der: Sequence[bytes]) -> list[CmsCheck]:
    # Module level and bytes only, so a worker process can run it.
    anchors = [asn1_x509.Certificate.load(der) for der in anchors_der]

    async def run() -> list[CmsCheck]:
        return [await _check(content, der, anchors) for content, der in items]

    return run_coroutine(run)


def cms_check(*, content: bytes, der: bytes, trust_anchors: Iterable[x509.Certificate]) -> CmsCheck:
    """Check that ``der`` is a valid signature over ``content``, its signer chained to one of
    ``trust_anchors`` and valid at the signing time the signature states."""
    return cms_check_many([(content, der)], trust_anchors=trust_anchors)[0]


def cms_check_many(
    items: Sequence[tuple[bytes, bytes]],
    *,
    trust_anchors: Iterable[x509.Certificate],
    executor: concurrent.futures.Executor | None = None,
    jobs: int = 1,
) -> list[CmsCheck]:
    """:func:`cms_check` for many (content, der) pairs; split over ``jobs`` workers of ``executor``.

    Checking is CPU-bound ASN.1 work in pure Python (about 14 ms a signature), so worker
    processes are what makes a long history verify faster.
    """
    anchors_der = [c.public_bytes(serialization.Encoding.DER) for c in trust_anchors]
    if executor is None or jobs < 2 or len(items) < jobs:
        return _check_all(items, anchors_der)
    size = -(-len(items) // jobs)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results = executor.map(_check_all, chunks, [anchors_der] * len(chunks))
    return [check for chunk in results for check in chunk]
