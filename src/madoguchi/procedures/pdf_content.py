"""Uploaded PDFs carry documents, not programs: active content is refused at upload.

Staff open residents' PDFs in their browser, inside the office network. A PDF can carry more
than pages: JavaScript, actions that launch programs or open other files, actions that run
by themselves when the file opens, embedded files, XFA forms and multimedia. None of that
belongs in a 委任状 or a scanned certificate, and each has been a way into a viewer. So an
upload is opened with pikepdf (qpdf) and every object is inspected; a PDF with any of these
is refused with a field error the resident can act on ("print it to a new PDF"), before
anything is stored — the portal and the API give the same answer because both validate
through the file field type. docs/catalog.md explains the policy and why it is not "accept
and sanitise".

A PDF that needs a password to open, or that cannot be parsed at all, is refused too: staff
could not read it, and we could not look inside it. Owner-password restrictions (no
printing, no editing) do not stop reading and are accepted.
"""

from __future__ import annotations

import io
import logging

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

logger = logging.getLogger(__name__)

# Action types (/S) that run code, reach outside the document or play media.
DANGEROUS_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/GoToR": "external_action",
    "/GoToE": "embedded_file",
    "/ImportData": "external_action",
    "/SubmitForm": "external_action",
    "/RichMediaExecute": "rich_media",
    "/Rendition": "rich_media",
    "/Movie": "rich_media",
    "/Sound": "rich_media",
    "/GoTo3DView": "rich_media",
}
# What may happen by itself on opening a page or the file: moving within the document.
SAFE_AUTOMATIC_ACTIONS = {"/GoTo"}
RICH_MEDIA_SUBTYPES = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


class PdfUnreadable(Exception):
    """The bytes are not a PDF that can be parsed."""


class PdfEncrypted(Exception):
    """The PDF needs a password to be opened."""


def pdf_active_content(content: bytes) -> set[str]:
    """Return the kinds of active content in the PDF ``content`` (empty when there is none).

    Kinds: ``javascript``, ``launch``, ``external_action``, ``automatic_action``,
    ``embedded_file``, ``xfa``, ``rich_media``. Raise PdfEncrypted or PdfUnreadable.
    """
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            found: set[str] = set()
            seen: set[tuple[int, int]] = set()
            # Every object in the file, referenced or not, plus the trailer: what a lenient
            # viewer might find is a superset of what the document tree reaches.
            stack: list = [pdf.trailer, *pdf.objects]
            while stack:
                obj = stack.pop()
                if isinstance(obj, Dictionary | Stream | Array) and obj.is_indirect:
                    if obj.objgen in seen:
                        continue
                    seen.add(obj.objgen)
                if isinstance(obj, Dictionary | Stream):
                    found |= _inspect(obj)
                    stack.extend(obj.values())
                elif isinstance(obj, Array):
                    stack.extend(obj)
    except pikepdf.PasswordError as exc:
        raise PdfEncrypted() from exc
    except (pikepdf.PdfError, RecursionError, ValueError) as exc:
        raise PdfUnreadable(str(exc)[:200]) from exc
    if found:
        logger.info("refused a PDF with active content: %s", ", ".join(sorted(found)))
    return found


def _name(value) -> str:
    return str(value) if isinstance(value, Name) else ""


def _action_kind(action) -> str | None:
    """Return the kind of a dangerous action dictionary, or None."""
    if not isinstance(action, Dictionary):
        return None
    return DANGEROUS_ACTIONS.get(_name(action.get("/S")))


def _runs_by_itself(action) -> bool:
    """Whether an /OpenAction or /AA entry does more than move within the document."""
    return isinstance(action, Dictionary) and _name(action.get("/S")) not in SAFE_AUTOMATIC_ACTIONS


def _inspect(d) -> set[str]:
    found = set()
    keys = set(d.keys())
    if keys & {"/JS", "/JavaScript"}:
        found.add("javascript")
    kind = _action_kind(d)
    if kind:
        found.add(kind)
    if "/OpenAction" in keys and _runs_by_itself(d.get("/OpenAction")):
        found.add("automatic_action")
    if "/AA" in keys:
        triggers = d.get("/AA")
        if isinstance(triggers, Dictionary) and any(_runs_by_itself(a) for a in triggers.values()):
            found.add("automatic_action")
    subtype = _name(d.get("/Subtype"))
    if (
        "/EmbeddedFiles" in keys
        or subtype == "/FileAttachment"
        or (_name(d.get("/Type")) == "/Filespec" and "/EF" in keys)
    ):
        found.add("embedded_file")
    if "/XFA" in keys:
        found.add("xfa")
    if subtype in RICH_MEDIA_SUBTYPES or "/RichMediaContent" in keys:
        found.add("rich_media")
    return found
