"""What a procedure page, its form and its documents say about the procedure, from the definition only.

The signature requirement, the processing period (標準処理期間) and what the resident needs
(必要なもの) are each stated by one field of the definition. Every page that states them asks
this module, so the procedure page, the form and the status page cannot disagree; the texts a
municipality writes by hand (summary, help, …) are held to the same facts by
:mod:`madoguchi.procedures.consistency` when the catalog is checked or loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import get_language, gettext, ngettext, pgettext

from madoguchi.jp.business_days import add_business_days
from madoguchi.procedures.definition import iter_fields, translated
from madoguchi.procedures.errors import label_in_sentence

SIGNATURE_MODES = ("none", "optional", "required")
BUSINESS_DAYS = "business_days"
CALENDAR_DAYS = "calendar_days"


def signature_requirement(definition: dict) -> str:
    """``none``, ``optional`` or ``required``: the one fact every page and the submit check read."""
    return definition.get("signature", "none")


def processing_period(definition: dict) -> tuple[int, str]:
    """``(days, unit)`` of the 標準処理期間; unit is ``business_days`` (開庁日) or ``calendar_days``."""
    return int(definition["processing_period_days"]), definition.get("processing_period_unit", BUSINESS_DAYS)


def processing_period_text(definition: dict) -> str:
    """The period as a phrase in the active language (「3開庁日」, "30 days")."""
    days, unit = processing_period(definition)
    if unit == CALENDAR_DAYS:
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    return ngettext("%(days)d business day", "%(days)d business days", days) % {"days": days}


def period_end(received: date, days: int, unit: str = BUSINESS_DAYS) -> date:
    """The day a processing period of ``days`` (in ``unit``) that starts on ``received`` ends."""
    if unit == CALENDAR_DAYS:
        return received + timedelta(days=days)
    return add_business_days(received, days)


def form_step_count(definition: dict) -> int:
    """Items of the form's step bar: the definition's steps and the confirmation page."""
    return len(definition["steps"]) + 1


@dataclass(frozen=True)
class RequiredDocument:
    name: str
    upload_label: str  # the label of the form field that collects it, or ""
    reason: str  # why there is no upload, or ""


def _document_name(document: dict) -> dict:
    # Versions stored before documents named their upload were plain translated texts.
    return document.get("name", document)


def required_documents(definition: dict, language: str) -> list[RequiredDocument]:
    labels = {field["id"]: field["label"] for _step, field in iter_fields(definition)}
    return [
        RequiredDocument(
            name=translated(_document_name(document), language),
            upload_label=translated(labels.get(document.get("upload", "")), language),
            reason=translated(document.get("reason"), language),
        )
        for document in definition.get("required_documents", [])
    ]


def signature_statement(definition: dict) -> tuple[str, str]:
    """``(requirement, how)``: the words the procedure page shows before the form."""
    mode = signature_requirement(definition)
    if mode == "required":
        return pgettext("electronic signature", "Required"), gettext(
            "Sign the application with the signing certificate of your My Number Card (署名用電子証明書) on the "
            "confirmation page, after the form, using a card reader and your signing software. An application "
            "without the signature is not accepted."
        )
    if mode == "optional" and (instead := unsigned_requirement_text(definition)):
        return pgettext("electronic signature", "Optional"), instead
    if mode == "optional":
        return pgettext("electronic signature", "Optional"), gettext(
            "You may sign the application with the signing certificate of your My Number Card (署名用電子証明書) "
            "on the confirmation page, after the form. You can also apply without signing."
        )
    return pgettext("electronic signature", "Not needed"), gettext("This procedure takes no electronic signature.")


def unsigned_requirement_text(definition: dict) -> str:
    """What a resident who does not sign must attach (``unsigned_requires``), or "" if nothing.

    The same sentence on the procedure page, before the form, and in the submit's refusal.
    """
    labels = [
        label_in_sentence(translated(spec["label"], get_language()))
        for _step, spec in iter_fields(definition)
        if spec["id"] in set(definition.get("unsigned_requires") or [])
    ]
    if not labels:
        return ""
    return gettext(
        "Sign the application with your My Number Card, or attach %(documents)s. You sign on the confirmation "
        "page, after the form, with the signing certificate of your card (署名用電子証明書); without the "
        "signature, attach the copy in the form. An application with neither is not accepted."
    ) % {"documents": pgettext("list separator", ", ").join(labels)}
