"""Staff reading a case: every opening of an application or one of its files is audited.

Reading an application is reading personal data (住民の個人情報), so the case page and each
attachment viewed or downloaded leave an entry in the municipality's audit chain — the
attachment's digest, never its name, which may carry the applicant's name. A case or file
outside the staff member's reach is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from madoguchi.cases.models import Attachment, Case
from madoguchi.cases.selectors import case_visible_beyond_roles
from madoguchi.core.errors import NotFound
from madoguchi.tenants.access import ActionNotAllowed, StaffContext

# Attachments a browser may show itself; anything else is always downloaded.
INLINE_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def case_view(*, staff: StaffContext, case: Case) -> None:
    """Record that ``staff`` opened the case page: reading an application is reading personal data.

    Raise ActionNotAllowed (shown as "not found") for a case outside the staff member's reach.
    """
    if case.municipality_id != staff.municipality.pk:
        raise ActionNotAllowed("view")
    if not staff.can("view", case.department_id) and not case_visible_beyond_roles(staff=staff, case=case):
        raise ActionNotAllowed("view")
    with transaction.atomic():
        case.log_action("backoffice.case.viewed", actor=staff.actor_label)


@dataclass(frozen=True)
class OpenedAttachment:
    attachment: Attachment
    file: File
    as_attachment: bool


def attachment_open(*, staff: StaffContext, case: Case, attachment_id: int, disposition: str) -> OpenedAttachment:
    """Open an attachment of ``case`` for ``staff`` to view (``"inline"``) or download (``"attachment"``).

    Every opening is audited (``backoffice.attachment.viewed`` / ``.downloaded``) with the file's
    digest, never its name, which may carry the applicant's name. Only PDFs and common images are
    ever shown inline. Raise NotFound for an attachment of another case and for a case outside
    the staff member's reach.
    """
    if disposition not in {"inline", "attachment"}:
        raise ValueError(f"Unknown disposition {disposition!r}")
    if case.municipality_id != staff.municipality.pk or not (
        staff.can("view", case.department_id) or case_visible_beyond_roles(staff=staff, case=case)
    ):
        raise NotFound
    attachment = (
        Attachment.objects.for_municipality(staff.municipality).filter(case_id=case.pk, pk=attachment_id).first()
    )
    if attachment is None:
        raise NotFound
    inline = disposition == "inline" and attachment.content_type in INLINE_CONTENT_TYPES
    event = "backoffice.attachment.viewed" if inline else "backoffice.attachment.downloaded"
    with transaction.atomic():
        case.log_action(event, actor=staff.actor_label, payload={"attachment": attachment.pk, "sha256": attachment.sha256})
        # Opened inside the transaction: a missing file rolls the audit entry back.
        handle = default_storage.open(attachment.storage_name, "rb")
    return OpenedAttachment(attachment=attachment, file=handle, as_attachment=not inline)
