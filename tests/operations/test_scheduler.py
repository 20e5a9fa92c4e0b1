"""The scheduler (operations.scheduler): due jobs by an injected clock, one run per slot across
restarts, failures recorded without stopping it, leases that outlive a dead scheduler."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from tests.operations.conftest import JST, Counter, make_job

from madoguchi.operations.jobs import JobFailed
from madoguchi.operations.models import JobRun, RunOutcome, ScheduledJob
from madoguchi.operations.scheduler import Scheduler, error_summary

pytestmark = pytest.mark.django_db


def scheduler(clock, *jobs, owner="a"):
    instance = Scheduler(jobs=list(jobs), clock=clock, owner=owner)
    instance.ensure_rows()
    return instance


def test_a_daily_job_runs_at_its_time_and_not_again_until_the_next_day(clock):
    purge = Counter()
    s = scheduler(clock, make_job("purge", purge, "daily 03:00"))
    s.run_due()  # first start: the job has never run, so it runs once now
    assert purge.runs == 1

    clock.set(clock.now.replace(day=16, hour=2, minute=59))
    s.run_due()
    assert purge.runs == 1
    clock.set(clock.now.replace(hour=3, minute=0))
    s.run_due()
    s.run_due()
    assert purge.runs == 2
    run = JobRun.objects.filter(job="purge").first()
    assert (run.outcome, run.slot.astimezone(JST).hour) == (RunOutcome.OK, 3)


def test_after_three_days_of_downtime_a_daily_job_runs_once_not_three_times(clock):
    purge = Counter()
    scheduler(clock, make_job("purge", purge, "daily 03:00")).run_due()

    clock.advance(days=3)
    restarted = scheduler(clock, make_job("purge", purge, "daily 03:00"), owner="b")
    restarted.run_due()
    restarted.run_due()

    assert purge.runs == 2
    assert JobRun.objects.filter(job="purge").count() == 2


def test_a_minutely_job_runs_each_minute(clock):
    send = Counter()
    s = scheduler(clock, make_job("send", send, "every 1m"))
    for _ in range(3):
        s.run_due()
        clock.advance(seconds=30)
        s.run_due()
        clock.advance(seconds=30)
    assert send.runs == 3


def test_a_failing_job_is_recorded_with_a_short_error_and_the_others_still_run(clock):
    broken = Counter(CommandError("audit chain broken: 082015 (ask taro@example.jp)"))
    fine = Counter()
    s = scheduler(clock, make_job("broken", broken), make_job("fine", fine))

    runs = {run.job: run for run in s.run_due()}

    assert runs["broken"].outcome == RunOutcome.FAILED
    assert runs["broken"].error == "CommandError: audit chain broken: 082015 (ask [address])"
    assert runs["fine"].outcome == RunOutcome.OK and fine.runs == 1
    state = ScheduledJob.objects.get(name="broken")
    assert (state.last_outcome, state.last_success_at, state.lease_owner) == (RunOutcome.FAILED, None, "")


def test_a_command_that_exits_non_zero_is_a_failed_run_and_does_not_stop_the_scheduler(clock, monkeypatch):
    from madoguchi.operations import jobs

    def exits(*args, **options):
        options["stdout"].write("checking\n")
        raise SystemExit(2)

    monkeypatch.setattr(jobs, "call_command", exits)
    s = scheduler(clock, make_job("exits", jobs._command("records", "dispose")))

    [run] = s.run_due()

    assert (run.outcome, run.error) == (RunOutcome.FAILED, "JobFailed: exit status 2")


def test_a_command_that_raises_command_error_is_a_failed_run(clock):
    from madoguchi.operations import jobs

    s = scheduler(clock, make_job("unknown", jobs._command("records", "dispose", "--municipality", "999999")))
    [run] = s.run_due()
    assert (run.outcome, run.error) == (RunOutcome.FAILED, "CommandError: Unknown municipality 999999")


def test_error_summaries_keep_one_line():
    summary = error_summary(JobFailed("mail server unreachable\nTraceback ..."))
    assert summary == "JobFailed: mail server unreachable"
    assert len(error_summary(ValueError("x" * 1000))) == 300


def test_a_job_held_by_another_scheduler_is_not_started_until_its_lease_runs_out(clock):
    purge = Counter()
    first = scheduler(clock, make_job("purge", purge, "every 1m"), owner="first")
    [claim] = first.due_claims()  # the first scheduler dies here, holding the lease
    second = scheduler(clock, make_job("purge", purge, "every 1m"), owner="second")

    clock.advance(minutes=1)
    assert second.run_due() == []
    clock.advance(minutes=2)
    [run] = second.run_due()

    assert purge.runs == 1 and run.scheduler == "second"
    assert claim.job.name == "purge"


def test_a_job_switched_off_never_runs(clock):
    off = Counter()
    scheduler(clock, make_job("off", off, "off")).run_due()
    assert off.runs == 0
