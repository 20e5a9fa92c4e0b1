from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "madoguchi.approvals"
    label = "approvals"
    verbose_name = _("Approvals (電子決裁)")

    def ready(self) -> None:
        from madoguchi.approvals import subscribers
        from madoguchi.approvals.routes import check_route
        from madoguchi.cases.events import case_changing, case_status_changed
        from madoguchi.cases.selectors import case_visibility
        from madoguchi.procedures.definition import definition_checks

        case_changing.subscribe(subscribers.decision_waits_for_route)
        case_status_changed.subscribe(subscribers.route_on_review_start)
        case_visibility.add("approvals.consulted_departments", subscribers.consulted_departments)
        definition_checks.add("approvals.route", check_route)
