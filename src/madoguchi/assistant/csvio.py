"""The FAQ's CSV format: reading (with encoding detection and line numbers) and writing.

Columns: ``question`` and ``answer``, and optionally ``id``, ``language``, ``category``,
``url``, ``updated`` (the date the municipality's page was last updated), ``department`` (a
department code), ``procedure`` (a procedure slug) and ``status`` (draft/published). Each row
is one language of entry ``id``. Files come from Excel as often as from scripts, so UTF-8,
UTF-8 with BOM and CP932 (Shift_JIS as Windows writes it) are all accepted.

A city's FAQ usually comes from its web CMS as question, answer, category, URL and updated
date under Japanese headers: the common header names (質問, 回答, 分類, カテゴリ, 更新日 …) are
recognised, and ``columns`` maps any other (``{"question": "質問", ...}``); with a mapping, the
columns it does not name are ignored (CMS exports carry many). Without ``id`` each row is an
entry of its own, its id made from its question (so a re-import of the same file updates the
same entries); without ``language`` rows are Japanese.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from madoguchi.assistant.validation import FaqFieldError
from madoguchi.core.errors import Invalid

REQUIRED_COLUMNS = ("question", "answer")
OPTIONAL_COLUMNS = ("id", "language", "category", "url", "updated", "department", "procedure", "status")
# The columns an export writes, in its order.
COLUMNS = ("id", "question", "answer", "language", "category", "url", "department", "procedure", "status", "updated")
# Header names of municipal CMS exports, normalised (NFKC, lower case, no spaces), per column.
HEADER_ALIASES = {
    "id": ("番号", "no", "no.", "faqid", "管理番号"),
    "question": ("質問", "問", "問い", "質問内容", "q", "よくある質問"),
    "answer": ("回答", "答", "答え", "回答内容", "a"),
    "category": ("分類", "カテゴリ", "カテゴリー", "カテゴリ名", "カテゴリー名", "分野"),
    "url": ("ページurl", "リンク", "link", "ページ"),
    "updated": ("更新日", "最終更新日", "更新日時", "最終更新日時"),
    "language": ("言語", "lang"),
}
_ALIAS = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class FaqRow:
    line: int
    id: str
    question: str
    answer: str
    language: str = "ja"
    category: str = ""
    url: str = ""
    department: str = ""
    procedure: str = ""
    status: str = ""
    updated: str = ""


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


def _normalised_header(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def _header_columns(header: list[str], columns: Mapping[str, str] | None) -> list[str | None]:
    """Return the column each header cell is (None: ignored), or raise for a header that is wrong."""
    problems = []
    if columns:
        wanted = {_normalised_header(name): column for column, name in columns.items()}
        found: list[str | None] = [wanted.get(_normalised_header(name)) for name in header]
        absent = [name for column, name in columns.items() if column not in found]
        if absent:
            problems.append((1, FaqFieldError("header", "missing_columns", {"columns": ", ".join(absent)})))
    else:
        found = []
        for name in header:
            key = _normalised_header(name)
            found.append(key if key in COLUMNS else _ALIAS.get(key))
        unknown = [name for name, column in zip(header, found, strict=True) if column is None]
        if unknown:
            problems.append((1, FaqFieldError("header", "unknown_columns", {"columns": ", ".join(unknown)})))
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        problems.insert(0, (1, FaqFieldError("header", "missing_columns", {"columns": ", ".join(missing)})))
    twice = sorted({column for column in found if column and found.count(column) > 1})
    if twice:
        problems.append((1, FaqFieldError("header", "duplicate_columns", {"columns": ", ".join(twice)})))
    if problems:
        raise FaqImportError(problems)
    return found


def question_id(question: str) -> str:
    """Return the id of an entry imported without one: stable for the same question."""
    return "q-" + hashlib.sha256(" ".join(question.split()).encode()).hexdigest()[:12]


def read_faq_csv(data: bytes, *, columns: Mapping[str, str] | None = None) -> list[FaqRow]:
    """Return the rows of a FAQ CSV file, each with the line it starts on.

    ``columns`` maps a column (``question``, ``answer``, ``category``, ...) to the file's header
    name for it; without it the header names the columns (or their common Japanese names).
    """
    unknown = sorted(set(columns or ()) - set(COLUMNS))
    if unknown:
        raise FaqImportError([(1, FaqFieldError("header", "unknown_columns", {"columns": ", ".join(unknown)}))])
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise FaqImportError([(1, FaqFieldError("file", "empty_file"))]) from None
    names = _header_columns(header, columns)
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
                    values = {name: cell.strip() for name, cell in zip(names, cells, strict=True) if name}
                    values["id"] = values.get("id") or question_id(values["question"])
                    values["language"] = values.get("language") or "ja"
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
