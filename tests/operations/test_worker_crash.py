"""A documents worker killed with kill -9 in the middle of a task (issue: 1 of 12 decisions
never got its 決定通知書). Real ``madoguchi db_worker`` processes on the real database: the
task is retaken once the worker is dead — not while it is alive — and the resident gets
exactly one document. PostgreSQL only: the worker processes need a database they can share
with the test (the suite's SQLite database lives in the test process's memory)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.backoffice.casework import complete_route, pay_fee, staff, submit_inkan

from madoguchi.audit.models import AuditEntry
from madoguchi.cases import workflow
from madoguchi.operations.models import WorkerHeartbeat
from madoguchi.operations.recovery import WORKER_STALE, tasks_recover
from madoguchi.signatures.models import IssuedDocument

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]
WAIT = 120  # seconds; only reached when something is broken


def worker_env(gate: Path, mode: str) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "GATE_DIR": str(gate),
        "GATE_MODE": mode,
        "MADOGUCHI_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MADOGUCHI_SIGNATURES_FILE": str(settings.MADOGUCHI_SIGNATURES_FILE),
        "MADOGUCHI_BASE_DIR": str(REPO),
    }


def start_worker(gate: Path, mode: str, *options: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.operations.gated_worker", "--queue-name", "documents",
               "--no-reload", "--no-startup-delay", "--interval", "0.2", *options]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, env=worker_env(gate, mode), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the worker exited early:\n{process.stdout.read().decode()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the worker never reached the gate")
        time.sleep(0.05)


def decide(case, now):
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    pay_fee(complete_route(case, now=now), now=now)  # a certificate waits for its fee
    return workflow.case_decide(staff=staff("aoba-approver"), case=case, approve=True, reason="", now=now)


@pytest.fixture
def decided(aoba, version_of, now, documents_configured, database_tasks, settings):
    settings.MADOGUCHI_TASK_TIMEOUTS = {"documents": timedelta(0), "default": timedelta(minutes=60)}
    case = submit_inkan(aoba, version_of, now=now)
    decide(case, now)  # commits; the decision's document task is now in the database queue
    return case


def documents_of(case):
    return list(IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk))


@pytest.mark.parametrize("gate_mode", ["after", "before"], ids=["killed-after-issuing", "killed-before-issuing"])
def test_a_document_task_of_a_killed_worker_is_retaken_and_issues_exactly_one_document(decided, tmp_path, gate_mode):
    [task] = DBTaskResult.objects.filter(queue_name="documents")
    worker = start_worker(tmp_path, gate_mode, "--worker-id", "doomed")
    try:
        wait_for(tmp_path / "reached", worker)
        task.refresh_from_db()
        assert (task.status, task.worker_ids) == (TaskResultStatus.RUNNING, ["doomed"])
        assert WorkerHeartbeat.objects.filter(worker_id="doomed").exists()

        # Past the (zero) timeout, but the worker is alive: its task stays with it.
        assert tasks_recover().kept_alive == 1

        worker.send_signal(signal.SIGKILL)
        worker.wait(WAIT)
    finally:
        worker.kill()
        worker.stdout.close()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # what the bug left behind for good
    assert len(documents_of(decided)) == (1 if gate_mode == "after" else 0)

    report = tasks_recover(now=timezone.now() + WORKER_STALE + timedelta(seconds=1))
    assert report.requeued == 1

    second = start_worker(tmp_path, "none", "--batch", "--worker-id", "second")
    output, _ = second.communicate(timeout=WAIT)
    assert second.returncode == 0, output.decode()

    task.refresh_from_db()
    [document] = documents_of(decided)
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["doomed", "second"]
    assert task.return_value == document.pk and document.version == 1
    issued = AuditEntry.objects.for_municipality(decided.municipality).filter(event="signatures.document.issued")
    assert issued.count() == 1
    assert not WorkerHeartbeat.objects.filter(worker_id="second").exists()  # a clean exit says goodbye
