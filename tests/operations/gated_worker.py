"""A real ``madoguchi db_worker`` whose document issuance waits at a gate the test controls.

Run as ``python -m tests.operations.gated_worker [db_worker options]`` with GATE_DIR and
GATE_MODE in the environment: ``after`` holds the task once its document is committed (the
worker then dies with the task RUNNING and the document issued), ``before`` holds it before
anything is written, ``none`` does not hold it. At the gate the worker creates
``GATE_DIR/reached``; the test kills it there, so nothing depends on timing.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.conf.settings.test")

import django
from django.conf import settings

# The suite runs tasks at once; this worker works the database queue, as in production.
settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "documents"]}}
django.setup()

from django.core.management import call_command  # noqa: E402

from madoguchi.signatures.documents import services  # noqa: E402

GATE = Path(os.environ["GATE_DIR"])
MODE = os.environ.get("GATE_MODE", "none")
_issue = services.document_issue


def _wait_at_gate() -> None:
    (GATE / "reached").touch()
    while True:  # the test never opens it: it kills this process here
        time.sleep(3600)


def held_issue(**kwargs):
    if MODE == "before":
        _wait_at_gate()
    document = _issue(**kwargs)
    if MODE == "after":
        _wait_at_gate()
    return document


services.document_issue = held_issue

if __name__ == "__main__":
    call_command("db_worker", *sys.argv[1:])
