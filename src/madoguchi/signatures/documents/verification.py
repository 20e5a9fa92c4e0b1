"""Checking a PDF someone holds: is it a document a municipality issued, unmodified?

Anyone may ask (the public page ``/verify/``): a bank, a landlord, another office. The answer
is one of five, and they must not blur into each other:

- **authentic**: signed by a municipality configured on this platform (its current key or a
  retired one: ``organisation_certificates``), the signature intact and covering the whole
  document, the certificate chaining to the organisation trust anchors;
- **modified**: the signed bytes changed (digest mismatch), or anything follows the signed
  revision but validation data (DSS) and document timestamps: another incremental update
  (even one that only changes the title or other metadata) or bytes appended without one
  (``revisions.additions_after_signature``, which also says what was added);
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
from dataclasses import dataclass, replace
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import ValueErrorWithMessage
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from madoguchi.signatures.aio import outside_event_loop
from madoguchi.signatures.config import configured_municipalities
from madoguchi.signatures.documents import revisions
from madoguchi.signatures.documents.signing import asn1_certificate

logger = logging.getLogger(__name__)

AUTHENTIC, MODIFIED, UNTRUSTED, UNSIGNED, NOT_PDF = "authentic", "modified", "untrusted", "unsigned", "not_pdf"
UNMODIFIED_LEVELS = frozenset({ModificationLevel.NONE, ModificationLevel.LTA_UPDATES})
# A PDF's header may follow up to 1 KiB of junk (PDF 32000-1, annex H): readers accept it.
HEADER_WINDOW = 1024
# How many end-of-file markers to step back over looking for the signed document inside bytes
# that do not parse as they are (a signed PDF with something appended that breaks it).
EARLIER_ENDS = 8
READ_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError)


@dataclass(frozen=True)
class Verification:
    verdict: str
    sha256: str
    municipality_code: str = ""
    signer: str = ""  # the signer certificate's subject (DN), as a reader would show it
    signed_at: datetime | None = None
    timestamped: bool = False
    revoked: bool = False
    # From the signer certificate's subject: the municipality (O), its office (OU), the signer (CN).
    signer_organisation: str = ""
    signer_unit: str = ""
    signer_name: str = ""
    # What follows the signed revision (revisions.ORDER kinds); only PERMITTED ones on an authentic one.
    additions: tuple[str, ...] = ()

    @property
    def permitted_additions(self) -> tuple[str, ...]:
        return tuple(kind for kind in self.additions if kind in revisions.PERMITTED)

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(kind for kind in self.additions if kind not in revisions.PERMITTED)

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


def _timestamps_intact(later, context: ValidationContext) -> bool:
    """Whether every document timestamp after the issuer's signature is intact and cryptographically valid.

    Its TSA need not be one the platform trusts: a timestamp adds no content, but a broken one
    is not the permitted addition it claims to be.
    """
    for embedded in later:
        if embedded.sig_object_type != "/DocTimeStamp":
            continue
        try:
            status = outside_event_loop(validate_pdf_timestamp, embedded, validation_context=context, skip_diff=True)
        except (PdfError, ValueErrorWithMessage, ValueError, KeyError):
            return False
        if not (status.intact and status.valid):
            return False
    return True


def _first(value) -> str:
    """One name attribute (a subject may repeat OU): the first, as text."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "")


def _signed_prefix_verdict(data: bytes, sha256: str, context: ValidationContext | None) -> Verification:
    """A file that does not parse may be a signed PDF with bytes appended that break it: if an
    earlier end of file gives a signed PDF, the file is that document modified; else not a PDF."""
    end = len(data)
    for _ in range(EARLIER_ENDS):
        end = data.rfind(b"%%EOF", 0, end)
        if end <= 0:
            break
        prefix = data[: end + len(b"%%EOF")]
        prefix += b"\n" if data[len(prefix) : len(prefix) + 1] == b"\n" else b""
        try:
            if not PdfFileReader(io.BytesIO(prefix), strict=False).embedded_signatures:
                continue
        except READ_ERRORS:
            continue
        found = verify_pdf(prefix, validation_context=context)
        if found.verdict == NOT_PDF:
            continue
        additions = tuple(kind for kind in revisions.ORDER if kind in {*found.additions, revisions.APPENDED})
        return replace(found, verdict=MODIFIED, sha256=sha256, municipality_code="", additions=additions)
    return Verification(NOT_PDF, sha256)


def looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:HEADER_WINDOW]


def verify_pdf(data: bytes, *, validation_context: ValidationContext | None = None) -> Verification:
    """Return the verdict on ``data`` (see the module docstring for the five verdicts)."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not looks_like_pdf(data):
        return Verification(NOT_PDF, sha256)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except READ_ERRORS as error:
        logger.info("verification: unreadable PDF %s: %s", sha256[:12], error)
        return _signed_prefix_verdict(data, sha256, validation_context)
    if not signatures:
        return Verification(UNSIGNED, sha256)
    # The first signature is the issuer's; anything added later shows in its coverage.
    embedded = signatures[0]
    context = validation_context or default_validation_context()
    try:
        status = outside_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=context,
        )
        byte_range = embedded.byte_range
        additions = revisions.additions_after_signature(
            reader=reader,
            signed_revision=embedded.signed_revision,
            signed_end=int(byte_range[-2]) + int(byte_range[-1]),
            data=data,
        )
    except (PdfError, ValueErrorWithMessage, ValueError, KeyError) as error:
        # A signature pyHanko cannot even evaluate was damaged: the document is not as signed.
        logger.info("verification: signature unreadable in %s: %s", sha256[:12], error)
        return Verification(MODIFIED, sha256)
    subject = status.signing_cert.subject
    names = subject.native
    timestamp = status.timestamp_validity
    signed_at = timestamp.timestamp if timestamp is not None and timestamp.intact else status.signer_reported_dt
    if status.modification_level not in UNMODIFIED_LEVELS and not set(additions) - revisions.PERMITTED:
        additions = [*additions, revisions.OTHER]  # the strict difference analysis saw more than we named
    if revisions.TIMESTAMP in additions and not _timestamps_intact(signatures[1:], context):
        additions = [*additions, revisions.OTHER]  # a "timestamp" that does not check out is no timestamp
    facts = {
        "sha256": sha256,
        "signer": subject.human_friendly,
        "signed_at": signed_at,
        "timestamped": timestamp is not None,
        "signer_organisation": _first(names.get("organization_name")),
        "signer_unit": _first(names.get("organizational_unit_name")),
        "signer_name": _first(names.get("common_name")),
        "additions": tuple(additions),
    }
    coverage = status.coverage
    if (
        not (status.intact and status.valid)
        or coverage is None
        or coverage < SignatureCoverageLevel.ENTIRE_REVISION
        or set(additions) - revisions.PERMITTED
    ):
        return Verification(MODIFIED, **facts)
    if not status.trusted:
        return Verification(UNTRUSTED, revoked=status.revoked, **facts)
    code = _signer_municipality(status.signing_cert)
    if not code:
        return Verification(UNTRUSTED, **facts)
    return Verification(AUTHENTIC, municipality_code=code, **facts)
