"""Reading resident signatures for staff: who signed, next to what the resident typed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.signer import signer_fields
from madoguchi.signatures.models import ResidentSignature

_SPACES = re.compile(r"\s+")
SEX_LABELS = {"1": _("male"), "2": _("female"), "9": _("not applicable")}


@dataclass(frozen=True)
class FactRow:
    label: str
    certificate: str
    typed: str  # "" when the application has no such answer
    matches: bool | None  # None: nothing to compare with


@dataclass(frozen=True)
class SignatureSummary:
    signature: ResidentSignature
    rows: list[FactRow]
    covers_current_answers: bool

    @property
    def has_mismatch(self) -> bool:
        return any(row.matches is False for row in self.rows)


def _folded(text: str) -> str:
    """Compare as staff would: width, compatibility forms and spacing do not matter."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _typed_facts(definition: dict, answers: dict) -> dict[str, str]:
    """The signer's facts as typed, from the fields the procedure names for its signer."""
    found: dict[str, str] = {}
    for fact, field_id in signer_fields(definition, answers).items():
        value = answers.get(field_id)
        if value in (None, "", {}):
            continue
        if fact == "name":
            found["name"] = " ".join(p for p in (value.get("family", ""), value.get("given", "")) if p)
        elif fact == "address":
            found["address"] = "".join(value.get(p, "") for p in ("prefecture", "city", "town", "block", "building"))
        else:
            found[fact] = str(value)
    return found


def _row(label, certificate: str, typed: str | None) -> FactRow:
    if not typed or not certificate:
        return FactRow(str(label), certificate, typed or "", None)
    return FactRow(str(label), certificate, typed, _folded(certificate) == _folded(typed))


def signature_summary(case) -> SignatureSummary | None:
    """The case's resident signature with the certificate's facts beside the answers, or None."""
    signature = ResidentSignature.objects.for_municipality(case.municipality).filter(case=case).first()
    if signature is None:
        return None
    facts = signature.facts
    typed = _typed_facts(case.procedure_version.definition, case.answers)
    rows = [
        _row(_("Name"), facts.get("name", ""), typed.get("name")),
        _row(_("Date of birth"), facts.get("birth_date", ""), typed.get("birth_date")),
        _row(_("Address"), facts.get("address", ""), typed.get("address")),
        FactRow(str(_("Sex")), str(SEX_LABELS.get(facts.get("sex", ""), facts.get("sex", ""))), "", None),
    ]
    return SignatureSummary(signature, rows, covers_current_answers=signature.answers_version == case.answers_version)
