"""Answer validation errors: a code per failure and its message in the resident's language.

Codes are stable data (the API returns them and tests assert on them); messages are
gettext strings so they follow the request's language.
"""

from dataclasses import dataclass, field

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
}


@dataclass
class FieldError:
    """One problem with one answer. ``path`` is the field id, or ``id.part`` for a part."""

    path: str
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return (
            str(MESSAGES.get(self.code, MESSAGES["wrong_type"])) % self.params
            if self.params
            else str(MESSAGES.get(self.code, MESSAGES["wrong_type"]))
        )

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

    def __init__(self, code: str, *, part: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.part = part
        self.params = params
