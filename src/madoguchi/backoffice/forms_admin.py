"""Forms of the municipality administrator's pages: staff and the audit log.

They only parse input. Whether a change is allowed (own municipality, last role, own
account) is decided in ``staff.services``.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from madoguchi.backoffice.forms_auth import REQUIRED
from madoguchi.tenants.models import Department, Role

ALL_DEPARTMENTS = ""
USERNAME_FORMAT = _("Use only letters, digits and the characters @ . + - _ (150 at most).")
DEPARTMENT_UNKNOWN = _("Choose a department from the list.")
DATE_FORMAT = _("Enter a date as YYYY-MM-DD, e.g. 2026-04-01.")
DATES_REVERSED = _("The start date is after the end date.")


def department_choices(departments: list[Department]) -> list[tuple[str, str]]:
    return [(ALL_DEPARTMENTS, _("All departments")), *[(str(d.pk), d.display_name) for d in departments]]


class RoleFields(forms.Form):
    """A role and where it applies: one department, or all of the municipality's."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, error_messages={"required": REQUIRED})
    department = forms.ChoiceField(
        label=_("Department"),
        required=False,
        error_messages={"invalid_choice": DEPARTMENT_UNKNOWN},
        help_text=_("“All departments” includes departments added later."),
    )

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices(departments)

    def clean_department(self) -> int | None:
        value = self.cleaned_data["department"]
        return int(value) if value else None


class StaffCreateForm(RoleFields):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Used to sign in. Letters, digits and @ . + - _ only, e.g. aoba-tanaka."),
        validators=[UnicodeUsernameValidator(message=USERNAME_FORMAT)],
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    last_name = forms.CharField(label=_("Family name"), max_length=150, error_messages={"required": REQUIRED})
    first_name = forms.CharField(label=_("Given name"), max_length=150, error_messages={"required": REQUIRED})
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_(
            "The staff member's own work address: a link to choose their password is sent there. "
            "Nobody else learns the password; they set up their authenticator app at their first sign-in."
        ),
        error_messages={"required": REQUIRED, "invalid": _("Enter an e-mail address, e.g. tanaka@example.lg.jp.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["username", "last_name", "first_name", "email", "role", "department"]


class RoleAddForm(RoleFields):
    pass


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_FORMAT}
    )
    date_to = forms.DateField(
        label=_("To"), required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_FORMAT}
    )
    actor = forms.CharField(
        label=_("Actor"), required=False, max_length=120, help_text=_("A user name, e.g. aoba-clerk, or “system”.")
    )
    event = forms.CharField(
        label=_("Action"), required=False, max_length=80, help_text=_("The start of the action, e.g. tenants.staff")
    )
    object_id = forms.CharField(
        label=_("Object"), required=False, max_length=60, help_text=_("A receipt number or a user name, exactly.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", DATES_REVERSED)
        return data
