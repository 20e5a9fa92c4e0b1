from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "madoguchi.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from madoguchi.cases.events import case_submitted, submission_checking
        from madoguchi.payments import checks  # noqa: F401  (registers the provider keys check)
        from madoguchi.payments.actions import payment_actions_register
        from madoguchi.payments.providers import payment_providers
        from madoguchi.payments.providers.stripe import StripeCheckout
        from madoguchi.payments.subscribers import (
            certificate_held_until_paid,
            fee_noted_in_submission,
            payment_opened,
        )
        from madoguchi.signatures.documents.events import document_issuing

        payment_providers.add(StripeCheckout.id, StripeCheckout)
        submission_checking.subscribe(fee_noted_in_submission)
        case_submitted.subscribe(payment_opened)
        document_issuing.subscribe(certificate_held_until_paid)
        payment_actions_register()
