"""Issuing documents: render, sign, store, record — one path for every issuance.

:func:`document_issue` is the only way a document comes into being. A decision (承認/却下)
schedules it after its transaction commits (:func:`documents_schedule_on_decision`), as a
background task, so a document that cannot be made — no key configured, a character the font
cannot draw, a timestamp server that is down — never undoes the decision. Staff re-issue with
:func:`document_reissue` (a new version; the earlier one is marked superseded), and a resident
gets a 受理証明書 with :func:`document_receipt_request`.

A decision document carries a 文書番号 (``numbering``), which must be printed — so signed —
and yet taken in the transaction that writes the row, or a failed signing would leave a hole
in the year's numbers. So a decision document is rendered and signed inside the transaction,
with the case row and the prefix's counter locked; a 受理証明書 has no 文書番号 and is made
before it, so a resident's request never holds a lock while signing. The PDF is stored under
its SHA-256 (``documents/<code>/<sha[:2]>/<sha256>.pdf``) like attachments: a rolled-back
issuance leaves at most an unreferenced file, never a row pointing at a missing one.

Every document says that the seal (公印) is omitted because it is signed electronically, and
where to verify it; a rejection carries the 教示 of its procedure (``procedures.appeal``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.audit.services import audit_log
from madoguchi.cases.models import Case
from madoguchi.cases.selectors import case_decision
from madoguchi.core.errors import Conflict
from madoguchi.procedures.appeal import appeal_notice, head_of
from madoguchi.procedures.definition import iter_fields, translated
from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.documents.events import DocumentIssued, DocumentIssuing, document_issued, document_issuing
from madoguchi.signatures.documents.kinds import decision_kind, document_text
from madoguchi.signatures.documents.numbering import DocumentNumber, document_number_take
from madoguchi.signatures.documents.render import DocumentContent, UnprintableCharacters, render_pdf, wareki
from madoguchi.signatures.documents.selectors import case_document_get, document_file
from madoguchi.signatures.documents.signing import SignedPdf, sign_document
from madoguchi.signatures.documents.tasks import document_issue_task
from madoguchi.signatures.models import DocumentKind, IssuedDocument
from madoguchi.storage.services import store_verified
from madoguchi.tenants.access import ActionNotAllowed, StaffContext

__all__ = [
    "DocumentHeld",
    "DocumentNotAvailable",
    "SignaturesNotConfigured",
    "UnprintableCharacters",
    "document_issue",
    "document_issue_for_decision",
    "document_open_for_staff",
    "document_receipt_request",
    "document_reissue",
    "documents_schedule_on_decision",
    "issuable_kinds",
]

logger = logging.getLogger(__name__)
DECISION_LABELS = {DocumentKind.APPROVED: "承認", DocumentKind.REJECTED: "却下"}
# Documents that state a decision: numbered (文書番号). An adverse one also carries the 教示.
NUMBERED_KINDS = frozenset({DocumentKind.APPROVED, DocumentKind.REJECTED})
ADVERSE_KINDS = frozenset({DocumentKind.REJECTED})
SEAL_OMITTED = "この文書は電子署名を付しているため、公印を省略しています。"


class DocumentNotAvailable(Conflict):
    """The case has no decision this kind of document could state (e.g. a 却下通知書 for an approval)."""

    code = "document_not_available"
    message = _("This document cannot be issued for this application in its current state.")

    def __init__(self, document_kind: str = ""):
        super().__init__()
        self.document_kind = document_kind


class DocumentHeld(Conflict):
    """A subscriber of ``document_issuing`` holds the document back for now (e.g. an unpaid fee).

    The decision stands; whoever holds it issues the document when the reason is gone.
    """

    code = "document_held"
    message = _("This document is issued once the fee is paid.")

    def __init__(self, reason: str = ""):
        super().__init__()
        self.reason = reason


def issuable_kinds(*, case: Case) -> list[str]:
    """Return the kinds of document ``case`` can have now: its decision's, and always a 受理証明書."""
    decision = case_decision(case=case)
    kind = decision_kind(decision.data.get("to", "")) if decision else None
    return [k for k in (kind, DocumentKind.RECEIPT) if k]


def applicant_name(definition: dict, answers: dict) -> str:
    """The applicant's name as written (the first name field: family and given name)."""
    for _step, spec in iter_fields(definition):
        if spec["type"] == "name" and isinstance(answers.get(spec["id"]), dict):
            name = answers[spec["id"]]
            return " ".join(part for part in (name.get("family", ""), name.get("given", "")) if part)
    return ""


def document_content(*, case: Case, kind: str, now: datetime, document_number: str = "") -> DocumentContent:
    """Return what a ``kind`` document of ``case`` says. Raise DocumentNotAvailable."""
    definition = case.procedure_version.definition
    procedure = translated(definition["title"], "ja")
    submitted = wareki(timezone.localtime(case.submitted_at))
    decision = case_decision(case=case)
    if kind in NUMBERED_KINDS and (decision is None or decision_kind(decision.data.get("to", "")) != kind):
        raise DocumentNotAvailable(kind)
    decided = wareki(timezone.localtime(decision.created_at)) if decision else ""
    text = document_text(definition, kind, values={"procedure": procedure, "submitted": submitted, "decided": decided})
    municipality = case.municipality
    particulars = [("受付番号", case.receipt_number), ("手続", procedure), ("申請日", submitted)]
    if kind == DocumentKind.RECEIPT:
        received = timezone.localtime(case.submitted_at)
        particulars.append(("受理日時", f"{wareki(received)} {received:%H時%M分}"))
    elif kind in NUMBERED_KINDS:
        particulars += [("決定", DECISION_LABELS[kind]), ("決定日", decided)]
        if decision.message:
            particulars.append(("理由" if kind == DocumentKind.REJECTED else "備考", decision.message))
    # Other domains hold the document back or add their rows (payments: the fee).
    document_issuing.publish(DocumentIssuing(case=case, kind=kind, particulars=particulars, now=now))
    adverse = kind in ADVERSE_KINDS
    issuer = head_of(municipality, "ja")
    return DocumentContent(
        title=text.title,
        body=text.body,
        municipality=municipality.name,
        issuer=issuer,
        receipt_number=case.receipt_number,
        applicant=applicant_name(definition, case.answers),
        procedure=procedure,
        issued_on=timezone.localdate(now),
        particulars=particulars,
        document_number=document_number,
        appeal_heading="教示" if adverse else "",
        appeal=appeal_notice(definition=definition, municipality=municipality, language="ja") if adverse else [],
        footer=(
            f"{SEAL_OMITTED}\n"
            f"この文書は{issuer}が電子署名したPDFです。"
            f"改ざんされていないことは {settings.MADOGUCHI_PUBLIC_URL}/verify/ で確認できます。"
        ),
    )


def document_storage_name(code: str, sha256: str) -> str:
    return f"documents/{code}/{sha256[:2]}/{sha256}.pdf"


def document_issue(
    *, case: Case, kind: str, actor: str, now: datetime | None = None, unless_issued_since: datetime | None = None
) -> IssuedDocument:
    """Render, sign, store and record a ``kind`` document of ``case``; return the new row.

    Raise SignaturesNotConfigured (the municipality has no signing key), DocumentNotAvailable,
    UnprintableCharacters (naming each character the font cannot draw) or, with a timestamp
    server configured, pyhanko's TimestampRequestError. Each issuance is a new version of
    the case's document of that kind and an audit entry ``signatures.document.issued``.

    With ``unless_issued_since``, return the case's current ``kind`` document instead if one
    was issued at or after that moment — checked under the case's row lock, so a job run twice
    (a worker that died after issuing, a task retried) never issues a second version.
    """
    now = now or timezone.now()
    municipality = case.municipality
    signatures = municipality_signatures(municipality.code)

    def make(number: DocumentNumber | None) -> tuple[DocumentContent, SignedPdf, str]:
        content = document_content(case=case, kind=kind, now=now, document_number=str(number or ""))
        signed = sign_document(
            render_pdf(content, created=now), signatures=signatures, reason=content.title, location=municipality.name
        )
        name = store_verified(
            document_storage_name(municipality.code, signed.sha256),
            signed.content,
            sha256=signed.sha256,
            size=len(signed.content),
        )
        return content, signed, name

    numbered = kind in NUMBERED_KINDS
    if not numbered:
        content, signed, name = make(None)
    with transaction.atomic():
        # The case row lock numbers versions one at a time. Only the case's row: the department
        # is an outer join (a case may have none), which PostgreSQL cannot lock.
        locked = (
            Case.objects.for_municipality(municipality).select_related("department").select_for_update(of=("self",))
        )
        locked = locked.get(pk=case.pk)
        documents = IssuedDocument.objects.for_municipality(municipality).filter(case_id=case.pk, kind=kind)
        if unless_issued_since is not None:
            issued = documents.filter(superseded=False, issued_at__gte=unless_issued_since).first()
            if issued is not None:
                return issued
        number = None
        if numbered:
            # Taken, printed and signed under the counter's lock: a failure gives the number back.
            number = document_number_take(
                municipality=municipality, department=locked.department, on=timezone.localdate(now)
            )
            content, signed, name = make(number)
        version = (documents.aggregate(last=Max("version"))["last"] or 0) + 1
        documents.filter(superseded=False).update(superseded=True)
        document = IssuedDocument.objects.for_municipality(municipality).create(
            municipality=municipality,
            case_id=case.pk,
            kind=kind,
            version=version,
            title=content.title,
            sha256=signed.sha256,
            size=len(signed.content),
            storage_name=name,
            signer_certificate_sha256=signed.signer_certificate_sha256,
            timestamped=signed.timestamped,
            issued_at=now,
            issued_by=actor,
            document_number=str(number or ""),
            document_fiscal_year=number.fiscal_year if number else None,
        )
        audit_log(
            municipality=municipality,
            event="signatures.document.issued",
            actor=actor,
            object_type="case",
            object_id=case.receipt_number,
            payload={
                "kind": kind,
                "version": version,
                "document_number": document.document_number,
                "sha256": signed.sha256,
                "signer_certificate_sha256": signed.signer_certificate_sha256,
                "timestamped": signed.timestamped,
            },
        )
        document_issued.publish(DocumentIssued(case=case, document=document, actor=actor, now=now))
    return document


def document_reissue(*, staff: StaffContext, case: Case, kind: str, now: datetime | None = None) -> IssuedDocument:
    """Issue a new version of ``case``'s ``kind`` document on a staff member's request.

    Raise ActionNotAllowed for a case outside the staff member's reach or roles, and what
    :func:`document_issue` raises.
    """
    if case.municipality_id != staff.municipality.pk:
        raise ActionNotAllowed("issue_document")
    staff.require("issue_document", case.department_id)
    if kind not in issuable_kinds(case=case):
        raise DocumentNotAvailable(kind)
    return document_issue(case=case, kind=kind, actor=staff.actor_label, now=now)


def document_receipt_request(*, case: Case, now: datetime | None = None) -> IssuedDocument:
    """Return the case's current 受理証明書, issuing the first one if there is none yet.

    A resident asking again gets the same document rather than a new version each time.
    """
    current = (
        IssuedDocument.objects.for_municipality(case.municipality)
        .filter(case_id=case.pk, kind=DocumentKind.RECEIPT, superseded=False)
        .first()
    )
    if current is not None:
        return current
    return document_issue(case=case, kind=DocumentKind.RECEIPT, actor="resident", now=now)


def document_issue_for_decision(*, case: Case, kind: str, actor: str) -> IssuedDocument:
    """Issue the ``kind`` document of ``case``'s decision once: if one was issued since the
    decision (by an earlier run of the same job, or a staff re-issue), return it instead.

    Raise DocumentNotAvailable if the case's decision is not of ``kind`` (it changed), and
    what :func:`document_issue` raises.
    """
    decision = case_decision(case=case)
    if decision is None:
        raise DocumentNotAvailable(kind)
    return document_issue(case=case, kind=kind, actor=actor, unless_issued_since=decision.created_at)


def documents_schedule_on_decision(*, case: Case, status: str, actor: str) -> None:
    """Queue the decision document of ``case`` (decided to ``status``) once the decision commits.

    Call inside the decision's transaction: a rolled-back decision issues nothing, and an
    issuance that fails leaves the committed decision as it is.
    """
    kind = decision_kind(status)
    if kind is None:
        return
    case_id = case.pk
    transaction.on_commit(lambda: document_issue_task.enqueue(case_id, kind, actor))


def document_open_for_staff(*, staff: StaffContext, case: Case, document_id: int) -> tuple[IssuedDocument, File]:
    """Open one of ``case``'s documents for a staff member to download; audited like attachments.

    Raise ActionNotAllowed for a case outside the staff member's reach and Http404 for a
    document of another case.
    """
    if case.municipality_id != staff.municipality.pk:
        raise ActionNotAllowed("view")
    document = case_document_get(case=case, document_id=document_id)
    with transaction.atomic():
        audit_log(
            municipality=case.municipality,
            event="backoffice.document.downloaded",
            actor=staff.actor_label,
            object_type="case",
            object_id=case.receipt_number,
            payload={"document": document.pk, "kind": document.kind, "version": document.version},
        )
        # Opened inside the transaction: a missing file rolls the audit entry back.
        handle = document_file(document=document)
    return document, handle
