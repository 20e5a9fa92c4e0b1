"""Laying out an issued document as an A4 PDF (fpdf2), before it is signed.

The layout follows a municipal notice (公文書): document number (文書番号) and date top right,
the addressee (〇〇 様) on the left, the issuer (〇〇市長) on the right, the title centred, the
body, then 記 and the particulars; under them, on an adverse decision, the 教示; at the foot,
the statement that the seal is omitted because the document is signed electronically, and
where to verify it. Dates are in 和暦, as official documents write them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from madoguchi.jp.wareki import to_wareki
from madoguchi.signatures.documents import fonts

LINE = 7.5  # mm; the body size is 11 pt
MARGIN = 25  # mm, left and right: room for a binder's holes


class UnprintableCharacters(ValueError):
    """The document would contain characters the font has no glyph for."""

    def __init__(self, characters: list[str]):
        self.characters = characters
        super().__init__(", ".join(code_point(c) for c in characters))


def code_point(char: str) -> str:
    """``U+20BB7 (𠮷)``: how a character is named in messages."""
    return f"U+{ord(char):04X} ({char})"


@dataclass(frozen=True)
class DocumentContent:
    """Everything printed on one document, already in Japanese."""

    title: str
    body: str
    municipality: str  # 青葉市
    issuer: str  # 青葉市長
    receipt_number: str
    applicant: str
    procedure: str
    issued_on: date
    # (label, value) rows under 記, in order.
    particulars: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""
    # 文書番号 (青市民第45号) of a decision document; a 受理証明書 shows its receipt number instead.
    document_number: str = ""
    # 教示 of an adverse decision: a heading and its paragraphs (procedures.appeal).
    appeal_heading: str = ""
    appeal: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every string drawn with the font (what :func:`fonts.missing_characters` must pass)."""
        rows = [part for row in self.particulars for part in row]
        header = [self.number_label, self.issued_label, self.addressee, self.issuer, "記"]
        return [self.title, self.body, self.footer, *header, *rows, self.appeal_heading, *self.appeal]

    @property
    def number_label(self) -> str:
        return self.document_number or f"受付番号 {self.receipt_number}"

    @property
    def issued_label(self) -> str:
        return wareki(self.issued_on)

    @property
    def addressee(self) -> str:
        return f"{self.applicant} 様" if self.applicant else ""


def wareki(value: date | datetime) -> str:
    return to_wareki(value.date() if isinstance(value, datetime) else value)


def check_printable(content: DocumentContent) -> None:
    """Raise UnprintableCharacters if the font cannot draw some character of ``content``."""
    missing = fonts.missing_characters("".join(content.texts()))
    if missing:
        raise UnprintableCharacters(missing)


def render_pdf(content: DocumentContent, *, created: datetime) -> bytes:
    """Return the unsigned PDF of ``content``. Raise UnprintableCharacters before drawing anything."""
    check_printable(content)
    font = fonts.font_for("".join(content.texts()))
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, 25, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.set_creation_date(created)
    pdf.set_creator("Madoguchi")
    pdf.set_lang("ja")
    with tempfile.TemporaryDirectory(prefix="madoguchi-pdf-") as directory:
        # fpdf2 takes fonts by file name only, and reads the file until output().
        path = Path(directory) / "document.ttf"
        path.write_bytes(font)
        pdf.add_font(fonts.FAMILY, fname=str(path))
        _draw(pdf, content)
        return bytes(pdf.output())


def _draw(pdf: FPDF, content: DocumentContent) -> None:
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(fonts.FAMILY, size=10.5)
    pdf.cell(width, LINE, content.number_label, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(width, LINE, content.issued_label, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE)
    pdf.set_font(size=12)
    pdf.cell(width, LINE, content.addressee, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE / 2)
    pdf.cell(width, LINE, content.issuer, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE * 1.5)
    pdf.set_font(size=16)
    pdf.cell(width, LINE * 1.5, content.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE)
    pdf.set_font(size=11)
    pdf.multi_cell(width, LINE, content.body, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE / 2)
    pdf.cell(width, LINE, "記", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE / 2)
    label_width = 35
    for label, value in content.particulars:
        pdf.set_x(pdf.l_margin + 5)
        pdf.cell(label_width, LINE, label)
        pdf.multi_cell(width - label_width - 5, LINE, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if content.appeal:
        pdf.ln(LINE)
        pdf.set_font(size=10.5)
        pdf.cell(width, LINE, content.appeal_heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(size=9.5)
        for paragraph in content.appeal:
            pdf.multi_cell(width, LINE * 0.8, paragraph, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if content.footer:
        pdf.ln(LINE * 2)
        pdf.set_font(size=9)
        pdf.multi_cell(width, LINE * 0.8, content.footer, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
