"""Prefectures, municipalities and their departments.

One deployment serves many municipalities (a prefecture's 共同利用 platform, or a single
city). A municipality is identified by its 全国地方公共団体コード; everything a resident
or staff member touches hangs off one municipality.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from madoguchi.jp.codes import is_prefecture_code, is_valid_lg_code
from madoguchi.tenants.scoping import municipality_scoped_manager


def validate_lg_code(value: str) -> None:
    if not is_valid_lg_code(value):
        raise ValidationError(
            _("%(value)s is not a valid local government code (6 digits with check digit)."),
            params={"value": value},
            code="invalid_lg_code",
        )


def validate_prefecture_code(value: str) -> None:
    if not is_prefecture_code(value):
        raise ValidationError(_("%(value)s is not a valid prefecture code."), params={"value": value}, code="invalid")


class Prefecture(models.Model):
    code = models.CharField(
        _("local government code"), max_length=6, unique=True, validators=[validate_prefecture_code]
    )
    name = models.CharField(_("name"), max_length=20)
    name_kana = models.CharField(_("name (kana)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Municipality(models.Model):
    code = models.CharField(_("local government code"), max_length=6, unique=True, validators=[validate_lg_code])
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("prefecture")
    )
    name = models.CharField(_("name"), max_length=40)
    name_kana = models.CharField(_("name (kana)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # 文書記号: what its document numbers start with (青市 → 青市第123号); empty: the name.
    document_prefix = models.CharField(
        _("document number prefix"),
        max_length=20,
        blank=True,
        help_text=_("Printed before 第…号 in document numbers, e.g. 青市. Empty: the municipality's name."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.prefecture.name}{self.name}"

    def clean(self) -> None:
        if self.prefecture_id and self.code[:2] != self.prefecture.code[:2]:
            raise ValidationError({"code": _("The code does not belong to the selected prefecture.")})

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Department(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="departments", verbose_name=_("municipality")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The department's own 文書記号 (青市民 → 青市民第45号), numbered apart from the rest.
    document_prefix = models.CharField(
        _("document number prefix"),
        max_length=20,
        blank=True,
        help_text=_("The department's own prefix, e.g. 青市民, numbered on its own. Empty: the municipality's."),
    )

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "code"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="uniq_department_code")]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Role(models.TextChoices):
    """Staff roles, held per department. If you add one, add its permissions in tenants.access."""

    CLERK = "clerk", _("Clerk (担当)")
    REVIEWER = "reviewer", _("Reviewer (審査)")
    APPROVER = "approver", _("Approver (決裁者)")
    ADMIN = "admin", _("Municipality administrator (管理者)")


class StaffMembership(models.Model):
    """A staff member's role in a department of one municipality (no department: all of them)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("municipality")
    )
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "department", "role"], name="uniq_membership"),
        ]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")

    def __str__(self) -> str:
        where = self.department.name if self.department_id else self.municipality.name
        return f"{self.user.get_username()}: {self.get_role_display()} @ {where}"


class PrefectureStaff(models.Model):
    """Prefecture staff see aggregate figures of the prefecture's municipalities, never cases."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="prefecture_staff")

    class Meta:
        verbose_name = _("prefecture staff")
        verbose_name_plural = _("prefecture staff")

    def __str__(self) -> str:
        return f"{self.user.get_username()} @ {self.prefecture.name}"


class StaffApiToken(models.Model):
    """A bearer token for the staff API, acting as one staff member with their roles.

    Only a digest is stored; the token is shown once when created (``madoguchi staff_token``).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = municipality_scoped_manager()

    class Meta:
        verbose_name = _("staff API token")
        verbose_name_plural = _("staff API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
