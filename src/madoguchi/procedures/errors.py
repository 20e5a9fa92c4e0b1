"""Answer validation errors: a code per failure and its message in the resident's language.

Codes are stable data (the API returns them and tests assert on them); messages are
gettext strings so they follow the request's language.
"""

from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Invalid

MESSAGES = {
    "required": _("This item is required."),
    "wrong_type": _("The value has the wrong type."),
    "too_long": _("Enter at most %(limit)s characters."),
    "not_katakana": _("Enter this in katakana (カタカナ)."),
    "invalid_date": _("Enter a valid date, e.g. 2026-04-01 or 令和8年4月1日."),
    "out_of_era": _("This date does not exist in that era (e.g. 平成31年5月1日 is 令和元年5月1日)."),
    "date_too_early": _("Enter a date on or after %(limit)s."),
    "date_too_late": _("Enter a date on or before %(limit)s."),
    "invalid_postal_code": _("Enter a postal code of 7 digits, e.g. 100-0001."),
    "invalid_phone": _("Enter a Japanese phone number of 10 or 11 digits, e.g. 03-1234-5678."),
    "invalid_email": _("Enter a valid email address."),
    "invalid_integer": _("Enter a whole number."),
    "too_small": _("Enter a value of at least %(limit)s."),
    "too_large": _("Enter a value of at most %(limit)s."),
    "invalid_choice": _("Choose one of the options."),
    "consent_required": _("You must agree to continue."),
    "unknown_field": _("This item is not part of the form."),
    "file_required": _("Attach a file."),
    "too_many_files": _("Attach no more files than allowed (%(limit)s)."),
    "file_empty": _("The file is empty."),
    "file_too_large": _("The file is too large (at most %(limit)s MB)."),
    "file_type_not_allowed": _("This type of file is not accepted. Accepted: %(limit)s."),
    "file_type_mismatch": _("The file's content does not match its name or declared type."),
    "file_active_content": _(
        "The PDF contains scripts, embedded files or other active content, so it cannot be accepted. "
        "Print it to a new PDF (or scan the paper) and attach that instead."
    ),
    "file_encrypted": _(
        "The PDF is protected by a password, so it cannot be accepted. Attach a copy without a password."
    ),
    "file_unreadable": _(
        "The PDF cannot be read and may be damaged. Save it again (or scan the paper) and attach that instead."
    ),
    "invalid_text": _("The text contains characters that are not allowed."),
    # An unsigned application without a file its procedure's ``unsigned_requires`` names.
    "sign_or_attach": _("Sign the application with your My Number Card, or attach %(label)s."),
}

# A required answer that is missing, said with the field's own label (「氏名（姓）を入力して
# ください」) instead of one generic sentence for every field; ``kind`` says what the resident
# does with the field.
REQUIRED_MESSAGES = {
    "enter": _("Enter %(label)s."),
    "choose": _("Choose %(label)s."),
    "attach": _("Attach %(label)s."),
    "consent": MESSAGES["consent_required"],
}
PART_REQUIRED_MESSAGES = {
    "enter": _("Enter the %(part)s in “%(label)s”."),
    "choose": _("Choose the %(part)s in “%(label)s”."),
}
# Why a date does not exist (the code stays ``invalid_date``; ``reason`` comes from jp.wareki).
DATE_REASON_MESSAGES = {
    "no_such_day": _("There is no %(day)s %(month_name)s."),
    "no_such_month": _("There is no month %(month)s: enter a month from 1 to 12."),
    "not_leap_year": _("There is no 29 February in %(year)s: it is not a leap year."),
}
OUT_OF_ERA_MESSAGE = _("%(typed)s does not exist: the era had changed. Did you mean %(actual)s?")
MONTH_NAMES = (
    _("January"), _("February"), _("March"), _("April"), _("May"), _("June"),
    _("July"), _("August"), _("September"), _("October"), _("November"), _("December"),
)  # fmt: skip


def _specific_template(code: str, params: dict):
    """The message that names the field or the date, when the error carries what it needs."""
    if code == "sign_or_attach" and "label" in params:
        return MESSAGES[code]
    if code in ("required", "file_required") and "label" in params:
        table = PART_REQUIRED_MESSAGES if params.get("part") else REQUIRED_MESSAGES
        return table.get(params.get("kind", "enter"), table["enter"])
    if code == "invalid_date" and params.get("reason") in DATE_REASON_MESSAGES:
        return DATE_REASON_MESSAGES[params["reason"]]
    if code == "out_of_era" and "typed" in params:
        return OUT_OF_ERA_MESSAGE
    return None


def label_in_sentence(label: str) -> str:
    """English labels start a sentence ("Date of birth") but sit inside one here ("Enter date
    of birth"); an initial capital of a proper noun or an acronym ("NHK") is kept."""
    if get_language() != "en" or len(label) < 2 or not label[1].islower():
        return label
    return label[0].lower() + label[1:]


def _message_params(code: str, params: dict) -> dict:
    values = dict(params)
    if "label" in values and not values.get("part"):  # a part's message quotes the label as it is
        values["label"] = label_in_sentence(str(values["label"]))
    if values.get("part"):
        from madoguchi.procedures.person_fields import PART_LABELS  # person_fields imports this module

        part_label = gettext(PART_LABELS.get(values["part"], values["part"]))
        if get_language() == "en":
            values["part"] = part_label[0].lower() + part_label[1:]
        else:  # inside 「氏名（…）」: 姓（フリガナ） becomes 姓・フリガナ, not brackets in brackets
            values["part"] = part_label.replace("（", "・").replace("）", "")
    if "month" in values and isinstance(values["month"], int) and 1 <= values["month"] <= 12:
        values["month_name"] = MONTH_NAMES[values["month"] - 1]
    if "year_ja" in values:
        values["year"] = values["year_ja"] if (get_language() or "ja").startswith("ja") else values["year_en"]
    return values


@dataclass
class FieldError:
    """One problem with one answer. ``path`` is the field id, or ``id.part`` for a part."""

    path: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        specific = _specific_template(self.code, self.params)
        if specific is not None:
            return str(specific) % _message_params(self.code, self.params)
        template = MESSAGES.get(self.code, MESSAGES["wrong_type"])
        # Only the placeholders the generic message has: a date's ``reason`` has no text of its own.
        params = {k: v for k, v in self.params.items() if f"%({k})" in str(template)}
        return str(template) % params if params else str(template)

    def as_dict(self) -> dict:
        return {"field": self.path, "code": self.code, "message": self.message}


class AnswersInvalid(Invalid):
    """Answers that do not satisfy the procedure: one :class:`FieldError` per problem."""

    kind = "validation-error"
    code = "validation_error"
    message = _("The application has invalid answers.")

    def __init__(self, errors: list[FieldError]):
        super().__init__()
        self.errors = errors

    def extensions(self) -> dict:
        return {"errors": [error.as_dict() for error in self.errors]}


class FieldInvalid(Exception):
    """Raised by a field type for one answer; collected into AnswersInvalid."""

    def __init__(self, code: str, *, part: str | None = None, also_parts: tuple[str, ...] = (), **params):
        super().__init__(code)
        self.code = code
        self.part = part
        # Other parts with the same problem (every missing part of a name is reported at once).
        self.also_parts = also_parts
        self.params = params
