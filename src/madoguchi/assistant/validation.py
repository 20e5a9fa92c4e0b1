"""What the assistant accepts: the limits, the rules and the refusals, in one place.

Every door that writes to the assistant — the back-office form, the API, the CSV import, the
resident's page — goes through the services, and the services check their input here, so a
rule or a limit has one definition and one wording. A refusal is data: a list of
:class:`FaqFieldError` (field, stable code, parameters) whose ``message`` is a gettext string in
the reader's language. A form shows each next to its field, the API returns them as a problem
document's ``errors`` and the importer puts them on the CSV lines they came from.

Fields are named as the services name them: ``external_id``, ``category``, ``department``,
``source_url``, ``procedure_slug``, ``status``, ``<language>.question`` and
``<language>.answer`` (e.g. ``ja.question``), ``language`` (an unknown language), ``ja`` (no
Japanese version at all); for residents' questions and inquiries ``question``, ``email`` and
``answer``.

The limits are counted in characters of the text as written, after trimming, with line
breaks counted once (a browser sends CRLF). An answer is measured as written (plain text, or
HTML where allowed) and not as the HTML it is stored as, so a writer can count what the
message says; the markup a plain answer gains (paragraphs, lists) is bounded by a small factor.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from madoguchi.assistant.content import answer_text_from_html, looks_like_html, sanitise_html
from madoguchi.assistant.models import LANGUAGES, EntryStatus
from madoguchi.core.errors import Conflict, Invalid

# A question is one sentence or two a resident would type; the longest of the demo FAQ's 471
# is 143 characters. The retrieval embeds the question, and e5 reads at most 512 tokens anyway.
MAX_QUESTION_LENGTH = 500
# The longest answer of the demo FAQ is 930 characters (most are under 300). An answer that
# needs more than 5000 should link to the municipality's page (``source_url``) instead.
MAX_ANSWER_LENGTH = 5000
MAX_URL_LENGTH = 500
# A category is named by the municipality's own FAQ (「子育て・教育」): its key is that text.
MAX_CATEGORY_LENGTH = 64
# A resident's question handed to staff may explain the situation: four questions' worth.
MAX_INQUIRY_LENGTH = 2000
MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit
# Values echoed back in a message (an unknown category, say) are cut to this length.
MAX_ECHO = 40

EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
URL_RE = re.compile(r"^https?://[^\s]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# If you add a code, add its message here and both catalogues' translations.
MESSAGES = {
    "required": _("This item is required."),
    "too_long": _("Enter at most %(limit)s characters."),
    "invalid_id": _("Use 1 to 64 letters, digits, “.”, “_” or “-” for the id, starting with a letter or digit."),
    "taken": _("An entry with this id already exists."),
    "unknown_category": _("“%(value)s” is not a category. Use one of: %(choices)s."),
    "unknown_department": _("“%(value)s” is not a department of this municipality. Use a department code."),
    "department_not_yours": _("Choose one of your departments."),
    "department_required": _("Choose the department responsible for this answer."),
    "unknown_language": _("“%(value)s” is not a supported language. Use one of: %(choices)s."),
    "japanese_required": _("Enter the question and the answer in Japanese (日本語)."),
    "invalid_url": _("Enter a web address starting with https:// or http://."),
    "invalid_procedure": _("“%(value)s” is not a procedure slug (lower-case letters, digits and “-”)."),
    "unknown_status": _("Use “draft” or “published” for the status."),
    "invalid_email": _("Enter a valid email address."),
    "questions_gone": _("These questions were already taken up, or no longer exist."),
    # The CSV import's own rules: rows of one entry must agree, one row per language.
    "differs_in_entry": _("This differs from line %(line)s of the same id; rows of one id share it."),
    "duplicate_language": _("The id already has a row in this language (line %(line)s)."),
    "not_text": _("The file is neither UTF-8 nor CP932 (Shift_JIS) text."),
    "empty_file": _("The file is empty."),
    "missing_columns": _("Missing column(s): %(columns)s."),
    "unknown_columns": _("Unknown column(s): %(columns)s."),
    "duplicate_columns": _("Column(s) given twice: %(columns)s."),
    "invalid_date": _("“%(value)s” is not a date (e.g. 2026-04-01, 2026年4月1日 or 令和8年4月1日)."),
    "wrong_column_count": _("Expected %(expected)s columns, found %(found)s."),
    "unreadable_csv": _("The CSV cannot be read here: %(error)s"),
}


@dataclass(frozen=True)
class FaqFieldError:
    """One problem with one field: a stable ``code`` and the ``params`` its message needs."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        template = str(MESSAGES[self.code])
        return template % self.params if self.params else template

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class AssistantInvalid(Invalid):
    """Input the assistant refuses: ``errors`` holds one :class:`FaqFieldError` per problem."""

    def __init__(self, errors: list[FaqFieldError]):
        super().__init__()
        self.errors = list(errors)

    def __str__(self) -> str:
        return "; ".join(str(error) for error in self.errors)

    def extensions(self) -> dict:
        return {"errors": [error.as_dict() for error in self.errors]}


class FaqInvalid(AssistantInvalid):
    """An FAQ entry cannot be saved as given."""

    code = "faq_invalid"
    message = _("The FAQ entry has invalid values.")


class QuestionInvalid(AssistantInvalid):
    """A resident's question cannot be asked (empty or too long)."""

    code = "question_invalid"
    message = _("The question cannot be asked as given.")


class InquiryInvalid(AssistantInvalid):
    """An inquiry, or staff's answer to it, cannot be recorded as given."""

    code = "inquiry_invalid"
    message = _("The inquiry has invalid values.")


class InquiryAlreadyAnswered(Conflict):
    """An inquiry is answered once; the first answer stays on record."""

    code = "inquiry_already_answered"
    message = _("This inquiry has already been answered.")


@dataclass(frozen=True)
class TranslationIn:
    """One language of an entry as written: the answer may be plain text or (allowed) HTML."""

    question: str
    answer: str

    def normalised(self) -> TranslationIn:
        """Return the question on one line and the answer trimmed, with LF line breaks."""
        return TranslationIn(" ".join(self.question.split()), text_normalised(self.answer))


def text_normalised(value: str) -> str:
    """Return ``value`` trimmed, with every line break as one LF (how limits count it)."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _echo(value: str) -> str:
    return value if len(value) <= MAX_ECHO else value[: MAX_ECHO - 1] + "…"


def text_problems(
    name: str, value: str, *, limit: int, required: bool = True, pattern: re.Pattern | None = None, code: str = ""
) -> list[FaqFieldError]:
    """Return the problems of one text field: required, too long, or not matching ``pattern``."""
    if not value:
        return [FaqFieldError(name, "required")] if required else []
    if len(value) > limit:
        return [FaqFieldError(name, "too_long", {"limit": limit})]
    if pattern is not None and not pattern.match(value):
        return [FaqFieldError(name, code)]
    return []


def translation_problems(language: str, translation: TranslationIn) -> list[FaqFieldError]:
    """Return the problems of one language version (normalised first, see :class:`TranslationIn`)."""
    if language not in LANGUAGES:
        return [
            FaqFieldError("language", "unknown_language", {"value": _echo(language), "choices": ", ".join(LANGUAGES)})
        ]
    answer = translation.answer
    if looks_like_html(answer):
        # a CMS's markup (styles, wrappers) is not the writer's text: measure what is left of it
        answer = answer_text_from_html(sanitise_html(answer))
        if not answer:
            return [
                *text_problems(f"{language}.question", translation.question, limit=MAX_QUESTION_LENGTH),
                FaqFieldError(f"{language}.answer", "required"),
            ]
    return [
        *text_problems(f"{language}.question", translation.question, limit=MAX_QUESTION_LENGTH),
        *text_problems(f"{language}.answer", answer, limit=MAX_ANSWER_LENGTH),
    ]


def faq_entry_problems(
    *,
    external_id: str | None,
    category: str | None,
    translations: Mapping[str, TranslationIn],
    japanese_required: bool = True,
    source_url: str | None = None,
    procedure_slug: str | None = None,
    status: str | None = None,
    department: str | None = None,
    departments: Collection[str] = (),
    departments_allowed: Collection[str] | None = None,
    categories: Collection[str] | None = None,
) -> list[FaqFieldError]:
    """Return every problem of an entry as written; an empty list means it may be saved.

    A ``None`` value is not checked (an update that leaves it unchanged). ``category`` may be
    empty (no category); otherwise it is one of the municipality's ``categories`` (keys), or,
    with ``categories`` None (the import, which creates the categories it names), any text. ``translations``
    are normalised :class:`TranslationIn` per language; with ``japanese_required`` a ``ja``
    version must be among them. ``department`` is a department code ("" for none), checked
    against the municipality's ``departments`` and, for a writer limited to some departments,
    against ``departments_allowed`` ("" in it: no department is allowed).
    Whether the id is already taken needs the database; the service checks it.
    """
    errors: list[FaqFieldError] = []
    if external_id is not None:
        errors += text_problems("external_id", external_id, limit=64, pattern=EXTERNAL_ID_RE, code="invalid_id")
    if category:
        if len(category) > MAX_CATEGORY_LENGTH:
            errors.append(FaqFieldError("category", "too_long", {"limit": MAX_CATEGORY_LENGTH}))
        elif categories is not None and category not in categories:
            params = {"value": _echo(category), "choices": ", ".join(sorted(categories)) or "-"}
            errors.append(FaqFieldError("category", "unknown_category", params))
    if department is not None:
        if department and department not in departments:
            errors.append(FaqFieldError("department", "unknown_department", {"value": _echo(department)}))
        elif departments_allowed is not None and department not in departments_allowed:
            errors.append(FaqFieldError("department", "department_not_yours" if department else "department_required"))
    if source_url:
        errors += text_problems("source_url", source_url, limit=MAX_URL_LENGTH, pattern=URL_RE, code="invalid_url")
    if procedure_slug and not SLUG_RE.match(procedure_slug):
        errors.append(FaqFieldError("procedure_slug", "invalid_procedure", {"value": _echo(procedure_slug)}))
    if status is not None and status not in EntryStatus.values:
        errors.append(FaqFieldError("status", "unknown_status"))
    if japanese_required and "ja" not in translations:
        errors.append(FaqFieldError("ja", "japanese_required"))
    for language, translation in translations.items():
        errors += translation_problems(language, translation)
    return errors


def inquiry_problems(*, question: str, email: str) -> list[FaqFieldError]:
    """Return the problems of a resident's inquiry (question required, e-mail optional)."""
    return [
        *text_problems("question", question, limit=MAX_INQUIRY_LENGTH),
        *text_problems("email", email, limit=MAX_EMAIL_LENGTH, required=False, pattern=EMAIL_RE, code="invalid_email"),
    ]
