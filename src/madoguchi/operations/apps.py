from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "madoguchi.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from madoguchi.observability.health import register_check
        from madoguchi.operations.selectors import recurring_jobs_health, task_queue_health

        # Reported on /health/ready; neither makes the instance unready: the app still serves
        # residents while a job is overdue, and the alerts say what to do.
        register_check("operations.recurring_jobs", lambda: recurring_jobs_health().as_dict(), critical=False)
        register_check("operations.task_queue", lambda: task_queue_health().as_dict(), critical=False)
