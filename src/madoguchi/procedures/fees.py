"""Fees (手数料): what an application costs, computed from its definition and its answers.

A certificate costs so much per copy (印鑑登録証明書 300円/通), a registration a fixed amount,
most procedures nothing; and some answers make a charged procedure free (a 住民票 used for a
public pension claim is issued without charge). The catalog YAML states the rule beside its
text, so the procedure page, the confirmation page, the status page, the case page and the
decision notice all read the same number::

    fee:
      amount: 300                      # yen; 0 means free
      per: [copies]                    # × each answer: an integer, or how many choices were ticked
      exempt_if:                       # answers that make it free, with the reason shown
        - field: purpose
          in: [pension]
          reason: {ja: 年金の手続に使う証明書は無料です。, en: ...}
      payment_methods: [counter, slip, postal_order]
      payment_method_field: payment_method   # a choice field whose values are methods (optional)

The payment method is the answer of ``payment_method_field`` when it is shown and answered,
otherwise the first of ``payment_methods``. :func:`fee_compute` is the one function that turns
a definition and answers into a :class:`Fee`; :func:`check_fee_rule` is its catalog check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.procedures.definition import DefinitionProblem, iter_fields, translated

# 窓口で支払う / 納付書 (a payment slip the resident downloads) / 定額小為替 (postal order sent with a postal request)
# / online: paid through the deployment's payment provider from the status page. ``online`` is offered
# beside the method fixed at submission, never as that method, since a deployment may have no provider.
PAYMENT_METHODS = ("counter", "slip", "postal_order", "online")
ONLINE = "online"
# A fee note may not promise online payment: whether it is offered depends on the deployment,
# and the pages say it where it is (docs/fees.md#online-payment).
_ONLINE_PROMISE = re.compile(r"オンライン(決済|で(の)?(お)?支払|で納付)|クレジットカード|pay(ing|ment)? online|credit card", re.I)
MULTIPLIER_TYPES = {"integer", "multichoice"}
METHOD_LABELS = {
    "counter": gettext_lazy("Pay at the counter when you collect it"),
    "slip": gettext_lazy("Payment slip (nōfusho)"),
    "postal_order": gettext_lazy("Postal order (teigaku kogawase)"),
    "online": gettext_lazy("Online payment"),
}
METHOD_INSTRUCTIONS = {
    "counter": gettext_lazy("Pay the fee at the counter when you collect the document."),
    "slip": gettext_lazy(
        "Download the payment slip (PDF) from the status page and pay the amount with its payment number at a bank"
        " or at the city office. The document is issued once the payment is confirmed."
    ),
    "postal_order": gettext_lazy(
        "Buy postal orders (teigaku kogawase) for the amount at a post office and send them to the city office"
        " with a note of your receipt number. Do not write on the postal orders. The document is issued once"
        " they arrive."
    ),
}


@dataclass(frozen=True)
class Fee:
    """The fee of one application: ``total`` yen = ``unit_amount`` × ``quantity``, or 0 if exempt."""

    unit_amount: int
    quantity: int
    total: int
    exemption: dict[str, str] | None  # the reason ({ja, en}) when an answer made it free
    method: str  # one of PAYMENT_METHODS ("" when nothing is to be paid)

    @property
    def payable(self) -> bool:
        return self.total > 0


def _quantity(rule: dict, answers: dict[str, Any]) -> int:
    quantity = 1
    for field_id in rule.get("per") or []:
        answer = answers.get(field_id)
        if isinstance(answer, list):
            quantity *= len(answer)
        elif isinstance(answer, bool) or answer in (None, ""):
            quantity *= 0
        else:
            try:
                quantity *= max(int(answer), 0)
            except (TypeError, ValueError):
                quantity *= 0
    return quantity


def _exemption(rule: dict, answers: dict[str, Any]) -> dict[str, str] | None:
    for exemption in rule.get("exempt_if") or []:
        answer = answers.get(exemption["field"])
        given = answer if isinstance(answer, list) else [answer]
        if any(value in exemption["in"] for value in given):
            return exemption["reason"]
    return None


def fee_compute(definition: dict, answers: dict[str, Any]) -> Fee:
    """Return the fee of an application with ``answers`` (clean values) to ``definition``."""
    rule = definition["fee"]
    unit = int(rule["amount"])
    quantity = _quantity(rule, answers)
    exemption = _exemption(rule, answers) if unit else None
    total = 0 if exemption else unit * quantity
    method = ""
    if total:
        methods = rule.get("payment_methods") or ["counter"]
        chosen = answers.get(rule.get("payment_method_field") or "")
        method = chosen if chosen in methods else methods[0]
    return Fee(unit_amount=unit, quantity=quantity, total=total, exemption=exemption, method=method)


def check_fee_rule(definition: dict) -> None:
    """Refuse a fee rule that names a missing or unsuitable field, or an unknown method.

    Registered as a definition check (``procedures.fees``), so ``madoguchi catalog check``
    and the loader refuse the same files.
    """
    rule = definition["fee"]
    fields = {spec["id"]: spec for _step, spec in iter_fields(definition)}
    for index, field_id in enumerate(rule.get("per") or []):
        spec = fields.get(field_id)
        if spec is None or spec["type"] not in MULTIPLIER_TYPES:
            raise DefinitionProblem(
                f"fee/per: '{field_id}' must be an integer or multichoice field", path=["fee", "per", index]
            )
    for index, exemption in enumerate(rule.get("exempt_if") or []):
        spec = fields.get(exemption["field"])
        if spec is None or spec["type"] not in {"choice", "multichoice"}:
            raise DefinitionProblem(
                f"fee/exempt_if: '{exemption['field']}' must be a choice field", path=["fee", "exempt_if", index]
            )
        unknown = sorted(set(exemption["in"]) - {c["value"] for c in spec["choices"]})
        if unknown:
            raise DefinitionProblem(
                f"fee/exempt_if: {unknown} are not choices of '{spec['id']}'", path=["fee", "exempt_if", index]
            )
    methods = rule.get("payment_methods") or []
    if rule["amount"] == 0 and (methods or rule.get("per") or rule.get("exempt_if")):
        raise DefinitionProblem("fee: a free procedure (amount 0) takes no payment rule", path=["fee"])
    if methods and methods[0] == ONLINE:
        raise DefinitionProblem(
            "fee/payment_methods: 'online' cannot come first: the first method is the one fixed at submission, "
            "and a deployment without a payment provider cannot take it (list e.g. [counter, online])",
            path=["fee", "payment_methods", 0],
        )
    for language, text in (rule.get("note") or {}).items():
        if _ONLINE_PROMISE.search(text or ""):
            raise DefinitionProblem(
                "fee/note: do not promise online payment in the note; the status page offers it where the "
                "deployment has a payment provider (list 'online' in payment_methods)",
                path=["fee", "note", language],
            )
    method_field = rule.get("payment_method_field")
    if method_field:
        spec = fields.get(method_field)
        if spec is None or spec["type"] != "choice":
            raise DefinitionProblem(
                f"fee/payment_method_field: '{method_field}' must be a choice field",
                path=["fee", "payment_method_field"],
            )
        unknown = sorted({c["value"] for c in spec["choices"]} - set(methods))
        if ONLINE in {c["value"] for c in spec["choices"]}:
            raise DefinitionProblem(
                "fee/payment_method_field: 'online' is not a choice: it is offered on the status page, beside the "
                "chosen method, where the deployment has a payment provider",
                path=["fee", "payment_method_field"],
            )
        if unknown:
            raise DefinitionProblem(
                f"fee/payment_method_field: choices {unknown} are not in payment_methods",
                path=["fee", "payment_method_field"],
            )


def yen_text(amount: int, language: str | None) -> str:
    """Return ``amount`` as the resident reads it: 「1,200円」 in Japanese, "¥1,200" otherwise."""
    return f"{amount:,}円" if (language or "ja").startswith("ja") else f"¥{amount:,}"


def method_label(method: str) -> str:
    return str(METHOD_LABELS.get(method, ""))


def method_instructions(method: str) -> str:
    return str(METHOD_INSTRUCTIONS.get(method, ""))


def fee_summary(definition: dict, answers: dict[str, Any], language: str | None) -> dict[str, Any]:
    """Return what a page shows about the fee of ``answers``: total, breakdown, exemption, method."""
    fee = fee_compute(definition, answers)
    rule = definition["fee"]
    breakdown = ""
    if fee.unit_amount and rule.get("per") and not fee.exemption:
        breakdown = _("%(unit)s × %(quantity)s") % {"unit": yen_text(fee.unit_amount, language), "quantity": fee.quantity}
    return {
        "fee": fee,
        "total": yen_text(fee.total, language),
        "breakdown": breakdown,
        "exemption": translated(fee.exemption, language) if fee.exemption else "",
        "free": not fee.payable,
        "method": fee.method,
        "method_label": method_label(fee.method),
        "instructions": method_instructions(fee.method),
    }
