"""Drafts: a resident's answers between form steps, before anything is submitted.

A draft lives in the resident's server-side session (so it works without JavaScript
and without an account) and its files in storage under ``drafts/``. A draft is never
acknowledged as received: only :func:`madoguchi.cases.services.case_submit` creates a
case. The draft's token doubles as the submit's idempotency key, so pressing "submit"
twice — or going back and submitting again — yields one case.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone

from madoguchi.procedures.files import PendingAttachment
from madoguchi.procedures.models import ProcedureVersion
from madoguchi.storage.services import store_verified

SESSION_PREFIX = "madoguchi.draft"
DRAFTS_DIR = "drafts"


@dataclass
class Draft:
    token: str
    version_id: int
    values: dict[str, Any] = field(default_factory=dict)
    # field id -> [{"name", "content_type", "size", "sha256", "storage_name"}]
    files: dict[str, list[dict]] = field(default_factory=dict)
    completed_steps: list[str] = field(default_factory=list)
    # The resident's own notation of some answers (procedures.notation), shown back as typed.
    entered: dict[str, Any] = field(default_factory=dict)

    def as_session(self) -> dict:
        return {
            "token": self.token,
            "version_id": self.version_id,
            "values": self.values,
            "files": self.files,
            "completed_steps": self.completed_steps,
            "entered": self.entered,
        }


def _key(municipality_code: str, slug: str) -> str:
    return f"{SESSION_PREFIX}:{municipality_code}:{slug}"


def draft_get(session, *, municipality_code: str, slug: str) -> Draft | None:
    data = session.get(_key(municipality_code, slug))
    return Draft(**data) if data else None


def draft_start(session, *, municipality_code: str, slug: str, version: ProcedureVersion) -> Draft:
    """Return the resident's draft for this procedure, starting one if needed.

    A draft made under an older definition version is discarded: its answers may no
    longer fit the form.
    """
    draft = draft_get(session, municipality_code=municipality_code, slug=slug)
    if draft is None or draft.version_id != version.pk:
        draft = Draft(token=secrets.token_urlsafe(24), version_id=version.pk)
        draft_save(session, municipality_code=municipality_code, slug=slug, draft=draft)
    return draft


def draft_save(session, *, municipality_code: str, slug: str, draft: Draft) -> None:
    session[_key(municipality_code, slug)] = draft.as_session()


def draft_discard(session, *, municipality_code: str, slug: str) -> None:
    session.pop(_key(municipality_code, slug), None)


def drafts_held(session) -> list[str]:
    """The session keys of every form draft this session holds."""
    # A session object has keys() but cannot be iterated.
    return [key for key in session.keys() if key.startswith(f"{SESSION_PREFIX}:")]  # noqa: SIM118


def drafts_forget(session) -> int:
    """Drop every draft of this session together with its uploaded files; return how many.

    Used when the browser that typed them is gone or has been left idle: nobody else at that
    computer may see them, and their files need not wait for the nightly purge.
    """
    keys = drafts_held(session)
    for key in keys:
        token = (session.pop(key, None) or {}).get("token")
        if not token:
            continue
        folder = f"{DRAFTS_DIR}/{token}"
        try:
            _dirs, names = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in names:
            default_storage.delete(f"{folder}/{name}")
    return len(keys)


def draft_store_step(
    draft: Draft,
    *,
    step_id: str,
    step_field_ids: list[str],
    values: dict[str, Any],
    attachments: list[PendingAttachment],
    entered: dict[str, Any] | None = None,
) -> None:
    """Replace the draft's answers for one step with freshly validated ones (and ``entered``,
    their notation as typed where it differs)."""
    for field_id in step_field_ids:
        draft.values.pop(field_id, None)
        draft.files.pop(field_id, None)
        draft.entered.pop(field_id, None)
    draft.entered.update({k: v for k, v in (entered or {}).items() if k in step_field_ids})
    for attachment in attachments:
        name = store_verified(
            f"{DRAFTS_DIR}/{draft.token}/{attachment.sha256}",
            attachment.content,
            sha256=attachment.sha256,
            size=attachment.size,
        )
        stored = draft.files.setdefault(attachment.field_id, [])
        if all(item["sha256"] != attachment.sha256 for item in stored):
            stored.append({**attachment.describe(), "storage_name": name})
    draft.values.update({k: v for k, v in values.items() if k in step_field_ids})
    if step_id not in draft.completed_steps:
        draft.completed_steps.append(step_id)


def draft_pending_files(draft: Draft, field_id: str | None = None) -> dict[str, list[PendingAttachment]]:
    """Return the draft's stored files as uploads that validation can check again."""
    result: dict[str, list[PendingAttachment]] = {}
    for fid, items in draft.files.items():
        if field_id is not None and fid != field_id:
            continue
        pending = []
        for item in items:
            with default_storage.open(item["storage_name"], "rb") as handle:
                content = handle.read()
            pending.append(
                PendingAttachment(
                    field_id=fid,
                    name=item["name"],
                    content_type=item["content_type"],
                    size=item["size"],
                    sha256=item["sha256"],
                    content=content,
                )
            )
        result[fid] = pending
    return result


def drafts_purge(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete draft files not touched for ``older_than``; return how many were deleted.

    Drafts are personal data that nobody was told had been received; they live only as long
    as the session that holds them could (``SESSION_COOKIE_AGE``).
    """
    now = now or timezone.now()
    deleted = 0
    try:
        tokens, _files = default_storage.listdir(DRAFTS_DIR)
    except FileNotFoundError:
        return 0
    for token in tokens:
        _dirs, names = default_storage.listdir(f"{DRAFTS_DIR}/{token}")
        for name in names:
            path = f"{DRAFTS_DIR}/{token}/{name}"
            if now - default_storage.get_modified_time(path) > older_than:
                default_storage.delete(path)
                deleted += 1
    return deleted
