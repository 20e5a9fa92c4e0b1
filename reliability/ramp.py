"""The load ramp: locust users rising step by step until p99 passes the limit, with 1 and with 2 app processes.

Each step is one headless locust run of ``RELIABILITY_RAMP_STEP_S`` seconds with a fixed
number of users (all started in the first second), against nginx; its p99 and rates come from
locust's own CSV. The ramp stops at the first step whose p99 (all requests) is over the limit
or whose failures pass 1 %; the **sustainable rate** is the last step before it. Both ramps
run in the same suite run, one after the other: first with ``web-2`` stopped (nginx sends
everything to ``web-1``), then with both.

Locust runs on the same machine as the instance and takes CPU from it: the rates are those of
this machine with its load generator, not of a server on its own.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from deploy.probes import app_answers
from reliability.client import Client
from reliability.config import REPO_DIR
from reliability.instance import SuiteInstance, log
from reliability.report import Row
from reliability.workload import Workload

USERS = [4, 8, 16, 24, 32, 48, 64, 96, 128]
WARM_UP = (4, 15)  # users, seconds: a process that was just (re)started loads its code and caches first
MAX_FAILURE_SHARE = 0.01
IDLE_WAIT_S = 240.0


@dataclass(frozen=True)
class Step:
    users: int
    requests_per_s: float
    submits_per_s: float
    p50_ms: float
    p99_ms: float
    failures: int
    requests: int


def run_step(suite: SuiteInstance, *, users: int, seconds: int, setup_file: Path, prefix: Path) -> Step:
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(REPO_DIR / "reliability" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"https://127.0.0.1:{suite.suite.https_port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    env = {**os.environ, "RELIABILITY_LOCUST_SETUP": str(setup_file), "PYTHONPATH": str(REPO_DIR)}
    subprocess.run(command, env=env, cwd=REPO_DIR, capture_output=True, timeout=seconds + 120, check=False)
    rows = {row["Name"]: row for row in csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8"))}  # noqa: SIM115
    total = rows["Aggregated"]
    submit = rows.get("submit", {})
    return Step(
        users=users,
        requests_per_s=float(total["Requests/s"]),
        submits_per_s=float(submit.get("Requests/s", 0) or 0),
        p50_ms=float(total["50%"] or 0),
        p99_ms=float(total["99%"] or 0),
        failures=int(total["Failure Count"]),
        requests=int(total["Request Count"]),
    )


def ramp(suite: SuiteInstance, *, label: str, setup_file: Path) -> list[Step]:
    steps: list[Step] = []
    users, seconds = WARM_UP
    run_step(
        suite, users=users, seconds=seconds, setup_file=setup_file, prefix=suite.suite.results_dir / f"warm-up-{label}"
    )
    for users in USERS:
        prefix = suite.suite.results_dir / f"ramp-{label}-{users}"
        step = run_step(suite, users=users, seconds=suite.suite.ramp_step_s, setup_file=setup_file, prefix=prefix)
        steps.append(step)
        log(
            f"ramp {label}: {users} users: {step.requests_per_s:.1f} req/s, {step.submits_per_s:.1f} submits/s, "
            f"p50 {step.p50_ms:.0f} ms, p99 {step.p99_ms:.0f} ms, {step.failures} failures"
        )
        if step.p99_ms > suite.suite.ramp_p99_ms or step.failures > MAX_FAILURE_SHARE * max(step.requests, 1):
            break
    return steps


def sustainable(steps: list[Step], limit_ms: float) -> Step | None:
    good = [s for s in steps if s.p99_ms <= limit_ms and s.failures <= MAX_FAILURE_SHARE * max(s.requests, 1)]
    return max(good, key=lambda s: s.requests_per_s) if good else None


def _wait_idle(suite: SuiteInstance) -> bool:
    """Wait for the job queues to empty (the demo's FAQ embeddings take minutes of CPU) so they do not skew the ramp."""
    deadline = time.monotonic() + IDLE_WAIT_S
    while time.monotonic() < deadline:
        busy = suite.query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
        )[0][0]
        if busy == 0:
            return True
        time.sleep(3)
    return False


def run(suite: SuiteInstance, client: Client, seed: dict) -> list[Row]:
    results = suite.suite.results_dir
    results.mkdir(parents=True, exist_ok=True)
    workload = Workload(client)
    setup_file = results / "locust-setup.json"
    setup_file.write_text(
        json.dumps(
            {
                "tokens": seed["tokens"],
                "examples": {f"{code}/{slug}": answers for (code, slug), answers in workload.examples.items()},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    setup_file.chmod(0o600)
    idle = _wait_idle(suite)
    assert suite.instance is not None
    limit = suite.suite.ramp_p99_ms
    outcomes: dict[str, Step | None] = {}
    rows = [
        Row(
            "load ramp",
            "job queues idle before the ramp",
            "yes" if idle else f"no (still busy after {IDLE_WAIT_S:.0f} s)",
        )
    ]
    try:
        log("ramp: one app process (web-2 stopped)")
        suite.supervisorctl("stop", "web-2")
        outcomes["1 app process"] = sustainable(ramp(suite, label="1app", setup_file=setup_file), limit)
    finally:
        suite.supervisorctl("start", "web-2")
        deadline = time.monotonic() + 120
        while not app_answers(suite.instance, suite.suite.web_ports[1]) and time.monotonic() < deadline:
            time.sleep(0.5)
    log("ramp: two app processes")
    outcomes["2 app processes"] = sustainable(ramp(suite, label="2app", setup_file=setup_file), limit)
    for label, step in outcomes.items():
        value = (
            f"{step.requests_per_s:.0f} req/s, {step.submits_per_s:.1f} submits/s at {step.users} users "
            f"(p50 {step.p50_ms:.0f} ms, p99 {step.p99_ms:.0f} ms)"
            if step
            else "p99 over the limit at the first step"
        )
        rows.append(Row("load ramp", f"sustainable at p99 ≤ {limit:.0f} ms, {label}", value))
    return rows
