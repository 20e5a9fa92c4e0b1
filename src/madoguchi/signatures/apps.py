from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "madoguchi.signatures"
    verbose_name = _("Signatures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # asn1crypto.tsp and pyHanko add CMS attribute names (signing_certificate_v2, …) to
        # asn1crypto's tables when imported, but asn1crypto caches its name→OID table the first
        # time any attribute is built by name. Importing them before any CMS work makes the
        # names known in every process (web, worker, commands) whatever runs first.
        import pyhanko.sign.signers  # noqa: F401

        from madoguchi.approvals.events import approval_recorded
        from madoguchi.cases.events import case_status_changed, case_submitted, submission_checking
        from madoguchi.signatures import checks, subscribers  # noqa: F401  (checks registers the font check)

        submission_checking.subscribe(subscribers.resident_signature_verify)
        case_submitted.subscribe(subscribers.resident_signature_keep)
        approval_recorded.subscribe(subscribers.approval_sign)
        case_status_changed.subscribe(subscribers.decision_sign_and_issue)
        from madoguchi.observability.health import register_check
        from madoguchi.observability.metrics import register_collector
        from madoguchi.signatures import health

        register_check("signatures.crl", health.crl_health, critical=False)
        register_check("signatures.signing_key", health.signing_key_health, critical=False)
        register_collector("signatures", health.signature_metrics)
