"""Forms of the staff sign-in: password, second factor, authenticator enrolment; password links.

They only parse input; whether a password or code is right is decided in backoffice.auth.
"""

import re

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

# One message for every refused password step, whichever part was wrong.
INVALID_LOGIN = _("The user name or password is not correct.")
INVALID_CODE = _("The code is not correct. Check the code in your authenticator app and try again.")
CODE_FORMAT = _("Enter the 6-digit code from your authenticator app, or a recovery code.")
TOTP_FORMAT = _("Enter the 6-digit code shown in your authenticator app.")
REQUIRED = _("This item is required.")


class PasswordForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        error_messages={"required": REQUIRED},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=_("The 6-digit code shown in your authenticator app. Lost your phone? Enter a recovery code."),
        max_length=40,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "size": 12}
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s\-]", "", self.cleaned_data["code"]).lower()
        if not re.fullmatch(r"\d{6}|[a-z0-9]{6,16}", code):
            raise forms.ValidationError(CODE_FORMAT, code="format")
        return code


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits. A new code appears every 30 seconds."),
        max_length=12,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(TOTP_FORMAT, code="format")
        return code


# --- passwords by link (staff.passwords) ---------------------------------------------------

PASSWORDS_DIFFER = _("The two passwords do not match.")
PASSWORD_RULES = _(
    "At least 12 characters, not a common password, not only digits and not similar to your user name or name."
)


class PasswordForgotForm(forms.Form):
    identifier = forms.CharField(
        label=_("User name or e-mail address"),
        help_text=_("If the account exists and has an e-mail address, a link to choose a new password is sent there."),
        max_length=254,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )


class StaffSetPasswordForm(SetPasswordForm):
    """Django's SetPasswordForm with the back office's wording; the validators' messages point at the first field."""

    error_messages = {"password_mismatch": PASSWORDS_DIFFER}

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, first.help_text = _("New password"), PASSWORD_RULES
        second.label, second.help_text = _("New password (again)"), ""
        for field in (first, second):
            field.max_length = 1024
            field.error_messages["required"] = REQUIRED

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        if not self.has_error("new_password2"):
            self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)
