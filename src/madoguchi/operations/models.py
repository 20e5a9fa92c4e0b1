"""What the scheduler remembers, what it did, and which task workers are alive.

None of these rows belongs to a municipality: the scheduler and the task workers serve the
whole platform, so these models are not tenant-scoped (and hold no personal data).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunOutcome(models.TextChoices):
    # With a context: the notifications app has its own "Failed" (送信失敗).
    OK = "ok", pgettext_lazy("operations", "Succeeded")
    FAILED = "failed", pgettext_lazy("operations", "Failed")


class ScheduledJob(models.Model):
    """The scheduler's memory of one recurring job, and the lease that lets one scheduler run it.

    ``last_slot`` is the schedule time (e.g. today 03:00) whose run was last started; a job
    is due when the latest slot is newer. After downtime the latest slot is the only one
    missed that counts, so a daily job runs once, not once per missed day. The lease
    (``lease_owner`` until ``lease_expires_at``) is taken by a conditional UPDATE, so two
    schedulers never run one job at once; a scheduler that dies loses it when it expires.
    """

    name = models.CharField(_("job"), max_length=64, primary_key=True)
    last_slot = models.DateTimeField(_("last scheduled time started"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=8, choices=RunOutcome.choices, blank=True)
    lease_owner = models.CharField(_("running in"), max_length=128, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("first seen"))

    class Meta:
        ordering = ["name"]
        # The platform operator's Retry button on the operations page (superusers have it).
        permissions = [("retry_task", _("Can retry failed background tasks"))]
        verbose_name = _("recurring job")
        verbose_name_plural = _("recurring jobs")

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a recurring job: when, how long, and whether it worked.

    ``error`` is a one-line summary (exception class and message, shortened, e-mail addresses
    masked); the job's full output goes to the scheduler's log.
    """

    job = models.CharField(_("job"), max_length=64)
    slot = models.DateTimeField(_("scheduled time"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    duration_seconds = models.FloatField(_("duration (seconds)"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=RunOutcome.choices)
    error = models.CharField(_("error"), max_length=300, blank=True)
    scheduler = models.CharField(_("scheduler"), max_length=128)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started_idx")]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class WorkerHeartbeat(models.Model):
    """A task worker (``madoguchi db_worker``) that says every few seconds that it is alive.

    Task recovery retakes a task left RUNNING only when the worker that took it has stopped
    beating (or never beat): a worker that is alive and busy keeps its task.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    queues = models.CharField(_("queues"), max_length=200)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["worker_id"]
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
