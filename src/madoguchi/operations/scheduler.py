"""``madoguchi scheduler``: one process that runs every recurring job at its time.

Each pass (:meth:`Scheduler.due_claims`) looks at every job's latest slot and tries to claim
the job with one conditional UPDATE: *if nobody holds its lease and this slot has not been
started, take the lease and mark the slot started*. The database decides, so two schedulers
started by mistake never run one job at once, and a slot runs once across restarts — after
downtime the job runs once for the latest slot it missed, not once per missed slot.

A claimed job runs in a thread of its own (a long signatures verification must not hold up
the e-mails), keeps its lease renewed while it runs, and records a :class:`JobRun` when it
ends. A scheduler that dies leaves its leases to expire (``LEASE``), after which another
scheduler may take the job at its next slot. A job that fails is recorded as failed and the
scheduler goes on; it is retried at its next slot, and becomes overdue if none succeeds
within its window.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.db.models import Q
from django.utils import timezone

from madoguchi.operations.jobs import RecurringJob, recurring_jobs, scheduler_timezone
from madoguchi.operations.models import JobRun, RunOutcome, ScheduledJob, WorkerHeartbeat

logger = logging.getLogger("madoguchi.operations.scheduler")

# How long a claim holds without renewal. The scheduler renews its leases on every pass
# (at most every POLL_MAX), so only a dead scheduler lets one run out.
LEASE = timedelta(minutes=2)
POLL_MAX = timedelta(seconds=20)
POLL_MIN = timedelta(seconds=0.5)
ERROR_LENGTH = 300
_EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")


@dataclass(frozen=True)
class Claim:
    job: RecurringJob
    slot: datetime
    started_at: datetime


def error_summary(exc: BaseException) -> str:
    """Return ``exc`` as one short line for the run record: class and first line, addresses masked."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    text = _EMAIL_ADDRESS.sub("[address]", text)
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def scheduler_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Scheduler:
    """Claims due jobs and runs them; ``clock`` is injected so tests never wait for time."""

    def __init__(
        self,
        *,
        jobs: list[RecurringJob] | None = None,
        clock: Callable[[], datetime] = timezone.now,
        owner: str | None = None,
        lease: timedelta = LEASE,
    ):
        self.jobs = {job.name: job for job in (jobs if jobs is not None else recurring_jobs())}
        self.clock = clock
        self.owner = owner or scheduler_identity()
        self.lease = lease
        self.tz = scheduler_timezone()
        self._running: set[str] = set()
        self._lock = threading.Lock()

    # -- claiming ------------------------------------------------------------------------------

    def ensure_rows(self) -> None:
        """Create the state row of every job that has none yet (first start, or a new job)."""
        now = self.clock()
        ScheduledJob.objects.bulk_create(
            [ScheduledJob(name=name, created_at=now) for name in self.jobs], ignore_conflicts=True
        )

    def due_claims(self) -> list[Claim]:
        """Renew this scheduler's leases, then claim every job whose latest slot has not started."""
        now = self.clock()
        self.renew(now=now)
        claims = []
        for job in self.jobs.values():
            if not job.schedule.enabled or self.is_running(job.name):
                continue
            slot = job.schedule.last_slot(now, self.tz)
            if self._claim(job, slot=slot, now=now):
                with self._lock:
                    self._running.add(job.name)
                claims.append(Claim(job=job, slot=slot, started_at=now))
        return claims

    def _claim(self, job: RecurringJob, *, slot: datetime, now: datetime) -> bool:
        # One statement: both databases apply it to the row atomically (PostgreSQL re-checks
        # the condition after waiting for a concurrent update; SQLite has one writer at a time).
        claimed = (
            ScheduledJob.objects.filter(name=job.name)
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
            .filter(Q(last_slot__isnull=True) | Q(last_slot__lt=slot))
            .update(lease_owner=self.owner, lease_expires_at=now + self.lease, last_slot=slot, last_started_at=now)
        )
        return claimed == 1

    def renew(self, *, now: datetime | None = None) -> None:
        with self._lock:
            names = list(self._running)
        if names:
            now = now or self.clock()
            ScheduledJob.objects.filter(name__in=names, lease_owner=self.owner).update(
                lease_expires_at=now + self.lease
            )

    def is_running(self, name: str) -> bool:
        with self._lock:
            return name in self._running

    # -- running -------------------------------------------------------------------------------

    def run(self, claim: Claim) -> JobRun:
        """Run a claimed job, record the run, give the lease back; never raise for the job's failure."""
        job = claim.job
        began = time.monotonic()
        error = ""
        try:
            summary = job.run()
        except Exception as exc:
            error = error_summary(exc)
            logger.error("Job %s failed after %.1f s: %s", job.name, time.monotonic() - began, error, exc_info=True)
        else:
            logger.info("Job %s succeeded in %.1f s: %s", job.name, time.monotonic() - began, summary)
        try:
            return self._record(claim, error=error, seconds=time.monotonic() - began)
        finally:
            with self._lock:
                self._running.discard(job.name)

    def _record(self, claim: Claim, *, error: str, seconds: float) -> JobRun:
        finished = self.clock()
        outcome = RunOutcome.FAILED if error else RunOutcome.OK
        run = JobRun.objects.create(
            job=claim.job.name,
            slot=claim.slot,
            started_at=claim.started_at,
            finished_at=finished,
            duration_seconds=round(seconds, 3),
            outcome=outcome,
            error=error,
            scheduler=self.owner,
        )
        state = {"last_finished_at": finished, "last_outcome": outcome}
        if outcome == RunOutcome.OK:
            state["last_success_at"] = finished
        ScheduledJob.objects.filter(name=claim.job.name).update(**state)
        ScheduledJob.objects.filter(name=claim.job.name, lease_owner=self.owner).update(
            lease_owner="", lease_expires_at=None
        )
        return run

    def run_due(self) -> list[JobRun]:
        """Claim the due jobs and run them one after another in this thread (``--once``, tests)."""
        return [self.run(claim) for claim in self.due_claims()]

    def serve(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set: claim due jobs each pass and run each in a thread of its own."""
        self.ensure_rows()
        logger.info("Scheduler %s started with %s", self.owner, ", ".join(self._describe()))
        with ThreadPoolExecutor(max_workers=len(self.jobs) or 1, thread_name_prefix="job") as pool:
            while not stop.is_set():
                close_old_connections()
                try:
                    for claim in self.due_claims():
                        pool.submit(self._run_in_thread, claim)
                except DatabaseError:
                    logger.exception("Scheduler pass failed; trying again")
                    connections.close_all()
                stop.wait(self._poll_seconds())
            # Jobs already running finish; their leases are kept alive until they do.
            while True:
                with self._lock:
                    if not self._running:
                        break
                self._renew_quietly()
                time.sleep(1)
        logger.info("Scheduler %s stopped", self.owner)

    def _run_in_thread(self, claim: Claim) -> None:
        try:
            self.run(claim)
        except Exception:
            logger.exception("Recording the run of %s failed", claim.job.name)
        finally:
            connections.close_all()  # this thread's connections only

    def _renew_quietly(self) -> None:
        try:
            self.renew()
        except DatabaseError:
            logger.exception("Renewing job leases failed")

    def _poll_seconds(self) -> float:
        now = self.clock()
        upcoming = [j.schedule.next_slot(now, self.tz) for j in self.jobs.values() if j.schedule.enabled]
        wait = min([slot - now for slot in upcoming if slot is not None] + [POLL_MAX])
        return max(wait, POLL_MIN).total_seconds()

    def _describe(self) -> list[str]:
        return [f"{job.name} ({job.schedule.text})" for job in self.jobs.values()]


def operations_prune(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete job runs older than ``MADOGUCHI_JOB_RUNS_KEEP_DAYS`` and heartbeats of workers
    silent for a day (long taken for dead); return how many of each."""
    now = now or timezone.now()
    keep = timedelta(days=getattr(settings, "MADOGUCHI_JOB_RUNS_KEEP_DAYS", 30))
    runs, _ = JobRun.objects.filter(started_at__lt=now - keep).delete()
    workers, _ = WorkerHeartbeat.objects.filter(last_seen_at__lt=now - timedelta(days=1)).delete()
    return runs, workers
