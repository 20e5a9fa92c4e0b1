"""The faults, one after another, while the load runs; each names its phase in the ledger.

| phase | what is done | what must hold |
|---|---|---|
| ``kill-app-N`` | kill -9 the gunicorn master of one app process; supervisord starts it again | the other app process serves; nothing acknowledged is lost |
| ``kill-worker-N`` | kill -9 the documents worker while it runs a document task | the task is retaken (recovery) and the document issued exactly once |
| ``restart-db-N`` | ``pg_ctlcluster … restart -m fast`` | requests in between answer 503 (or get no answer) and are repeated |
| ``disk-full`` | fill the media tmpfs to the last byte, hold, free it | submits with a file answer 503 + Retry-After, store nothing; the same keys succeed afterwards |
| ``read-only`` | ``default_transaction_read_only = on`` and end every session, hold, then off | writes answer 503 + Retry-After (never 429 or 500); look-ups still answer |
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.probes import app_answers
from reliability.instance import SuiteInstance, log
from reliability.ledger import Ledger

SETTLE_S = 8.0
HOLD_S = 15.0
WORKER_BUSY_WAIT_S = 45.0
FILLER = ".reliability-filler"


@dataclass
class FaultLog:
    """What each fault did, for the report: phase -> (began, ended, note)."""

    events: list[tuple[str, float, float, str]] = field(default_factory=list)
    killed_mid_task: int = 0
    worker_kills: int = 0
    disk_full_window: tuple[float, float] | None = None
    read_only_window: tuple[float, float] | None = None

    def add(self, phase: str, began: float, note: str) -> None:
        self.events.append((phase, began, time.monotonic(), note))


class Faults:
    def __init__(self, suite: SuiteInstance, ledger: Ledger):
        self.suite, self.ledger = suite, ledger
        self.log = FaultLog()

    def _phase(self, name: str) -> float:
        self.ledger.set_phase(name)
        log(f"fault: {name}")
        return time.monotonic()

    def settle(self, seconds: float = SETTLE_S, name: str = "steady") -> None:
        self.ledger.set_phase(name)
        time.sleep(seconds)

    def run(self, *, rounds: int) -> FaultLog:
        ports = self.suite.suite.web_ports
        for number in range(1, rounds + 1):
            self.kill_app(f"web-{(number - 1) % len(ports) + 1}", number)
            self.kill_worker(number)
            self.restart_database(number)
        self.disk_full()
        self.read_only()
        self.ledger.set_phase("recovered")
        return self.log

    # ------------------------------------------------------------------ faults

    def kill_app(self, program: str, number: int) -> None:
        began = self._phase(f"kill-app-{number}")
        pid = self.suite.kill(program)
        back = self.suite.wait_running(program, not_pid=pid)
        port = self.suite.suite.web_ports[int(program.split("-")[1]) - 1]
        assert self.suite.instance is not None
        while not app_answers(self.suite.instance, port) and time.monotonic() - began < 120:
            time.sleep(0.2)
        self.log.add(
            f"kill-app-{number}",
            began,
            f"kill -9 {program} (pid {pid}); serving again after {time.monotonic() - began:.1f} s (supervisord: {back:.1f} s)",
        )
        self.settle()

    def kill_worker(self, number: int) -> None:
        began = self._phase(f"kill-worker-{number}")
        running = self._wait_document_running()
        pid = self.suite.kill("worker-documents")
        self.log.worker_kills += 1
        self.log.killed_mid_task += int(running)
        back = self.suite.wait_running("worker-documents", not_pid=pid)
        what = "while it ran a document task" if running else "(no document task was running within the wait)"
        self.log.add(
            f"kill-worker-{number}", began, f"kill -9 worker-documents (pid {pid}) {what}; restarted after {back:.1f} s"
        )
        self.settle()

    def _wait_document_running(self) -> bool:
        deadline = time.monotonic() + WORKER_BUSY_WAIT_S
        while time.monotonic() < deadline:
            rows = self.suite.query(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' AND queue_name = 'documents'"
            )
            if rows[0][0]:
                return True
            time.sleep(0.01)
        return False

    def restart_database(self, number: int) -> None:
        began = self._phase(f"restart-db-{number}")
        away = self.suite.restart_postgresql()
        self.log.add(
            f"restart-db-{number}", began, f"pg_ctlcluster restart -m fast; accepting connections after {away:.1f} s"
        )
        self.settle(SETTLE_S + 4)

    def disk_full(self) -> None:
        media = self.suite.suite.media_dir
        began = self._phase("disk-full")
        filled = fill(media / FILLER)
        full_at = time.monotonic()
        time.sleep(HOLD_S)
        freed_at = time.monotonic()
        self.log.disk_full_window = (full_at, freed_at)
        (media / FILLER).unlink()
        self.log.add(
            "disk-full",
            began,
            f"filled the media tmpfs with {filled / 1e6:.0f} MB to the last byte, held {HOLD_S:.0f} s, freed",
        )
        self.settle(SETTLE_S + 4, "after-disk-full")

    def read_only(self) -> None:
        began = self._phase("read-only")
        self.suite.set_read_only(True)
        on_at = time.monotonic()
        time.sleep(HOLD_S)
        off_at = time.monotonic()
        self.suite.set_read_only(False)
        self.log.read_only_window = (on_at, off_at)
        self.log.add(
            "read-only", began, f"default_transaction_read_only on, sessions ended, held {HOLD_S:.0f} s, off again"
        )
        self.settle(SETTLE_S + 4, "after-read-only")


def fill(path: Path) -> int:
    """Fill the file system of ``path`` to the last byte with one file; return its size."""
    written = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for chunk in (1 << 20, 1 << 12, 1):
            block = b"\0" * chunk
            while True:
                try:
                    written += os.write(descriptor, block)
                except OSError as exc:
                    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                        raise
                    break
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return written
