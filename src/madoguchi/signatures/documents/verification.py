"""Checking a PDF someone holds: is it a document a municipality issued, unmodified?

Anyone may ask (the public page ``/verify/``): a bank, a landlord, another office. The answer
is one of five, and they must not blur into each other:

- **authentic**: signed by a municipality configured on this platform (its current key or a
  retired one: ``organisation_certificates``), the signature intact and covering the whole
  document, the certificate chaining to the organisation trust anchors;
- **modified**: the signed bytes changed (digest mismatch), or something was added after
  the signature beyond validation data (pyHanko's coverage and modification analysis);
- **untrusted**: a valid signature, but not by a municipality here (another CA, an unknown
  certificate, or a revoked one);
- **unsigned**: a PDF without a signature;
- **not a PDF**.

Revocation: the platform never fetches (``allow_fetching=False``: a verification must not make
the server call out on an uploader's behalf); CRLs it has are used, and without one the check
is "soft-fail", the usual offline setting. Tests pass a hard-fail context with the CA's CRL.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import ValueErrorWithMessage
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from madoguchi.signatures.aio import outside_event_loop
from madoguchi.signatures.config import configured_municipalities
from madoguchi.signatures.documents.signing import asn1_certificate

logger = logging.getLogger(__name__)

AUTHENTIC, MODIFIED, UNTRUSTED, UNSIGNED, NOT_PDF = "authentic", "modified", "untrusted", "unsigned", "not_pdf"
UNMODIFIED_LEVELS = frozenset({ModificationLevel.NONE, ModificationLevel.LTA_UPDATES})
# A PDF's header may follow up to 1 KiB of junk (PDF 32000-1, annex H): readers accept it.
HEADER_WINDOW = 1024


@dataclass(frozen=True)
class Verification:
    verdict: str
    sha256: str
    municipality_code: str = ""
    signer: str = ""  # the signer certificate's subject, as a reader would show it
    signed_at: datetime | None = None
    timestamped: bool = False
    revoked: bool = False

    @property
    def authentic(self) -> bool:
        return self.verdict == AUTHENTIC


def default_validation_context() -> ValidationContext:
    """Trust the organisation CAs of every configured municipality; never fetch; soft-fail revocation."""
    anchors = {
        certificate.fingerprint(hashes.SHA256()): certificate
        for entry in configured_municipalities().values()
        for certificate in entry.organisation_trust_anchors
    }
    return ValidationContext(
        trust_roots=[asn1_certificate(c) for c in anchors.values()],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _signer_municipality(certificate: asn1_x509.Certificate) -> str:
    """The code of the municipality whose organisation certificate (current or retired) this is."""
    digest = hashlib.sha256(certificate.dump()).hexdigest()
    for code, entry in configured_municipalities().items():
        for known in entry.organisation_certificates:
            if known.fingerprint(hashes.SHA256()).hex() == digest:
                return code
    return ""


def looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:HEADER_WINDOW]


def verify_pdf(data: bytes, *, validation_context: ValidationContext | None = None) -> Verification:
    """Return the verdict on ``data`` (see the module docstring for the five verdicts)."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not looks_like_pdf(data):
        return Verification(NOT_PDF, sha256)
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        logger.info("verification: unreadable PDF %s: %s", sha256[:12], error)
        return Verification(NOT_PDF, sha256)
    if not signatures:
        return Verification(UNSIGNED, sha256)
    # The first signature is the issuer's; anything added later shows in its coverage.
    embedded = signatures[0]
    context = validation_context or default_validation_context()
    try:
        status = outside_event_loop(validate_pdf_signature, embedded, signer_validation_context=context)
    except (PdfError, ValueErrorWithMessage, ValueError, KeyError) as error:
        # A signature pyHanko cannot even evaluate was damaged: the document is not as signed.
        logger.info("verification: signature unreadable in %s: %s", sha256[:12], error)
        return Verification(MODIFIED, sha256)
    signer = status.signing_cert.subject.human_friendly
    timestamp = status.timestamp_validity
    signed_at = timestamp.timestamp if timestamp is not None and timestamp.intact else status.signer_reported_dt
    facts = {"sha256": sha256, "signer": signer, "signed_at": signed_at, "timestamped": timestamp is not None}
    coverage = status.coverage
    if (
        not (status.intact and status.valid)
        or coverage is None
        or coverage < SignatureCoverageLevel.ENTIRE_REVISION
        or status.modification_level not in UNMODIFIED_LEVELS
    ):
        return Verification(MODIFIED, **facts)
    if not status.trusted:
        return Verification(UNTRUSTED, revoked=status.revoked, **facts)
    code = _signer_municipality(status.signing_cert)
    if not code:
        return Verification(UNTRUSTED, **facts)
    return Verification(AUTHENTIC, municipality_code=code, **facts)
