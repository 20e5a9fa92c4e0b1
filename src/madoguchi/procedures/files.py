"""Attachments as a form answer: size, count, real type and a safe name.

The type a browser or client declares is not trusted: the first bytes of the file decide
(``filetype`` knows the magic numbers). A file whose content, declared type and name
disagree is refused, because a mislabelled upload is either a mistake the resident should
fix now or an attack; neither should reach a clerk's screen. For the same reason a PDF with
active content (scripts, embedded files, …), a password or no parseable structure is refused
(:mod:`madoguchi.procedures.pdf_content`).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.utils.text import get_valid_filename

from madoguchi.procedures.errors import FieldInvalid
from madoguchi.procedures.fields import FieldType, list_separator, register
from madoguchi.procedures.pdf_content import PdfEncrypted, PdfUnreadable, pdf_active_content

KINDS = {
    "pdf": ("application/pdf", {"pdf"}),
    "jpeg": ("image/jpeg", {"jpg", "jpeg"}),
    "png": ("image/png", {"png"}),
    "heic": ("image/heic", {"heic", "heif"}),
    "tiff": ("image/tiff", {"tif", "tiff"}),
}
MIME_TO_KIND = {mime: kind for kind, (mime, _exts) in KINDS.items()}
MAX_NAME_LENGTH = 120
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


@dataclass(frozen=True)
class PendingAttachment:
    """A checked file, ready to be stored with a case."""

    field_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    content: bytes

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "sha256": self.sha256}


def sanitize_filename(raw: str, *, extension: str) -> str:
    """Return a file name safe to store and show: no path, no control characters, short."""
    base = os.path.basename((raw or "").replace("\\", "/"))
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    try:
        stem = get_valid_filename(stem.strip(" .")).lstrip(".")
    except Exception:  # get_valid_filename raises SuspiciousFileOperation on "" / "." / ".."
        stem = ""
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1] or "attachment"
    return f"{stem}.{extension}"


def _read(upload: Any) -> tuple[str, str, bytes]:
    """Return (name, declared content type, bytes) of an uploaded or stored file."""
    if isinstance(upload, PendingAttachment):
        return upload.name, upload.content_type, upload.content
    name = getattr(upload, "name", "") or ""
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return name, declared, upload.read()


def check_pdf(content: bytes) -> None:
    """Raise FieldInvalid for a PDF staff should not open: active content, a password, unparseable."""
    try:
        active = pdf_active_content(content)
    except PdfEncrypted as exc:
        raise FieldInvalid("file_encrypted") from exc
    except PdfUnreadable as exc:
        raise FieldInvalid("file_unreadable") from exc
    if active:
        raise FieldInvalid("file_active_content")


def check_upload(spec: dict, upload: Any) -> PendingAttachment:
    """Return ``upload`` as a PendingAttachment, or raise FieldInvalid."""
    limit_mb = min(spec.get("max_size_mb", 10), settings.MADOGUCHI_MAX_UPLOAD_BYTES / 1024 / 1024)
    size = getattr(upload, "size", None)
    if size is not None and size > limit_mb * 1024 * 1024:
        raise FieldInvalid("file_too_large", limit=f"{limit_mb:g}")
    name, declared, content = _read(upload)
    if not content:
        raise FieldInvalid("file_empty")
    if len(content) > limit_mb * 1024 * 1024:
        raise FieldInvalid("file_too_large", limit=f"{limit_mb:g}")
    accepted = spec["accept"]
    guess = filetype.guess(content)
    kind = MIME_TO_KIND.get(guess.mime) if guess else None
    if kind is None or kind not in accepted:
        raise FieldInvalid("file_type_not_allowed", limit=", ".join(k.upper() for k in accepted))
    mime, extensions = KINDS[kind]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if (declared not in GENERIC_TYPES and declared != mime) or (extension and extension not in extensions):
        raise FieldInvalid("file_type_mismatch")
    if kind == "pdf":
        check_pdf(content)
    preferred_ext = extension or sorted(extensions)[0]
    return PendingAttachment(
        field_id=spec["id"],
        name=sanitize_filename(name, extension=preferred_ext),
        content_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )


@register
class FileField(FieldType):
    """One or more attachments. The answer stored with the case lists their digests."""

    name = "file"

    def clean(self, spec, raw, ctx):
        uploads = raw if isinstance(raw, list | tuple) else [raw]
        if not all(isinstance(item, PendingAttachment) or hasattr(item, "read") for item in uploads):
            raise FieldInvalid("wrong_type")
        limit = spec.get("max_files", 1)
        if len(uploads) > limit:
            raise FieldInvalid("too_many_files", limit=limit)
        return [check_upload(spec, upload) for upload in uploads]

    def json_schema(self, spec):
        return {
            "type": "array",
            "maxItems": spec.get("max_files", 1),
            "description": "Send files as multipart/form-data parts named after this field; "
            f"accepted types: {', '.join(spec['accept'])}.",
            "items": {"type": "string", "format": "binary"},
        }

    def example(self, spec):
        return None

    def display(self, spec, value, language):
        return list_separator(language).join(f"{item['name']} ({item['size']:,} B)" for item in value)
