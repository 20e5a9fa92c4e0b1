"""Checking a municipality's organisational signatures against the rows they sign.

For every :class:`OrganisationSignature`, the document is derived again from the database
rows as they are now and compared with the stored payload (an edited comment, decision,
user or answers shows here), then the CMS signature over the payload is checked, and its
signer chained to the organisation's trust anchors at the time of signing, so signatures by
a retired key still verify. The signer must also be one of *this* municipality's
organisation certificates (current or retired): the demo cities share one organisation
root, and one city's key must never count for another's decision.

Decisions without any signature row (deleted, or made before signing existed) are reported
as missing. Unsigned rows (no key was configured) are reported apart from invalid ones.
"""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from madoguchi.approvals.models import Approval
from madoguchi.cases.models import CaseEvent
from madoguchi.signatures.approval_documents import documents_for
from madoguchi.signatures.canonical import canonical_json
from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.models import OrganisationSignature, SignedObject
from madoguchi.signatures.organisation_cms import certificate_sha256, cms_check_many

BATCH = 500


@dataclass(frozen=True)
class Finding:
    object_type: str
    object_id: int
    receipt_number: str
    reason: str


@dataclass
class VerifyReport:
    municipality: str
    checked: int = 0
    valid: int = 0
    unsigned: list[Finding] = field(default_factory=list)
    invalid: list[Finding] = field(default_factory=list)
    missing: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def ok(self, *, allow_unsigned: bool = False) -> bool:
        return not self.invalid and not self.missing and (allow_unsigned or not self.unsigned)


def _changed_fields(stored: bytes, derived: dict) -> str:
    try:
        before = json.loads(stored)
    except ValueError:
        return "payload"
    names = sorted(k for k in set(before) | set(derived) if before.get(k) != derived.get(k))
    return ", ".join(names) or "encoding"


def organisation_signatures_verify(*, municipality, jobs: int = 1) -> VerifyReport:
    """Check every organisational signature of ``municipality``; return what was found.

    ``jobs`` > 1 checks the CMS signatures in that many worker processes.
    """
    started = time.perf_counter()
    report = VerifyReport(municipality=municipality.code)
    try:
        config = municipality_signatures(municipality.code)
        anchors = config.organisation_trust_anchors
        own_certificates = {certificate_sha256(c) for c in config.organisation_certificates}
    except SignaturesNotConfigured:
        anchors, own_certificates = (), set()
    rows = OrganisationSignature.objects.for_municipality(municipality).select_related("case").order_by("id")
    last = 0
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(ProcessPoolExecutor(max_workers=jobs)) if jobs > 1 else None
        while batch := list(rows.filter(id__gt=last)[: BATCH * max(1, jobs)]):
            last = batch[-1].pk
            _check_batch(municipality, batch, anchors, own_certificates, report, executor, jobs)
    _find_missing(municipality, report)
    report.seconds = time.perf_counter() - started
    return report


def _check_batch(
    municipality, batch, anchors, own_certificates: set[str], report: VerifyReport, executor, jobs: int
) -> None:
    documents = documents_for(municipality, batch)
    to_check: list[OrganisationSignature] = []
    for row in batch:
        report.checked += 1
        document = documents[row.pk]
        if document is None:
            report.invalid.append(_finding(row, "the signed record no longer exists"))
        elif canonical_json(document) != bytes(row.payload):
            changed = _changed_fields(bytes(row.payload), document)
            report.invalid.append(_finding(row, f"changed after signing: {changed}"))
        elif not row.is_signed:
            report.unsigned.append(_finding(row, "recorded without an organisational signature"))
        else:
            to_check.append(row)
    if not to_check:
        return
    if not anchors:
        for row in to_check:
            report.invalid.append(_finding(row, "no organisation trust anchors are configured"))
        return
    checks = cms_check_many(
        [(bytes(r.payload), bytes(r.cms)) for r in to_check], trust_anchors=anchors, executor=executor, jobs=jobs
    )
    for row, check in zip(to_check, checks, strict=True):
        reason = check.problem
        if reason is None:
            signer = check.signer_sha256
            if signer not in own_certificates:
                reason = "signed by a certificate that is not one of this municipality's organisation certificates"
            elif signer != row.signer_certificate_sha256:
                reason = "the stored signer certificate does not match the signature"
            elif check.signing_time != row.signed_at:
                reason = "the stored signing time does not match the signature"
        if reason is None:
            report.valid += 1
        else:
            report.invalid.append(_finding(row, reason))


def _finding(row: OrganisationSignature, reason: str) -> Finding:
    return Finding(row.object_type, row.object_id, row.case.receipt_number, reason)


def _find_missing(municipality, report: VerifyReport) -> None:
    signatures = OrganisationSignature.objects.for_municipality(municipality)

    def signed(kind: str):
        return Exists(signatures.filter(object_type=kind, object_id=OuterRef("pk")))

    approvals = Approval.objects.for_municipality(municipality).select_related("case")
    for approval in approvals.filter(~signed(SignedObject.APPROVAL)):
        report.missing.append(Finding("approval", approval.pk, approval.case.receipt_number, "no signature"))
    reviewed = approvals.filter(post_reviewed_at__isnull=False).filter(~signed(SignedObject.POST_REVIEW))
    for approval in reviewed:
        report.missing.append(Finding("post_review", approval.pk, approval.case.receipt_number, "no signature"))
    decided = (
        CaseEvent.objects.for_municipality(municipality)
        .filter(kind=CaseEvent.Kind.DECIDED)
        .filter(~signed(SignedObject.DECISION))
        .select_related("case")
    )
    for event in decided:
        report.missing.append(Finding("decision", event.pk, event.case.receipt_number, "no signature"))
