"""Records lifecycle (文書管理): how long a closed case is kept, and what happens then.

Each procedure has a retention class (保存期間: 30年, 10年, 5年, 3年, 1年, 1年未満) and a fate at
expiry (廃棄 dispose, or 移管 transfer to the archives). The period counts from the 起算日, 1 April
after the fiscal year in which the case closed; a 1年未満 record may go from the 起算日 itself.
Disposal removes the case, its answers, history and files, keeps one line per case in the
disposal list (廃棄目録, :class:`Disposal`) and records it in the audit chain. A transfer first
exports the case as JSON with its files to ``MADOGUCHI_TRANSFER_DIR``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from madoguchi.audit.services import audit_log
from madoguchi.cases.models import Attachment, Case, Disposal
from madoguchi.jp.wareki import fiscal_year
from madoguchi.storage.atomic import write_file_atomic
from madoguchi.storage.services import read_verified
from madoguchi.tenants.models import Municipality

RETENTION_YEARS = {"30y": 30, "10y": 10, "5y": 5, "3y": 3, "1y": 1, "lt1y": 0}


def retention_start(closed: date) -> date:
    """Return the 起算日: 1 April after the fiscal year in which the record closed."""
    return date(fiscal_year(closed) + 1, 4, 1)


def retention_expiry(*, closed: date, retention: str) -> date:
    start = retention_start(closed)
    return start.replace(year=start.year + RETENTION_YEARS[retention])


@dataclass(frozen=True)
class DisposalReport:
    disposed: list[str]
    transferred: list[str]


def records_expired(*, municipality: Municipality, today: date) -> list[Case]:
    """Return the closed cases of ``municipality`` whose retention has expired by ``today``."""
    closed = (
        Case.objects.for_municipality(municipality).filter(closed_at__isnull=False).select_related("procedure_version")
    )
    expired = []
    for case in closed.iterator(chunk_size=500):
        definition = case.procedure_version.definition
        closed_on = timezone.localdate(case.closed_at)
        if retention_expiry(closed=closed_on, retention=definition.get("retention", "5y")) <= today:
            expired.append(case)
    return expired


def _export(case: Case, directory: Path) -> None:
    target = directory / case.municipality.code / case.receipt_number
    record = {
        "receipt_number": case.receipt_number,
        "procedure": case.procedure_version.definition,
        "answers": case.answers,
        "status": case.status,
        "submitted_at": case.submitted_at,
        "closed_at": case.closed_at,
        "history": list(case.events.values("kind", "actor_label", "message", "public", "created_at")),
        "answer_versions": list(case.answer_versions.values("number", "answers", "created_at")),
    }
    # The originals are deleted once the export is done, so every file is checked against its
    # recorded digest on the way out (StoredFileMismatch stops the transfer) and is on the
    # archive's disk (fsync, atomic rename) before the case is removed.
    write_file_atomic(
        target / "case.json", json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    )
    for attachment in case.attachments.all():
        content = read_verified(attachment.storage_name, sha256=attachment.sha256, size=attachment.size)
        write_file_atomic(target / f"{attachment.sha256}-{attachment.name}", content, sha256=attachment.sha256)
    for document in case.documents.all():  # the signed PDFs issued for the case belong to its record
        content = read_verified(document.storage_name, sha256=document.sha256, size=document.size)
        write_file_atomic(target / f"document-{document.kind}-v{document.version}.pdf", content, sha256=document.sha256)


def records_dispose(
    *, municipality: Municipality, today: date, actor: str = "system:retention", dry_run: bool = False
) -> DisposalReport:
    """Dispose of (or transfer, then remove) every expired case of ``municipality``."""
    with scope(municipality=municipality):  # related rows (files, history) are read through the case
        return _dispose(municipality, today, actor, dry_run)


def _dispose(municipality: Municipality, today: date, actor: str, dry_run: bool) -> DisposalReport:
    disposed, transferred = [], []
    for case in records_expired(municipality=municipality, today=today):
        definition = case.procedure_version.definition
        fate = definition.get("retention_fate", "dispose")
        if dry_run:
            (transferred if fate == "transfer" else disposed).append(case.receipt_number)
            continue
        if fate == "transfer":
            _export(case, Path(settings.MADOGUCHI_TRANSFER_DIR))
        files = list(case.attachments.values_list("storage_name", flat=True))
        # Issued documents are never shared between cases (each names its receipt number).
        documents = list(case.documents.values_list("storage_name", flat=True))
        with transaction.atomic():
            Disposal.objects.for_municipality(municipality).create(
                municipality=municipality,
                receipt_number=case.receipt_number,
                procedure=definition["slug"],
                retention=definition.get("retention", "5y"),
                fate=fate,
                closed_at=case.closed_at,
                disposed_at=timezone.now(),
            )
            audit_log(
                municipality=municipality,
                event=f"records.case.{'transferred' if fate == 'transfer' else 'disposed'}",
                actor=actor,
                object_type="case",
                object_id=case.receipt_number,
                payload={"retention": definition.get("retention", "5y"), "files": len(files) + len(documents)},
            )
            case.delete()
            # Files are stored once per content: remove them only when no other case uses them.
            still_used = set(
                Attachment.objects.for_municipality(municipality)
                .filter(storage_name__in=files)
                .values_list("storage_name", flat=True)
            )
            removable = [name for name in set(files) if name not in still_used] + documents
            transaction.on_commit(lambda names=removable: [default_storage.delete(n) for n in names])
        (transferred if fate == "transfer" else disposed).append(case.receipt_number)
    return DisposalReport(disposed=disposed, transferred=transferred)
