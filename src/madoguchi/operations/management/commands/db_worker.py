"""``madoguchi db_worker``: django-tasks' database worker, with a heartbeat and recovery at start.

The same command and options as django_tasks_db's (this app comes first in INSTALLED_APPS,
so its command takes the name). Added: while the worker runs, a thread records every few
seconds that it is alive (:class:`~madoguchi.operations.models.WorkerHeartbeat`), so task
recovery never takes a task from a live worker; and on start it retakes the tasks that dead
workers left RUNNING on its queues (madoguchi.operations.recovery).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import DatabaseError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from madoguchi.operations.recovery import HEARTBEAT_INTERVAL, tasks_recover
from madoguchi.operations.services import worker_heartbeat, worker_heartbeat_remove

logger = logging.getLogger("madoguchi.operations.worker")


class Heartbeat(threading.Thread):
    def __init__(self, *, worker_id: str, queues: list[str]):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.queues = queues
        self.stopped = threading.Event()

    def beat(self) -> None:
        worker_heartbeat(worker_id=self.worker_id, queues=self.queues, hostname=socket.gethostname(), pid=os.getpid())

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_INTERVAL.total_seconds()):
                try:
                    self.beat()
                except DatabaseError:
                    logger.warning("Heartbeat of worker %s failed; trying again", self.worker_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()


class Command(DatabaseWorkerCommand):
    help = "Run a database task worker (with a heartbeat, and recovery of tasks left by dead workers)."

    def handle(self, *, queue_name: str, worker_id: str, reload: bool, batch: bool, **options) -> None:
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only restarts the child, which does the work (and beats).
            return super().handle(queue_name=queue_name, worker_id=worker_id, reload=reload, batch=batch, **options)
        queues = queue_name.split(",")
        heartbeat = Heartbeat(worker_id=worker_id, queues=queues)
        heartbeat.beat()
        heartbeat.start()
        try:
            report = tasks_recover(queues=None if "*" in queues else queues)
            if report.requeued or report.gave_up:
                logger.warning("Worker %s retook %s task(s) of dead workers", worker_id, report.requeued + report.gave_up)
            super().handle(queue_name=queue_name, worker_id=worker_id, reload=reload, batch=batch, **options)
        finally:
            heartbeat.stopped.set()
            heartbeat.join(timeout=5)
            worker_heartbeat_remove(worker_id=worker_id)
