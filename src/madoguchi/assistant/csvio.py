"""The FAQ's CSV format: reading (with encoding detection and line numbers) and writing.

Columns: ``id,question,answer,language,category,url`` and optionally ``department``
(a department code), ``procedure`` (a procedure slug) and ``status`` (draft/published).
Each row is one language of entry ``id``. Files come from Excel as often as from scripts,
so UTF-8, UTF-8 with BOM and CP932 (Shift_JIS as Windows writes it) are all accepted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from madoguchi.assistant.validation import FaqFieldError
from madoguchi.core.errors import Invalid

REQUIRED_COLUMNS = ("id", "question", "answer", "language", "category", "url")
OPTIONAL_COLUMNS = ("department", "procedure", "status")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True)
class FaqRow:
    line: int
    id: str
    question: str
    answer: str
    language: str
    category: str
    url: str
    department: str = ""
    procedure: str = ""
    status: str = ""


class FaqImportError(Invalid):
    """The file cannot be imported; ``errors`` holds (line number, :class:`FaqFieldError`) pairs.

    The error's field is the file's column (``id``, ``answer``, ...), or ``file``, ``header``
    or ``row`` for a problem of the file itself; its message follows the active language.
    """

    code = "faq_import_invalid"
    message = _("The file cannot be imported.")

    def __init__(self, errors: list[tuple[int, FaqFieldError]]):
        super().__init__()
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"line {line}: {reason}" for line, reason in self.errors)

    def extensions(self) -> dict:
        return {"errors": [{"line": line, **reason.as_dict()} for line, reason in self.errors]}


def decode_csv(data: bytes) -> str:
    """Return the text of a CSV file in UTF-8 (with or without BOM) or CP932."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise FaqImportError([(1, FaqFieldError("file", "not_text"))]) from exc


def read_faq_csv(data: bytes) -> list[FaqRow]:
    """Return the rows of a FAQ CSV file, each with the line it starts on."""
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise FaqImportError([(1, FaqFieldError("file", "empty_file"))]) from None
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append((1, FaqFieldError("header", "missing_columns", {"columns": ", ".join(missing)})))
        if unknown:
            problems.append((1, FaqFieldError("header", "unknown_columns", {"columns": ", ".join(unknown)})))
        raise FaqImportError(problems)
    rows: list[FaqRow] = []
    errors: list[tuple[int, FaqFieldError]] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    params = {"expected": len(header), "found": len(cells)}
                    errors.append((line, FaqFieldError("row", "wrong_column_count", params)))
                else:
                    values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
                    rows.append(FaqRow(line=line, **values))
            line = reader.line_num + 1
    except csv.Error as exc:
        errors.append((line, FaqFieldError("row", "unreadable_csv", {"error": str(exc)[:200]})))
    if errors:
        raise FaqImportError(errors)
    return rows


def write_faq_csv(rows: list[dict], *, excel: bool = False) -> bytes:
    """Return ``rows`` as CSV bytes: UTF-8, or UTF-8 with BOM for Excel (``excel``)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\r\n" if excel else "\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if excel else data
