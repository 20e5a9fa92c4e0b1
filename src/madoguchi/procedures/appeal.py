"""教示: telling a resident how to contest an adverse decision.

A municipality that refuses an application in writing must say, in the same writing, that the
resident may request a review (審査請求), to which body and within what time (行政不服審査法
82条), and that they may sue to have the decision revoked (取消訴訟), against whom and within
what time (行政事件訴訟法46条). A notice without it is not lawful, and a resident who is not
told may still appeal late (行政不服審査法83条).

Most decisions of a city go to the mayor (市長) for review, within 3 months of learning of the
decision (行政不服審査法18条), and may be sued within 6 months (行政事件訴訟法14条), the defendant
being the municipality, represented by its mayor (行政事件訴訟法11条). Some laws name another
body and make the review a precondition of the suit (審査請求前置): 要介護認定 goes to the
prefecture's 介護保険審査会 (介護保険法183条), and only after its ruling to court (同法196条).
A procedure says so in its definition::

    appeal:
      review_body: {ja: "{prefecture}介護保険審査会", en: "the Long-Term Care Insurance Appeal Board of {prefecture}"}
      review_first: true

``review_body`` may use ``{municipality}`` and ``{prefecture}`` (the names, in English for the
English text); ``review_months`` (3) and ``suit_months`` (6) set the periods. Absent, the
defaults above apply: every procedure's rejection carries a 教示.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import ngettext

from madoguchi.procedures.definition import DefinitionProblem, translated

REVIEW_MONTHS = 3  # 行政不服審査法18条1項
SUIT_MONTHS = 6  # 行政事件訴訟法14条1項
PLACEHOLDERS = ("municipality", "prefecture")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class AppealTerms:
    """Who hears a review or a suit against a procedure's decisions, and within what time."""

    review_body: str  # 青葉市長 / 茨城県介護保険審査会, in the language asked for
    review_months: int
    suit_months: int
    review_first: bool  # 審査請求前置: no suit before the review's ruling
    defendant: str  # the municipality (行政事件訴訟法11条)
    representative: str  # its head, who represents it in court


def _names(municipality, language: str) -> dict[str, str]:
    english = language == "en"
    prefecture = municipality.prefecture
    return {
        "municipality": (municipality.name_en or municipality.name) if english else municipality.name,
        "prefecture": (prefecture.name_en or prefecture.name) if english else prefecture.name,
    }


def head_of(municipality, language: str) -> str:
    """The municipality's head as a title: 青葉市長 (市長, 町長, 村長, 区長 alike), "the Mayor of Aoba City"."""
    if language == "en":
        return f"the Mayor of {municipality.name_en or municipality.name}"
    return f"{municipality.name}長"


def _fill(template: str, values: dict[str, str]) -> str:
    for name in PLACEHOLDERS:
        template = template.replace("{" + name + "}", values[name])
    return template


def appeal_terms(*, definition: dict, municipality, language: str = "ja") -> AppealTerms:
    """Return the appeal terms of ``definition`` for ``municipality``, worded in ``language`` (ja or en)."""
    language = "en" if (language or "").split("-")[0] == "en" else "ja"
    configured = definition.get("appeal") or {}
    names = _names(municipality, language)
    review_body = translated(configured.get("review_body"), language)
    return AppealTerms(
        review_body=_fill(review_body, names) if review_body else head_of(municipality, language),
        review_months=configured.get("review_months", REVIEW_MONTHS),
        suit_months=configured.get("suit_months", SUIT_MONTHS),
        review_first=configured.get("review_first", False),
        defendant=names["municipality"],
        representative=head_of(municipality, language),
    )


def appeal_notice(*, definition: dict, municipality, language: str = "ja") -> list[str]:
    """Return the 教示 paragraphs for an adverse decision of ``definition``, in ``language``.

    The wording follows the model texts municipalities use under 行政不服審査法82条 and
    行政事件訴訟法46条; the first paragraph is the review, the second the suit.
    """
    terms = appeal_terms(definition=definition, municipality=municipality, language=language)
    with translation.override("en" if language.split("-")[0] == "en" else "ja"):
        review = ngettext(
            "1. If you object to this decision, you may request a review (審査請求) by %(body)s within "
            "%(months)s month from the day after you learned of it. Even within that period, no request "
            "can be made once one year has passed from the day after the decision.",
            "1. If you object to this decision, you may request a review (審査請求) by %(body)s within "
            "%(months)s months from the day after you learned of it. Even within that period, no request "
            "can be made once one year has passed from the day after the decision.",
            terms.review_months,
        ) % {"body": terms.review_body, "months": terms.review_months}
        values = {
            "months": terms.suit_months,
            "defendant": terms.defendant,
            "representative": terms.representative,
        }
        if terms.review_first:
            suit = (
                ngettext(
                    "2. A lawsuit to revoke this decision (取消訴訟) may be filed only after the ruling (裁決) on "
                    "the request for review, within %(months)s month from the day after you learned of the "
                    "ruling, against %(defendant)s (represented in the lawsuit by %(representative)s). Even "
                    "within that period, no lawsuit can be filed once one year has passed from the day after "
                    "the ruling. If no ruling is made within three months of the request, among other cases, "
                    "the lawsuit may be filed without waiting for it.",
                    "2. A lawsuit to revoke this decision (取消訴訟) may be filed only after the ruling (裁決) on "
                    "the request for review, within %(months)s months from the day after you learned of the "
                    "ruling, against %(defendant)s (represented in the lawsuit by %(representative)s). Even "
                    "within that period, no lawsuit can be filed once one year has passed from the day after "
                    "the ruling. If no ruling is made within three months of the request, among other cases, "
                    "the lawsuit may be filed without waiting for it.",
                    terms.suit_months,
                )
                % values
            )
        else:
            suit = (
                ngettext(
                    "2. Besides requesting a review, you may file a lawsuit to revoke this decision (取消訴訟) "
                    "within %(months)s month from the day after you learned of it, against %(defendant)s "
                    "(represented in the lawsuit by %(representative)s). Even within that period, no lawsuit "
                    "can be filed once one year has passed from the day after the decision. If you request a "
                    "review, the lawsuit may instead be filed within %(months)s month from the day after you "
                    "receive the ruling (裁決) on it.",
                    "2. Besides requesting a review, you may file a lawsuit to revoke this decision (取消訴訟) "
                    "within %(months)s months from the day after you learned of it, against %(defendant)s "
                    "(represented in the lawsuit by %(representative)s). Even within that period, no lawsuit "
                    "can be filed once one year has passed from the day after the decision. If you request a "
                    "review, the lawsuit may instead be filed within %(months)s months from the day after you "
                    "receive the ruling (裁決) on it.",
                    terms.suit_months,
                )
                % values
            )
        return [review, suit]


def check_appeal(definition: dict) -> None:
    """Definition check: the review body uses only the placeholders :func:`appeal_terms` fills."""
    body = (definition.get("appeal") or {}).get("review_body") or {}
    for language, text in body.items():
        for name in _PLACEHOLDER.findall(text):
            if name not in PLACEHOLDERS:
                raise DefinitionProblem(
                    f"appeal/review_body/{language}: unknown placeholder '{{{name}}}' "
                    f"(use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})",
                    path=["appeal", "review_body", language],
                )
