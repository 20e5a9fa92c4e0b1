from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservabilityConfig(AppConfig):
    name = "madoguchi.observability"
    label = "observability"
    verbose_name = _("Observability")

    def ready(self) -> None:
        from django.core.signals import got_request_exception
        from django_tasks_db.compat import task_finished, task_started

        from madoguchi.observability import checks, context, metrics, unavailable

        checks.register_builtin_checks()
        metrics.register_builtin_collectors()
        got_request_exception.connect(unavailable.remember_request_exception, dispatch_uid="observability-exception")
        task_started.connect(context.task_started, dispatch_uid="observability-task-started")
        task_finished.connect(context.task_finished, dispatch_uid="observability-task-finished")
