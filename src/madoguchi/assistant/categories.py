"""A municipality's FAQ categories: created by the import from the file's own category text,
labelled per language by staff.

A city's FAQ names its categories its own way (「税・保険」, 「くらし」) or has none, so the
categories are data of the municipality and not a fixed list. The import resolves each row's
category text to a category — an existing key, else an existing Japanese label, else a new
category whose key and Japanese label are that text — and an entry may have none ("").
The twelve slugs the demo FAQ uses (:data:`DEMO_CATEGORIES`) are made for the demo cities,
and for municipalities that had entries before categories were per municipality, by a data
migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Max

from madoguchi.assistant.models import LANGUAGES, FaqCategory
from madoguchi.assistant.services import kb_touch
from madoguchi.assistant.validation import FaqFieldError, FaqInvalid
from madoguchi.audit.services import audit_log
from madoguchi.tenants.models import Municipality

MAX_LABEL_LENGTH = 100

# The demo FAQ's categories (the fixed list of earlier releases), in its order.
DEMO_CATEGORIES: dict[str, dict[str, str]] = {
    "moving": {"ja": "引越し・住所変更", "en": "Moving and address changes"},
    "certificates": {"ja": "証明書・マイナンバー", "en": "Certificates and My Number"},
    "tax": {"ja": "税金", "en": "Taxes"},
    "pension": {"ja": "年金", "en": "Pension"},
    "general": {"ja": "市役所の案内", "en": "City hall information"},
    "living": {"ja": "暮らし", "en": "Daily life"},
    "garbage": {"ja": "ごみ・リサイクル", "en": "Garbage and recycling"},
    "childcare": {"ja": "子育て・教育", "en": "Children and education"},
    "health-insurance": {"ja": "国民健康保険・医療", "en": "Health insurance and medical care"},
    "disaster": {"ja": "防災", "en": "Disaster preparedness"},
    "welfare": {"ja": "福祉・介護", "en": "Welfare and long-term care"},
    "health": {"ja": "健康・予防接種", "en": "Health and vaccinations"},
}


def category_list(*, municipality: Municipality) -> list[FaqCategory]:
    return list(FaqCategory.objects.for_municipality(municipality))


def category_keys(*, municipality: Municipality) -> set[str]:
    return set(FaqCategory.objects.for_municipality(municipality).values_list("key", flat=True))


def category_choices(*, municipality: Municipality, language: str) -> list[tuple[str, str]]:
    """Return (key, label in ``language``) of the municipality's categories, in their order."""
    return [(c.key, c.label(language)) for c in category_list(municipality=municipality)]


def category_labels(*, municipality: Municipality, language: str) -> dict[str, str]:
    return dict(category_choices(municipality=municipality, language=language))


def _resolution(categories: Iterable[FaqCategory]) -> dict[str, str]:
    """Return category text -> key: every key, then every Japanese label not already a key."""
    found: dict[str, str] = {}
    categories = list(categories)
    for category in categories:
        found[category.key] = category.key
    for category in categories:
        found.setdefault(category.labels.get("ja", ""), category.key)
    found.pop("", None)
    return found


def category_resolve(*, municipality: Municipality, texts: Iterable[str], actor: str) -> dict[str, str]:
    """Return each category text's key, creating a category for each text not known yet.

    Called by the import inside its transaction, after the texts were checked (length).
    """
    known = _resolution(FaqCategory.objects.for_municipality(municipality))
    result = {"": ""}
    new = [text for text in dict.fromkeys(texts) if text and text not in known]
    if new:
        position = FaqCategory.objects.for_municipality(municipality).aggregate(m=Max("position"))["m"] or 0
        for offset, text in enumerate(new, 1):
            FaqCategory.objects.for_municipality(municipality).create(
                municipality=municipality, key=text, labels={"ja": text}, position=position + offset
            )
            known[text] = text
        audit_log(
            municipality=municipality,
            actor=actor,
            event="assistant.category.created",
            object_type="assistant.faqcategory",
            object_id=new[0],
            payload={"keys": new},
        )
    result.update({text: known[text] for text in texts if text})
    return result


def category_defaults_ensure(*, municipality: Municipality, categories: Mapping[str, Mapping[str, str]]) -> None:
    """Create the given categories (key -> labels) the municipality does not have yet."""
    existing = category_keys(municipality=municipality)
    for position, (key, labels) in enumerate(categories.items(), 1):
        if key not in existing:
            FaqCategory.objects.for_municipality(municipality).create(
                municipality=municipality, key=key, labels=dict(labels), position=position
            )


def category_labels_update(
    *, municipality: Municipality, key: str, labels: Mapping[str, str], actor: str
) -> FaqCategory:
    """Set a category's label per language ("" removes one; Japanese is required).

    Raise :class:`FaqInvalid` (fields ``<language>.label``) before changing anything.
    """
    category = FaqCategory.objects.for_municipality(municipality).get(key=key)
    cleaned = {language: " ".join(labels.get(language, "").split()) for language in LANGUAGES}
    errors = []
    for language, label in cleaned.items():
        if language == "ja" and not label:
            errors.append(FaqFieldError("ja.label", "required"))
        elif len(label) > MAX_LABEL_LENGTH:
            errors.append(FaqFieldError(f"{language}.label", "too_long", {"limit": MAX_LABEL_LENGTH}))
    if errors:
        raise FaqInvalid(errors)
    new = {language: label for language, label in cleaned.items() if label}
    if new == category.labels:
        return category
    with transaction.atomic():
        category.labels = new
        category.save(update_fields=["labels"])
        kb_touch(municipality=municipality)  # the labels are part of every process's index
        audit_log(
            municipality=municipality,
            actor=actor,
            event="assistant.category.updated",
            object_type="assistant.faqcategory",
            object_id=key,
            payload={"languages": sorted(new)},
        )
    return category
