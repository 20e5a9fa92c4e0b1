"""The document font: Noto Sans CJK JP, parsed once per process, cut down to each document's text.

Handing fpdf2 the whole font costs about 2.5 s per document (1 s to parse the 14 MB WOFF, 1.5 s
for fpdf2's subsetter to walk its 65,000 glyphs). Instead the font is opened once per process
and, for each document, the glyphs of exactly the characters it uses are drawn into a small
TrueType font (a few dozen kilobytes) that fpdf2 embeds quickly: about 0.1 s per document.

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
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

# fpdf2 subsets the embedded font with fontTools, which logs every step at INFO level.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FAMILY = "MadoguchiDocument"
# Characters that are layout, not glyphs: fpdf2 handles line breaks itself.
LAYOUT_CHARACTERS = frozenset("\n\r\t")
# Cubic-to-quadratic conversion tolerance in font units (1/1000 em): invisible at any print size.
CURVE_TOLERANCE = 1.0


class _Master:
    """The full font, opened lazily; fontTools reads tables on demand from one file handle."""

    def __init__(self, path: Path):
        self.font = TTFont(str(path), lazy=True, recalcTimestamp=False)
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
        # Drawing glyphs reads from the shared file handle: one thread at a time.
        self.lock = threading.Lock()


@lru_cache(maxsize=2)
def _master(path: str) -> _Master:
    return _Master(Path(path))


def document_font_path() -> Path:
    return Path(settings.MADOGUCHI_PDF_FONT)


def master() -> _Master:
    """The parsed document font of this process (parsed on first use)."""
    return _master(str(document_font_path()))


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
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
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
