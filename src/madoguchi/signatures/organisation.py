"""Organisational signing (組織署名) of approval decisions.

Every stamp, return, 後閲 and 決裁 is signed by the municipality with its organisation key
(in production an LGPKI certificate), in the transaction that records it: the decision
and its signature are committed together or not at all. The signed bytes are the canonical
document of :mod:`madoguchi.signatures.approval_documents`, built from the rows as they were
just written, and kept in :class:`OrganisationSignature` with the CMS SignedData.

Without a signing key. A municipality that has no signatures file entry or no key in it
(e.g. while its LGPKI certificate is being applied for) keeps working: the decision is
recorded with an *unsigned* :class:`OrganisationSignature` row, a warning is logged, the
case page shows 「組織署名なし」 and ``madoguchi signatures verify`` reports it. Stopping a
city hall's casework because a certificate has not arrived would push staff back to paper,
and the hash-chained audit log still records every decision. A key that *is* configured but
cannot be used (unreadable file, wrong passphrase) is an incident, not a choice: the decision
is refused with :class:`OrganisationSigningFailed` rather than silently left unsigned; so
is one whose certificate has expired (or is not valid yet).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from madoguchi.approvals.models import Approval
from madoguchi.cases.models import Case, CaseEvent
from madoguchi.signatures import approval_documents
from madoguchi.signatures.canonical import canonical_json
from madoguchi.signatures.config import OrganisationKey, SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.models import OrganisationSignature, SignedObject
from madoguchi.signatures.organisation_cms import certificate_sha256, cms_sign

logger = logging.getLogger(__name__)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


# The signing time is the real time of signing, never a service's injected ``now``: a
# certificate is checked against it. Tests replace this to sign "in the past".
signing_clock: Callable[[], datetime] = _wall_clock


class OrganisationSigningFailed(Exception):
    """The municipality's signing key is configured but could not be used.

    ``approvals.services`` turns it into ``SigningFailed``, an error the screens and the API show."""


def signing_key_for(code: str) -> tuple[OrganisationKey | None, str]:
    """Return the municipality's current signing key, or (None, why there is none).

    Raise OrganisationSigningFailed if the signatures file names a key that cannot be loaded.
    """
    try:
        return municipality_signatures(code).signing_key, ""
    except SignaturesNotConfigured as exc:
        return None, str(exc)
    except (OSError, ValueError) as exc:
        logger.error("organisation signing key of %s cannot be loaded: %s", code, exc)
        raise OrganisationSigningFailed from exc


def _sign(*, case: Case, object_type: str, object_id: int, document: dict) -> OrganisationSignature:
    payload = canonical_json(document)
    key, why_not = signing_key_for(case.municipality.code)
    signed_at = signing_clock().replace(microsecond=0)  # CMS signingTime has whole seconds
    row = OrganisationSignature(
        municipality=case.municipality,
        case=case,
        object_type=object_type,
        object_id=object_id,
        payload=payload,
        signed_at=signed_at,
    )
    if key is not None:
        certificate = key.certificate
        if not certificate.not_valid_before_utc <= signed_at <= certificate.not_valid_after_utc:
            # A signature no verifier would accept is worse than none: stop, and let
            # `madoguchi signatures check` (which warns 60 days ahead) lead to a rotation.
            logger.error("organisation certificate of %s is not valid at %s", case.municipality.code, signed_at)
            raise OrganisationSigningFailed(f"{case.municipality.code}: the signing certificate is not valid now")
        row.cms = cms_sign(organisation_key=key, content=payload, signing_time=signed_at)
        row.signer_certificate_sha256 = certificate_sha256(key.certificate)
        row.signer_subject = key.certificate.subject.rfc4514_string()[:400]
    else:
        logger.warning("%s %s of case %s recorded without an organisational signature (%s)",
                       object_type, object_id, case.receipt_number, why_not)  # fmt: skip
    row.save(force_insert=True)
    return row


def _approval_row(approval: Approval) -> Approval:
    # Read back, so the signed document is built from exactly what the database keeps
    # (and what `signatures verify` will rebuild), not from values still in memory.
    return (
        Approval.objects.for_municipality(approval.municipality)
        .select_related("case__municipality", "step__department", "user", "post_reviewed_by")
        .get(pk=approval.pk)
    )


def organisation_sign_approval(*, approval: Approval) -> OrganisationSignature:
    """Sign a stamp or a return (call inside the transaction that wrote ``approval``)."""
    row = _approval_row(approval)
    documents = approval_documents.AnswersLookup(row.municipality, [(row.case, row.step.answers_version)])
    answers = documents.get(row.case, row.step.answers_version)
    if answers is None:
        raise ValueError(f"case {row.case.receipt_number} has no answers version {row.step.answers_version}")
    document = approval_documents.approval_document(row, answers)
    return _sign(case=row.case, object_type=SignedObject.APPROVAL, object_id=row.pk, document=document)


def organisation_sign_post_review(*, approval: Approval) -> OrganisationSignature:
    """Sign the 後閲 recorded on ``approval`` (inside the transaction that recorded it)."""
    row = _approval_row(approval)
    document = approval_documents.post_review_document(row)
    return _sign(case=row.case, object_type=SignedObject.POST_REVIEW, object_id=row.pk, document=document)


def organisation_sign_decision(*, event: CaseEvent) -> OrganisationSignature:
    """Sign the 決裁 of a case from its ``decided`` event (inside the deciding transaction)."""
    row = (
        CaseEvent.objects.for_municipality(event.municipality)
        .select_related("case__municipality", "actor")
        .get(pk=event.pk)
    )
    document = approval_documents.decision_document(row, row.case.answers)
    return _sign(case=row.case, object_type=SignedObject.DECISION, object_id=row.pk, document=document)


def organisation_stamp_signatures(*, case: Case) -> dict[int, OrganisationSignature]:
    """Return the signatures of the case's stamps and returns by approval id, for its page."""
    rows = (
        OrganisationSignature.objects.for_municipality(case.municipality)
        .filter(case_id=case.pk, object_type=SignedObject.APPROVAL)
        .defer("payload")
    )
    return {row.object_id: row for row in rows}
