"""The demo: one prefecture and two fictional municipalities with real, valid codes.

The names are invented (青葉市, 港川市); the codes are real 全国地方公共団体コード of 茨城県
so that code validation is exercised with real data. Never load this in production.

Each municipality also gets four demo staff, one per role (``aoba-clerk`` … ``aoba-admin``),
and the prefecture one staff member (``ibaraki-pref``). They share the password
:data:`DEMO_PASSWORD` and each has a confirmed TOTP device named "demo" whose key is
derived from the user name (:func:`demo_totp_key`), so the README can print the secrets
and ``madoguchi demo_totp USERNAME`` can print the current code. Both are public: a
database with these users must never face the internet.
"""

import hashlib

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.assistant.categories import DEMO_CATEGORIES, category_defaults_ensure
from madoguchi.tenants.models import Department, Municipality, Prefecture, PrefectureStaff, Role, StaffMembership

PREFECTURE = {"code": "080004", "name": "茨城県", "name_kana": "イバラキケン", "name_en": "Ibaraki"}
MUNICIPALITIES = [
    {
        "code": "082015",
        "name": "青葉市",
        "name_kana": "アオバシ",
        "name_en": "Aoba City",
        "document_prefix": "青市",
        "contact_phone": "029-200-1234",
    },
    {
        "code": "082023",
        "name": "港川市",
        "name_kana": "ミナトガワシ",
        "name_en": "Minatogawa City",
        "document_prefix": "港市",
        "contact_phone": "0294-20-5678",
    },
]
# code, name, English name, the letter of the department's 文書記号 (青市 + 民 → 青市民第1号)
DEPARTMENTS = [
    ("shimin", "市民課", "Citizen Services Division", "民"),
    ("zeimu", "税務課", "Taxation Division", "税"),
    ("kosodate", "子育て支援課", "Child and Family Support Division", "子"),
    ("kaigo", "介護保険課", "Long-term Care Insurance Division", "介"),
    ("kankyo", "環境課", "Environment Division", "環"),
    ("doboku", "道路管理課", "Road Management Division", "道"),
    ("hoken", "保険年金課", "Health Insurance and Pension Division", "保"),
    ("bosai", "防災危機管理課", "Disaster Management Division", "防"),
    ("kenko", "健康づくり課", "Health Promotion Division", "健"),
    ("fukushi", "福祉課", "Welfare Division", "福"),
]


DEMO_PASSWORD = "madoguchi-demo-2026"  # noqa: S105 - public, printed in the README
DEMO_DEVICE_NAME = "demo"
# municipality code -> user name prefix
STAFF_SLUGS = {"082015": "aoba", "082023": "minatogawa"}
# user name suffix, role, departments (None: all of the municipality's departments).
# The two consultation reviewers let the 児童手当 route's 合議 (税務課 and 保険年金課) be tried.
STAFF_ROLES: list[tuple[str, str, tuple[str | None, ...]]] = [
    ("clerk", Role.CLERK, ("shimin", "kosodate")),
    ("reviewer", Role.REVIEWER, ("shimin", "kosodate")),
    ("approver", Role.APPROVER, ("shimin", "kosodate")),
    ("admin", Role.ADMIN, (None,)),
    ("zeimu", Role.REVIEWER, ("zeimu",)),
    ("hoken", Role.REVIEWER, ("hoken",)),
]
PREFECTURE_STAFF_USERNAME = "ibaraki-pref"


def demo_tenants_load() -> list[Municipality]:
    """Create or update the demo prefecture, municipalities, departments and staff."""
    with transaction.atomic():
        prefecture, _ = Prefecture.objects.update_or_create(code=PREFECTURE["code"], defaults=PREFECTURE)
        municipalities = []
        for data in MUNICIPALITIES:
            municipality, _ = Municipality.objects.update_or_create(
                code=data["code"], defaults={**data, "prefecture": prefecture}
            )
            municipality.full_clean()
            for index, (code, name, name_en, letter) in enumerate(DEPARTMENTS):
                Department.objects.for_municipality(municipality).update_or_create(
                    municipality=municipality,
                    code=code,
                    defaults={
                        "name": name,
                        "name_en": name_en,
                        "phone": f"{data['contact_phone'][:-1]}{index}",
                        "document_prefix": f"{data['document_prefix']}{letter}",
                    },
                )
            # the demo FAQ's categories, labelled, before any entry names them
            category_defaults_ensure(municipality=municipality, categories=DEMO_CATEGORIES)
            municipalities.append(municipality)
        demo_staff_load(prefecture=prefecture, municipalities=municipalities)
    return municipalities


def demo_staff_usernames() -> list[str]:
    """Return the user names of every demo staff member."""
    names = [f"{slug}-{suffix}" for slug in STAFF_SLUGS.values() for suffix, _role, _departments in STAFF_ROLES]
    return [*names, PREFECTURE_STAFF_USERNAME]


def demo_staff_load(*, prefecture: Prefecture, municipalities: list[Municipality]) -> None:
    """Create or update the demo staff, their roles and demo TOTP devices (changes nothing when run again)."""
    for municipality in municipalities:
        slug = STAFF_SLUGS[municipality.code]
        departments = {d.code: d for d in Department.objects.for_municipality(municipality)}
        for suffix, role, codes in STAFF_ROLES:
            user = _demo_user(f"{slug}-{suffix}")
            wanted = set()
            for code in codes:
                department = departments[code] if code else None
                membership, _ = StaffMembership.objects.for_municipality(municipality).get_or_create(
                    municipality=municipality, user=user, department=department, role=role
                )
                wanted.add(membership.pk)
            StaffMembership.objects.for_municipality(municipality).filter(user=user).exclude(pk__in=wanted).delete()
    user = _demo_user(PREFECTURE_STAFF_USERNAME)
    PrefectureStaff.objects.update_or_create(user=user, defaults={"prefecture": prefecture})


def _demo_user(username: str):
    # An address at the reserved example.jp domain, so "forgot your password" can be tried
    # (development prints e-mails on the console).
    user, created = get_user_model()._default_manager.get_or_create(
        username=username, defaults={"email": f"{username}@example.jp"}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    key = demo_totp_key(username)
    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
    if device is None:
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=key, confirmed=True)
    elif device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
    return user


def demo_totp_key(username: str) -> str:
    """Return the demo TOTP key of ``username``: 20 bytes as 40 hex digits, public by design."""
    return hashlib.sha1(f"madoguchi-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest()


def demo_totp_code(device: TOTPDevice) -> str:
    """Return the code ``device`` accepts now (zero-padded, as an app shows it)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"
