"""Signing an issued document: PAdES (ETSI.CAdES.detached) with the municipality's current key.

The key is the first entry with a private key in the municipality's signatures file
(:attr:`MunicipalitySignatures.signing_key`); its certificate chain is embedded so a reader
can build the path to the organisation CA. If the signatures file names a timestamp server
(``organisation.timestamp_url``), the signature gets an RFC 3161 signature timestamp
(PAdES B-T): proof of when it was made that does not depend on the signer's clock.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from madoguchi.signatures.aio import outside_event_loop
from madoguchi.signatures.config import MunicipalitySignatures, OrganisationKey

FIELD_NAME = "MunicipalitySignature"
TIMESTAMP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SignedPdf:
    content: bytes
    signer_certificate_sha256: str
    timestamped: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def asn1_certificate(certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def certificate_sha256(certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _signer(entry: OrganisationKey) -> signers.SimpleSigner:
    key = asn1_keys.PrivateKeyInfo.load(
        entry.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=asn1_certificate(entry.certificate),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([asn1_certificate(c) for c in entry.chain]),
    )


def sign_document(pdf: bytes, *, signatures: MunicipalitySignatures, reason: str, location: str) -> SignedPdf:
    """Return ``pdf`` signed (PAdES) by the municipality's current key, timestamped if configured.

    Raise SignaturesNotConfigured if the municipality has no key, and
    pyhanko's TimestampRequestError if the timestamp server does not answer.
    """
    entry = signatures.signing_key
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    timestamper = (
        HTTPTimeStamper(signatures.timestamp_url, timeout=TIMESTAMP_TIMEOUT_SECONDS)
        if signatures.timestamp_url
        else None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = outside_event_loop(signers.sign_pdf, writer, metadata, signer=_signer(entry), timestamper=timestamper)
    return SignedPdf(
        content=output.getvalue(),
        signer_certificate_sha256=certificate_sha256(entry.certificate),
        timestamped=timestamper is not None,
    )
