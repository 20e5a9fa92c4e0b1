"""The payment of a case's fee: one row per case that has something to pay.

The amount and method are fixed at submission from the procedure's fee rule
(:func:`madoguchi.procedures.fees.fee_compute`); the state only moves along
:data:`madoguchi.payments.services.TRANSITIONS`, each move an audit entry.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class PaymentState(models.TextChoices):
    # If you add a state here, add its transitions to payments.services.TRANSITIONS.
    UNPAID = "unpaid", _("Not paid yet")
    PENDING = "pending", _("Payment under way")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    REFUNDED = "refunded", _("Refunded")


class PaymentMethod(models.TextChoices):
    # The values are the catalog's ``fee.payment_methods`` (procedures.fees.PAYMENT_METHODS).
    COUNTER = "counter", _("At the counter")
    SLIP = "slip", _("Payment slip (nōfusho)")
    POSTAL_ORDER = "postal_order", _("Postal order (teigaku kogawase)")
    # Never fixed at submission: a payment becomes ``online`` when the provider confirms it.
    ONLINE = "online", _("Online payment")


class Payment(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="payment")
    amount = models.PositiveIntegerField(_("amount (yen)"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    state = models.CharField(_("state"), max_length=16, choices=PaymentState.choices, default=PaymentState.UNPAID)
    # 納付番号: printed on the 納付書 and quoted by the bank; the receipt number's digits and a check digit.
    payment_number = models.CharField(_("payment number"), max_length=24, unique=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # An online payment (payments.providers): the provider's id and its reference (e.g. a session id).
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True, db_index=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.payment_number


class ProviderCallback(models.Model):
    """A provider's callback that was accepted (signature checked), kept so a retry changes nothing."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="callbacks")
    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    outcome = models.CharField(max_length=16, choices=PaymentState.choices)
    received_at = models.DateTimeField()

    objects = municipality_scoped_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="uniq_provider_callback_event")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
