"""The platform operator's operations page, in Django's admin (``/admin/operations/``).

Why the admin: the operator is a Django superuser (or a staff user given the operations
permissions) who already works across municipalities in ``/admin/``; the back office under
``/staff/`` is for one municipality's staff and has no place for platform-wide jobs.

"Recurring jobs" opens the status page: each job's schedule, last success and whether it is
overdue; each task queue's backlog; failed and stuck tasks with their error and, for a
failed one, a Retry button (POST; needs ``operations.retry_task``; audited as
``operations.task.retried`` in the chain of the task's municipality).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from madoguchi.operations import selectors
from madoguchi.operations.jobs import recurring_jobs
from madoguchi.operations.models import JobRun, ScheduledJob, WorkerHeartbeat
from madoguchi.operations.services import TaskNotRetryable, task_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnlyAdmin):
    """Its list is the operations status page."""

    def get_urls(self):
        return [
            path("retry/<uuid:task_id>/", self.admin_site.admin_view(self.retry_view), name="operations_task_retry"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        labels = {job.name: job.label for job in recurring_jobs()}
        health = selectors.recurring_jobs_health()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Operations"),
            "opts": self.model._meta,
            "jobs": [(job, labels[job.name]) for job in health.jobs],
            "overdue": health.overdue,
            "queues": selectors.task_queue_health().queues,
            "failed_tasks": selectors.failed_tasks(),
            "stuck_tasks": selectors.stuck_tasks(),
            "failed_runs": JobRun.objects.filter(outcome="failed")[:10],
            "can_retry": request.user.has_perm("operations.retry_task"),
        }
        return TemplateResponse(request, "admin/operations/status.html", context)

    @staticmethod
    @require_POST
    def retry_view(request, task_id):
        if not request.user.has_perm("operations.retry_task"):
            raise PermissionDenied
        try:
            task_retry(task_id=str(task_id), actor=f"platform:{request.user.get_username()}")
        except DBTaskResult.DoesNotExist as exc:
            raise Http404 from exc
        except TaskNotRetryable:
            messages.error(request, _("Only a failed task can be retried; this one is no longer failed."))
        else:
            messages.success(request, _("The task is back in its queue and will run again shortly."))
        return HttpResponseRedirect(reverse("admin:operations_scheduledjob_changelist"))


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "slot", "started_at", "duration_seconds", "outcome", "error", "scheduler"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
    show_full_result_count = False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "queues", "hostname", "pid", "started_at", "last_seen_at"]
