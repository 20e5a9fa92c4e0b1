"""The demo FAQ: every ``faq_csv/*.csv`` loaded into a demo municipality.

The files use placeholders that differ per municipality and per row language: ``{city}``
(the city's name as that language writes it), ``{site}`` (its web site) and ``{phone}``
(city hall's number). They go through the same import service as any municipality's file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from madoguchi.assistant.categories import DEMO_CATEGORIES, category_defaults_ensure
from madoguchi.assistant.csvio import FaqRow, read_faq_csv
from madoguchi.assistant.importing import ImportResult, faq_import
from madoguchi.tenants.models import Municipality

DEMO_FAQ_DIR = Path(__file__).resolve().parent / "faq_csv"
# municipality code -> language -> name; languages not listed use "other"
CITY_NAMES = {
    "082015": {"ja": "青葉市", "ja-x-easy": "青葉市", "zh-Hant": "青葉市", "zh-Hans": "青叶市", "ko": "아오바시",
               "vi": "thành phố Aoba", "other": "Aoba City"},
    "082023": {"ja": "港川市", "ja-x-easy": "港川市", "zh-Hant": "港川市", "zh-Hans": "港川市", "ko": "미나토가와시",
               "vi": "thành phố Minatogawa", "other": "Minatogawa City"},
}  # fmt: skip
SITES = {"082015": "https://www.city.aoba.example.jp", "082023": "https://www.city.minatogawa.example.jp"}


def demo_faq_files(directory: Path = DEMO_FAQ_DIR) -> list[Path]:
    return sorted(directory.glob("*.csv"))


def _substitute(row: FaqRow, municipality: Municipality) -> FaqRow:
    names = CITY_NAMES.get(municipality.code, {})
    city = names.get(row.language) or names.get("other") or municipality.name_en or municipality.name
    site = SITES.get(municipality.code, "https://www.example.jp")

    def fill(value: str) -> str:
        return value.replace("{city}", city).replace("{site}", site).replace("{phone}", municipality.contact_phone)

    return FaqRow(
        line=row.line,
        id=row.id,
        question=fill(row.question),
        answer=fill(row.answer),
        language=row.language,
        category=row.category,
        url=fill(row.url),
        department=row.department,
        procedure=row.procedure,
        status=row.status,
        updated=row.updated,
    )


def demo_faq_load(
    *, municipality: Municipality, directory: Path = DEMO_FAQ_DIR, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Import every demo FAQ file into ``municipality`` (unchanged entries keep their version)."""
    category_defaults_ensure(municipality=municipality, categories=DEMO_CATEGORIES)
    rows: list[FaqRow] = []
    for path in demo_faq_files(directory):
        rows += [_substitute(row, municipality) for row in read_faq_csv(path.read_bytes())]
    return faq_import(municipality=municipality, rows=rows, actor="demo", progress=progress)
