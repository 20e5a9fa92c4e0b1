"""Refusals of the payments domain, each with a code and a message a screen can show."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Conflict, Invalid


class PaymentStateNotAllowed(Conflict):
    """The payment cannot move from its state to the one asked for (e.g. a refund of an unpaid fee)."""

    code = "payment_state_not_allowed"
    message = _("The payment cannot be changed this way in its current state.")

    def __init__(self, current: str = "", to: str = ""):
        super().__init__()
        self.current, self.to = current, to


class NoPaymentSlip(Conflict):
    """The application is not paid by 納付書, or is already paid: no slip to give."""

    code = "no_payment_slip"
    message = _("There is no payment slip for this application.")


class NothingToPay(PaymentStateNotAllowed):
    """The fee is already paid (or refunded, or there is none): no online payment to start."""

    code = "nothing_to_pay"
    message = _("There is nothing left to pay for this application.")


class OnlinePaymentNotOffered(Conflict):
    """The procedure takes no online payment, or this deployment has no payment provider."""

    code = "online_payment_not_offered"
    message = _("Online payment is not offered for this application.")


class ReturnAddressNotAllowed(Invalid):
    """A return address after paying that is not the portal's or an allowed site's (an open redirect)."""

    code = "return_address_not_allowed"
    message = _("The return address must be on the portal or on a site allowed to use the API.")
