from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "madoguchi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from madoguchi.cases.events import case_status_changed, case_submitted
        from madoguchi.notifications import checks  # noqa: F401  (registers the deploy checks)
        from madoguchi.notifications.subscribers import (
            resident_told_of_document,
            resident_told_of_receipt,
            resident_told_of_status,
        )
        from madoguchi.signatures.documents.events import document_issued

        case_submitted.subscribe(resident_told_of_receipt)
        case_status_changed.subscribe(resident_told_of_status)
        document_issued.subscribe(resident_told_of_document)
        from madoguchi.notifications.metrics import outbox_metrics
        from madoguchi.observability.metrics import register_collector

        register_collector("notifications", outbox_metrics)
