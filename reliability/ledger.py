"""What the load generator sent and what it was told, per request and per Idempotency-Key.

Every answer is recorded with the phase it happened in (the fault controller names the
phases), so the report can say which fault caused which 5xx, and the verification can
compare what was acknowledged with what the database holds.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from reliability.workload import Application


@dataclass(frozen=True)
class Answer:
    kind: str  # submit, status, staff
    status: int  # 0: no answer
    phase: str
    began: float
    ended: float
    retry_after: bool
    with_file: bool = False


@dataclass
class Ledger:
    """Thread-safe record of the load: answers, acknowledged applications, decisions."""

    phase: str = "warm-up"
    answers: list[Answer] = field(default_factory=list)
    acknowledged: dict[str, Application] = field(default_factory=dict)  # key -> application with receipt
    pending: dict[str, Application] = field(default_factory=dict)  # sent, not acknowledged yet
    decided: dict[str, str] = field(default_factory=dict)  # receipt -> approve | reject
    replays: int = 0
    unexpected: Counter = field(default_factory=Counter)  # "kind status: detail" -> count
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set_phase(self, name: str) -> None:
        with self._lock:
            self.phase = name

    def record(
        self, kind: str, status: int, began: float, *, retry_after: bool = False, with_file: bool = False
    ) -> None:
        with self._lock:
            self.answers.append(Answer(kind, status, self.phase, began, time.monotonic(), retry_after, with_file))

    def note_unexpected(self, what: str) -> None:
        with self._lock:
            self.unexpected[what] += 1

    def sent(self, application: Application) -> None:
        with self._lock:
            self.pending[application.key] = application

    def acknowledge(self, application: Application, *, replayed: bool) -> None:
        with self._lock:
            self.pending.pop(application.key, None)
            self.acknowledged[application.key] = application
            self.replays += int(replayed)

    def decide(self, receipt: str, decision: str) -> None:
        with self._lock:
            self.decided[receipt] = decision

    def snapshot(self) -> list[Answer]:
        with self._lock:
            return list(self.answers)

    def status_counts(self, kind: str | None = None) -> Counter:
        return Counter(a.status for a in self.snapshot() if kind is None or a.kind == kind)
