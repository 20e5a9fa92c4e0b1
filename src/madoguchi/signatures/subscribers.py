"""How signatures reacts to cases and approvals. Registered in :class:`~madoguchi.signatures.apps.SignaturesConfig`.

* A submission: the resident's signature is verified before anything is stored (a refusal
  stores nothing) and kept with the case in the submit's transaction.
* A stamp, return, 後閲 or 決裁: signed with the municipality's key in the transaction that
  records it; a configured key that cannot be used refuses it (``SigningFailed``).
* A 決裁: its decision document (決定通知書 / 却下通知書) is issued after the commit.
"""

from __future__ import annotations

from madoguchi.approvals.errors import SigningFailed
from madoguchi.approvals.events import ApprovalRecorded
from madoguchi.cases.events import CaseStatusChanged, CaseSubmitted, SubmissionChecking
from madoguchi.signatures.documents.services import documents_schedule_on_decision
from madoguchi.signatures.organisation import (
    OrganisationSigningFailed,
    organisation_sign_approval,
    organisation_sign_decision,
    organisation_sign_post_review,
)
from madoguchi.signatures.services import resident_signature_check, resident_signature_store

EVIDENCE_KEY = "signature"


def resident_signature_verify(event: SubmissionChecking) -> None:
    evidence = resident_signature_check(
        municipality=event.municipality,
        procedure_version=event.procedure_version,
        clean=event.clean,
        submitted=event.extras.get("signature"),
        at=event.now,
    )
    if evidence is not None:
        event.evidence[EVIDENCE_KEY] = evidence
        event.audit[EVIDENCE_KEY] = {
            "content_sha256": evidence.content_sha256,
            "certificate_serial": f"{evidence.certificate.serial_number:x}",
            "revocation": evidence.revocation.get("status", ""),
        }


def resident_signature_keep(event: CaseSubmitted) -> None:
    evidence = event.checking.evidence.get(EVIDENCE_KEY)
    if evidence is not None:
        resident_signature_store(case=event.case, evidence=evidence, at=event.now)


def approval_sign(event: ApprovalRecorded) -> None:
    sign = organisation_sign_approval if event.kind == "approval" else organisation_sign_post_review
    try:
        sign(approval=event.approval)
    except OrganisationSigningFailed as exc:
        raise SigningFailed from exc


def decision_sign_and_issue(event: CaseStatusChanged) -> None:
    if event.action != "decide":
        return
    try:
        organisation_sign_decision(event=event.timeline)
    except OrganisationSigningFailed as exc:
        raise SigningFailed from exc
    documents_schedule_on_decision(case=event.case, status=event.status, actor=event.actor)
