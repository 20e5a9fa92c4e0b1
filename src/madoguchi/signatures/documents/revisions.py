"""What was added to a signed PDF after the signature, and whether it may be.

A PDF is changed by appending: an incremental update writes the new and replaced objects and
a new cross-reference section after the end of the signed bytes, so the signature still checks
out over what it covered while a reader shows the new version — a changed title, an added page,
a stamp over the text. Only two additions are part of keeping a signature verifiable for years
(PAdES long-term validation) and may follow it without changing what was signed: validation
data (the document security store, DSS: certificates, CRLs, OCSP responses) and a document
timestamp (/DocTimeStamp). Everything else — any other incremental update, and bytes appended
without one — means the document is not the one that was signed.

:func:`additions_after_signature` lists what each later revision adds, by kind
(:data:`PERMITTED` or not); the verifier reports the document as modified unless every kind is
permitted. pyHanko's own difference analysis is laxer (its default policy lets the document
information and XMP metadata change at the level of validation data, and that is what the
verifier used to accept), but it looks at every object: whatever it rejects that no kind here
names is reported as ``OTHER``.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel

APPENDED = "appended"  # bytes after the end of the document that no revision accounts for
DSS = "dss"
TIMESTAMP = "timestamp"
METADATA = "metadata"  # the document information dictionary or the XMP metadata
PAGES = "pages"
CONTENT = "content"  # page content, resources, fonts: anything drawn
ANNOTATION = "annotation"
FORM = "form"
SIGNATURE = "signature"  # a further (non-timestamp) signature
STRUCTURE = "structure"  # the document catalog beyond the kinds above
OTHER = "other"
PERMITTED = frozenset({DSS, TIMESTAMP})
# The modification date and producer in the document information: every PDF tool restamps them
# when it writes a revision, so they go with validation data or a timestamp unremarked; in a
# revision that adds nothing else, they are a metadata change like any other.
RESTAMPED = "restamped"
RESTAMPED_INFO_KEYS = frozenset({"/ModDate", "/Producer"})
# The order additions are reported in: what changes the reading first.
ORDER = (CONTENT, PAGES, ANNOTATION, FORM, SIGNATURE, METADATA, STRUCTURE, OTHER, APPENDED, DSS, TIMESTAMP)
PERMITTED_LEVELS = frozenset({ModificationLevel.NONE, ModificationLevel.LTA_UPDATES})

# What each kind is called on the verification page and in the API.
LABELS = {
    CONTENT: gettext_lazy("Changed page content (text, images or fonts)"),
    PAGES: gettext_lazy("Pages added or removed"),
    ANNOTATION: gettext_lazy("Annotations (comments, stamps, drawings or links)"),
    FORM: gettext_lazy("Form fields"),
    SIGNATURE: gettext_lazy("Another signature"),
    METADATA: gettext_lazy("Document information or metadata (title, author, dates)"),
    STRUCTURE: gettext_lazy("Changes to the document’s structure"),
    OTHER: gettext_lazy("Other changes to the document"),
    APPENDED: gettext_lazy("Data appended after the end of the signed document"),
    DSS: gettext_lazy("Validation data for long-term verification (certificates, revocation lists)"),
    TIMESTAMP: gettext_lazy("A document timestamp"),
}

NEUTRAL_TYPES = frozenset({"/XRef", "/ObjStm"})
# Catalog entries that come with validation data or a timestamp (ISO 32000-2 extensions, and
# the version a DSS needs).
NEUTRAL_CATALOG_KEYS = frozenset({"/Extensions", "/Version"})


def _raw(value):
    """A comparable form of a dictionary entry: the reference itself, not what it points to."""
    if isinstance(value, generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    if value is None:
        return None
    stream = io.BytesIO()
    value.write_to_stream(stream)  # as written in the file: a direct value with no identity of its own
    return ("value", stream.getvalue())


def _deref(value):
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def _signature_kind(value) -> str:
    signature = _deref(value)
    if isinstance(signature, generic.DictionaryObject) and signature.get("/Type") == "/DocTimeStamp":
        return TIMESTAMP
    return SIGNATURE


def _annotation_kind(annotation) -> str:
    annotation = _deref(annotation)
    if not isinstance(annotation, generic.DictionaryObject):
        return OTHER
    if annotation.get("/Subtype") == "/Widget" and annotation.get("/FT") == "/Sig":
        return _signature_kind(annotation["/V"]) if "/V" in annotation else FORM
    if annotation.get("/Subtype") == "/Widget":
        return FORM
    return ANNOTATION


def _field_kinds(fields_before, fields_now) -> set[str]:
    known = {_raw(field) for field in (fields_before or [])}
    kinds = set()
    for field in fields_now or []:
        if _raw(field) in known:
            continue
        value = _deref(field)
        if isinstance(value, generic.DictionaryObject) and value.get("/FT") == "/Sig":
            kinds.add(_signature_kind(value["/V"]) if "/V" in value else FORM)
        else:
            kinds.add(FORM)
    return kinds


def _catalog_kinds(before: generic.DictionaryObject, now: generic.DictionaryObject, changed: set) -> set[str]:
    kinds = set()
    for key in set(before) | set(now):
        old, new = before.raw_get(key) if key in before else None, now.raw_get(key) if key in now else None
        rewritten = isinstance(new, generic.IndirectObject) and new.reference in changed
        if old is not None and new is not None and _raw(old) == _raw(new) and not rewritten:
            continue
        if key in NEUTRAL_CATALOG_KEYS:
            continue
        if key == "/DSS":
            kinds.add(DSS)
        elif key == "/Metadata":
            kinds.add(METADATA)
        elif key == "/AcroForm":
            old_form, new_form = _deref(old) if old is not None else {}, _deref(new) if new is not None else {}
            kinds |= _field_kinds(old_form.get("/Fields"), new_form.get("/Fields")) if new_form else {FORM}
        elif key == "/Pages":
            continue  # the page tree is looked at object by object
        else:
            kinds.add(STRUCTURE)
    return kinds


def _page_kinds(before, now: generic.DictionaryObject) -> set[str]:
    if before is None:
        return {PAGES}
    kinds = set()
    for key in set(before) | set(now):
        old, new = before.raw_get(key) if key in before else None, now.raw_get(key) if key in now else None
        if old is not None and new is not None and _raw(old) == _raw(new):
            continue
        if key == "/Annots":
            known = {_raw(a) for a in (_deref(old) or [])} if old is not None else set()
            kinds |= {_annotation_kind(a) for a in (_deref(new) or []) if _raw(a) not in known}
        else:
            kinds.add(CONTENT)
    return kinds


def _object_kinds(reader: PdfFileReader, revision: int, ref: generic.Reference, changed: set) -> set[str]:
    now = reader.get_historical_resolver(revision)
    before = reader.get_historical_resolver(revision - 1)
    existed = reader.xrefs.get_introducing_revision(ref) < revision
    value = now.get_object(ref)
    kind = value.get("/Type") if isinstance(value, generic.StreamObject | generic.DictionaryObject) else None
    if kind in NEUTRAL_TYPES:
        return set()
    if kind == "/Catalog":
        return _catalog_kinds(before.get_object(ref) if existed else generic.DictionaryObject(), value, changed)
    if kind == "/Page":
        return _page_kinds(before.get_object(ref) if existed else None, value)
    if kind == "/Pages":
        old_count = before.get_object(ref).get("/Count") if existed else None
        return {PAGES} if old_count != value.get("/Count") else set()
    if kind == "/Metadata":
        return {METADATA}
    if kind == "/DocTimeStamp":
        return {TIMESTAMP}
    if kind == "/Sig":
        return {SIGNATURE}
    if kind == "/DSS":
        return {DSS}
    if kind == "/Annot":
        return {_annotation_kind(value)}
    if existed:
        # An existing object rewritten: what the catalog and pages refer to (the document
        # information, a content stream, a font) changed in place.
        info = before.trailer_view.raw_get("/Info") if "/Info" in before.trailer_view else None
        if isinstance(info, generic.IndirectObject) and info.reference == ref:
            return {_info_kind(before.get_object(ref), value)}
        catalog = now.trailer_view["/Root"]
        form = catalog.raw_get("/AcroForm") if "/AcroForm" in catalog else None
        if isinstance(form, generic.IndirectObject) and form.reference == ref:
            return _field_kinds(before.get_object(ref).get("/Fields"), value.get("/Fields"))
        if isinstance(value, generic.ArrayObject):
            # An indirect array rewritten with more entries: a page's /Annots, most often.
            known = {_raw(item) for item in before.get_object(ref)}
            return {_annotation_kind(item) for item in value if _raw(item) not in known} or {CONTENT}
        return {CONTENT}
    return set()  # a new object is judged by what links it in (a DSS stream, an annotation)


def _info_kind(before, now) -> str:
    keys = {key for key in set(before) | set(now) if _raw(before.raw_get(key) if key in before else None)
            != _raw(now.raw_get(key) if key in now else None)}  # fmt: skip
    return RESTAMPED if keys <= RESTAMPED_INFO_KEYS else METADATA


def _revision_kinds(reader: PdfFileReader, revision: int) -> set[str]:
    changed = set(reader.xrefs.explicit_refs_in_revision(revision))
    kinds: set[str] = set()
    now = reader.get_historical_resolver(revision).trailer_view
    before = reader.get_historical_resolver(revision - 1).trailer_view
    if "/Info" in now and ("/Info" not in before or _raw(now.raw_get("/Info")) != _raw(before.raw_get("/Info"))):
        kinds.add(METADATA)  # another information dictionary altogether
    for ref in changed:
        kinds |= _object_kinds(reader, revision, ref, changed)
    if RESTAMPED in kinds:
        kinds.discard(RESTAMPED)
        if not kinds & PERMITTED:
            kinds.add(METADATA)
    return kinds


def trailing_bytes(data: bytes) -> bool:
    """Whether anything but whitespace follows the last end-of-file marker."""
    end = data.rfind(b"%%EOF")
    return end < 0 or bool(data[end + len(b"%%EOF") :].strip())


def additions_after_signature(
    *, reader: PdfFileReader, signed_revision: int, signed_end: int, data: bytes
) -> list[str]:
    """Return the kinds of what follows the signed revision of ``data``, in :data:`ORDER` (empty: nothing).

    ``signed_end`` is where the bytes the signature covers end.
    """
    kinds: set[str] = set()
    later = range(signed_revision + 1, reader.xrefs.total_revisions)
    for revision in later:
        kinds |= _revision_kinds(reader, revision) or {OTHER}
    if data[signed_end:].strip() and (not later or trailing_bytes(data)):
        kinds.add(APPENDED)
    return [kind for kind in ORDER if kind in kinds]
