"""The demo: one prefecture and two fictional municipalities with real, valid codes.

The names are invented (青葉市, 港川市); the codes are real 全国地方公共団体コード of 茨城県
so that code validation is exercised with real data. Never load this in production.
"""

from django.db import transaction

from madoguchi.tenants.models import Department, Municipality, Prefecture

PREFECTURE = {"code": "080004", "name": "茨城県", "name_kana": "イバラキケン", "name_en": "Ibaraki"}
MUNICIPALITIES = [
    {
        "code": "082015",
        "name": "青葉市",
        "name_kana": "アオバシ",
        "name_en": "Aoba City",
        "contact_phone": "029-200-1234",
    },
    {
        "code": "082023",
        "name": "港川市",
        "name_kana": "ミナトガワシ",
        "name_en": "Minatogawa City",
        "contact_phone": "0294-20-5678",
    },
]
DEPARTMENTS = [
    ("shimin", "市民課", "Citizen Services Division"),
    ("zeimu", "税務課", "Taxation Division"),
    ("kosodate", "子育て支援課", "Child and Family Support Division"),
    ("kaigo", "介護保険課", "Long-term Care Insurance Division"),
    ("kankyo", "環境課", "Environment Division"),
    ("doboku", "道路管理課", "Road Management Division"),
    ("hoken", "保険年金課", "Health Insurance and Pension Division"),
]


def demo_tenants_load() -> list[Municipality]:
    """Create or update the demo prefecture, municipalities and departments."""
    with transaction.atomic():
        prefecture, _ = Prefecture.objects.update_or_create(code=PREFECTURE["code"], defaults=PREFECTURE)
        municipalities = []
        for data in MUNICIPALITIES:
            municipality, _ = Municipality.objects.update_or_create(
                code=data["code"], defaults={**data, "prefecture": prefecture}
            )
            municipality.full_clean()
            for index, (code, name, name_en) in enumerate(DEPARTMENTS):
                Department.objects.for_municipality(municipality).update_or_create(
                    municipality=municipality,
                    code=code,
                    defaults={"name": name, "name_en": name_en, "phone": f"{data['contact_phone'][:-1]}{index}"},
                )
            municipalities.append(municipality)
    return municipalities
