"""Several app processes, one set of numbers: Prometheus' multi-process mode.

First with plain processes writing to one PROMETHEUS_MULTIPROC_DIR, then with real gunicorn
(two workers, the hooks of madoguchi.observability.gunicorn): a scrape adds up every worker's
counts, an exited worker's counts stay and its live gauges go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

PORT = 18601
DEADLINE_SECONDS = 60


def run_python(code: str, directory: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def samples_of(text: str) -> list:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def total(text: str, name: str, **labels) -> float:
    return sum(s.value for s in samples_of(text) if s.name == name and labels.items() <= s.labels.items())


def pids_of(text: str, name: str) -> set[str]:
    return {s.labels["pid"] for s in samples_of(text) if s.name == name}


WORKER = """
    import os
    from madoguchi.observability import metrics
    for _ in range({n}):
        metrics.observe_request(route="portal:home", method="GET", status=200, seconds=0.01)
    metrics.record_submission(channel="api", outcome="accepted")
    print(os.getpid())
"""
SCRAPE = """
    from madoguchi.observability import metrics
    print(metrics.exposition()[0].decode())
"""


def test_a_scrape_adds_up_the_counts_of_every_process(tmp_path):
    first = int(run_python(WORKER.format(n=3), tmp_path))
    second = int(run_python(WORKER.format(n=4), tmp_path))
    scraped = run_python(SCRAPE, tmp_path)

    assert total(scraped, "madoguchi_http_request_duration_seconds_count", route="portal:home") == 7
    assert total(scraped, "madoguchi_submissions_total", channel="api", outcome="accepted") == 2
    assert {str(first), str(second)} <= pids_of(scraped, "madoguchi_worker_resident_memory_bytes")

    run_python(f"from madoguchi.observability import metrics; metrics.mark_worker_dead({first})", tmp_path)
    scraped = run_python(SCRAPE, tmp_path)
    assert total(scraped, "madoguchi_http_request_duration_seconds_count", route="portal:home") == 7
    live = pids_of(scraped, "madoguchi_worker_resident_memory_bytes")
    assert str(second) in live
    assert str(first) not in live


def get(path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:
        return response.read()


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)  # polling a condition, not waiting for time to pass
    raise AssertionError(f"gave up waiting for {what}")


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


@pytest.fixture
def gunicorn(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"left from an earlier run")
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(
        "from madoguchi.observability.gunicorn import child_exit, on_starting  # noqa: F401\n"
        f"bind = '127.0.0.1:{PORT}'\nworkers = 2\n"
    )
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "DJANGO_SETTINGS_MODULE": "madoguchi.conf.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(config), "madoguchi.conf.wsgi"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "gunicorn.log").open("wb"),
    )  # fmt: skip
    try:
        # Probing with /metrics: a probe that timed out but is answered later must not count as traffic.
        wait_until(lambda: len(worker_pids(process.pid)) == 2 and get("/metrics"), "gunicorn to answer")
        yield process, metrics_dir
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_workers_share_one_set_of_numbers_and_keep_a_dead_workers_counts(gunicorn):
    master, metrics_dir = gunicorn
    assert not (metrics_dir / "counter_99999.db").exists()  # on_starting emptied the directory
    before = total(get("/metrics").decode(), "madoguchi_http_request_duration_seconds_count", route="observability:live")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: get("/health/live"), range(20)))
    scraped = get("/metrics").decode()
    assert total(scraped, "madoguchi_http_request_duration_seconds_count", route="observability:live") == before + 20

    served = {int(pid) for pid in pids_of(scraped, "madoguchi_worker_resident_memory_bytes")}
    victim = next(iter(served & worker_pids(master.pid)))
    os.kill(victim, signal.SIGTERM)
    wait_until(lambda: victim not in worker_pids(master.pid) and len(worker_pids(master.pid)) == 2, "a new worker")
    for _ in range(5):
        get("/health/live")
    scraped = get("/metrics").decode()
    assert total(scraped, "madoguchi_http_request_duration_seconds_count", route="observability:live") == before + 25
    assert str(victim) not in pids_of(scraped, "madoguchi_worker_resident_memory_bytes")
