"""The document font: Noto Sans CJK JP, parsed once per process, cut down to each document's text.

The font is Noto Sans CJK JP 2.x from Debian's ``fonts-noto-cjk`` (SIL Open Font License 1.1;
licenses/NotoSansCJK-OFL-1.1.txt), read from the system: ``MADOGUCHI_PDF_FONT`` names the file
(default Debian's NotoSansCJK-Regular.ttc) and ``MADOGUCHI_PDF_FONT_FACE`` the face of a
collection (default "Noto Sans CJK JP": the same file holds the Korean and Chinese designs,
whose forms of shared kanji differ). A missing file or face raises :class:`DocumentFontMissing`,
which names the Debian package, instead of a bare file error in the documents job.

Handing fpdf2 the whole font costs seconds per document (its subsetter walks 65,000 glyphs).
Instead the font is opened once per process and, for each document, the glyphs of exactly the
characters it uses are drawn into a small TrueType font (a few dozen kilobytes) that fpdf2
embeds quickly: about 0.1 s per document. That font is a Modified Version under the OFL: it
carries another family name (the OFL reserves "Source") and the original copyright and licence
in its name table.

The font's character map is also the judge of what a document can show: a character it has
no glyph for would otherwise print as an empty box, or vanish, in an official document.
:func:`missing_characters` finds them so issuance is refused instead.
"""

from __future__ import annotations

import io
import logging
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont

from madoguchi.core.errors import Unavailable

# fpdf2 subsets the embedded font with fontTools, which logs every step at INFO level.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FAMILY = "MadoguchiDocument"
# Characters that are layout, not glyphs: fpdf2 handles line breaks itself.
LAYOUT_CHARACTERS = frozenset("\n\r\t")
# Cubic-to-quadratic conversion tolerance in font units (1/1000 em): invisible at any print size.
CURVE_TOLERANCE = 1.0
DEBIAN_PACKAGE = "fonts-noto-cjk"
COLLECTION_SUFFIXES = (".ttc", ".otc")
# Name table records carried over into each document's font (OFL condition 2).
COPYRIGHT, LICENSE_DESCRIPTION, LICENSE_URL = 0, 13, 14


class DocumentFontMissing(Unavailable):
    """The configured document font (file or face) is not on this server: nothing is issued."""

    code = "document_font_missing"
    message = _("Documents cannot be made at the moment: the document font is not installed. Please try again later.")

    def __init__(self, detail: str):
        super().__init__()
        # For the operator (job log, `check`); the resident sees only the message above.
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


def _face_number(path: Path, face: str) -> int:
    """The index of ``face`` in a font collection; -1 for a single font file."""
    if path.suffix.lower() not in COLLECTION_SUFFIXES:
        return -1
    collection = TTCollection(str(path), lazy=True)
    try:
        names = [font["name"].getDebugName(4) for font in collection.fonts]
    finally:
        collection.close()
    if face not in names:
        raise DocumentFontMissing(f"{path} has no face named {face!r} (it has: {', '.join(map(str, names))})")
    return names.index(face)


def document_font_problem() -> str:
    """Why the configured document font cannot be used, or "" when it can (for checks)."""
    try:
        _open(document_font_path(), settings.MADOGUCHI_PDF_FONT_FACE).close()
    except DocumentFontMissing as exc:
        return exc.detail
    return ""


def _open(path: Path, face: str) -> TTFont:
    if not path.is_file():
        raise DocumentFontMissing(
            f"The document font {path} does not exist: install Debian's {DEBIAN_PACKAGE} "
            f"(apt-get install {DEBIAN_PACKAGE}) or set MADOGUCHI_PDF_FONT to Noto Sans CJK JP."
        )
    return TTFont(str(path), fontNumber=_face_number(path, face), lazy=True, recalcTimestamp=False)


class _Master:
    """The full font, opened lazily; fontTools reads tables on demand from one file handle."""

    def __init__(self, path: Path, face: str):
        self.font = _open(path, face)
        self.cmap: dict[int, str] = self.font.getBestCmap()
        self.glyphs = self.font.getGlyphSet()
        self.metrics = self.font["hmtx"].metrics
        self.units_per_em: int = self.font["head"].unitsPerEm
        hhea, os2 = self.font["hhea"], self.font["OS/2"]
        self.vertical = {
            "ascent": hhea.ascent,
            "descent": hhea.descent,
            "typo_ascender": os2.sTypoAscender,
            "typo_descender": os2.sTypoDescender,
            "win_ascent": os2.usWinAscent,
            "win_descent": os2.usWinDescent,
        }
        name = self.font["name"]
        self.notices = {
            key: name.getDebugName(number)
            for key, number in (
                ("copyright", COPYRIGHT),
                ("licenseDescription", LICENSE_DESCRIPTION),
                ("licenseInfoURL", LICENSE_URL),
            )
            if name.getDebugName(number)
        }
        self.version = name.getDebugName(5) or ""
        # Drawing glyphs reads from the shared file handle: one thread at a time.
        self.lock = threading.Lock()


@lru_cache(maxsize=2)
def _master(path: str, face: str) -> _Master:
    return _Master(Path(path), face)


def document_font_path() -> Path:
    return Path(settings.MADOGUCHI_PDF_FONT)


def master() -> _Master:
    """The parsed document font of this process (parsed on first use)."""
    return _master(str(document_font_path()), settings.MADOGUCHI_PDF_FONT_FACE)


def missing_characters(text: str) -> list[str]:
    """Return the characters of ``text`` the document font cannot draw, in order of first use."""
    cmap = master().cmap
    missing: list[str] = []
    for char in text:
        if char not in LAYOUT_CHARACTERS and ord(char) not in cmap and char not in missing:
            missing.append(char)
    return missing


def font_for(text: str) -> bytes:
    """Return a TrueType font with the glyphs of every character in ``text`` (and a space).

    Raise KeyError for a character the font lacks: check with :func:`missing_characters` first.
    """
    font = master()
    characters = sorted(set(text) - LAYOUT_CHARACTERS | {" "})
    order = [".notdef"]
    outlines = {".notdef": TTGlyphPen(None).glyph()}
    advances = {".notdef": font.units_per_em}
    mapping: dict[int, str] = {}
    with font.lock:
        for char in characters:
            source = font.cmap[ord(char)]
            name = f"u{ord(char):04X}"
            pen = TTGlyphPen(None)
            font.glyphs[source].draw(Cu2QuPen(pen, CURVE_TOLERANCE, reverse_direction=True))
            outlines[name] = pen.glyph()
            advances[name] = font.metrics[source][0]
            order.append(name)
            mapping[ord(char)] = name
    builder = FontBuilder(font.units_per_em, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(outlines)
    glyf = builder.font["glyf"]
    builder.setupHorizontalMetrics({name: (advances[name], getattr(glyf[name], "xMin", 0)) for name in order})
    vertical = font.vertical
    builder.setupHorizontalHeader(ascent=vertical["ascent"], descent=vertical["descent"])
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular", **font.notices})
    builder.setupOS2(
        sTypoAscender=vertical["typo_ascender"],
        sTypoDescender=vertical["typo_descender"],
        usWinAscent=vertical["win_ascent"],
        usWinDescent=vertical["win_descent"],
    )
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    return buffer.getvalue()
