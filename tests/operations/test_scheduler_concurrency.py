"""Two schedulers started by mistake (threads of their own, each with its own database
connection): the database lets exactly one of them run a job, however they race. On SQLite
and PostgreSQL (DATABASE_URL=postgres://...); the tight race on PostgreSQL only."""

from __future__ import annotations

import threading
from collections import Counter as Tally

import pytest
from django.db import connections
from tests.operations.conftest import Clock, make_job

from madoguchi.operations.models import JobRun
from madoguchi.operations.scheduler import Scheduler

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 30  # seconds; only ever reached if the code under test is broken


def in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_scheduler_does_not_start_a_job_the_first_is_running(clock):
    started, release = threading.Event(), threading.Event()
    lock, active, most = threading.Lock(), [0], [0]

    def exclusive() -> str:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        started.set()
        release.wait(WAIT)
        with lock:
            active[0] -= 1
        return "done"

    job = make_job("exclusive", exclusive, "every 1m")
    first, second = Scheduler(jobs=[job], clock=clock, owner="first"), Scheduler(jobs=[job], clock=clock, owner="second")
    first.ensure_rows()
    thread = in_thread(first.run_due)
    assert started.wait(WAIT)

    assert second.run_due() == []  # same slot, lease held
    clock.advance(minutes=1)
    assert second.run_due() == []  # next slot, but the first is still running it
    release.set()
    thread.join(WAIT)
    [run] = second.run_due()  # the first has ended: the next slot is the second's to run

    assert most[0] == 1
    assert run.scheduler == "second"
    assert list(JobRun.objects.order_by("started_at").values_list("scheduler", flat=True)) == ["first", "second"]


# SQLite's shared in-memory test database answers a concurrent write with "table is locked"
# instead of waiting (a file database, as deployed, waits); the race is PostgreSQL's to show.
@pytest.mark.postgres
def test_two_schedulers_racing_for_every_slot_run_each_slot_exactly_once(clock):
    slots = 15
    ran: Tally = Tally()
    lock = threading.Lock()
    barrier = threading.Barrier(2, timeout=WAIT)

    def body() -> str:
        with lock:
            ran[clocks[threading.current_thread().name].now] += 1
        return "done"

    job = make_job("raced", body, "every 1m")
    clocks = {name: Clock(clock.now) for name in ("a", "b")}
    Scheduler(jobs=[job], clock=clock, owner="setup").ensure_rows()

    def scheduler_loop():
        name = threading.current_thread().name
        scheduler = Scheduler(jobs=[job], clock=clocks[name], owner=name)
        for _ in range(slots):
            barrier.wait()
            scheduler.run_due()
            barrier.wait()
            clocks[name].advance(minutes=1)

    threads = [threading.Thread(target=lambda: (scheduler_loop(), connections.close_all()), name=n) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)

    assert len(ran) == slots
    assert set(ran.values()) == {1}
    assert JobRun.objects.filter(job="raced").count() == slots


def test_the_long_running_scheduler_runs_due_jobs_in_threads_and_stops_when_told(clock):
    ran, stop = threading.Event(), threading.Event()

    def body() -> str:
        ran.set()
        return "done"

    scheduler = Scheduler(jobs=[make_job("served", body, "daily 03:00")], clock=clock, owner="served")
    thread = in_thread(lambda: scheduler.serve(stop))
    assert ran.wait(WAIT)
    stop.set()
    thread.join(WAIT)

    assert not thread.is_alive()
    assert JobRun.objects.filter(job="served", scheduler="served").count() == 1
