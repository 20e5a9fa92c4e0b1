"""gunicorn server hooks for Prometheus' multi-process mode.

In the gunicorn configuration file (``gunicorn -c …``)::

    from madoguchi.observability.gunicorn import child_exit, on_starting  # noqa: F401

with ``PROMETHEUS_MULTIPROC_DIR`` set in gunicorn's environment (an empty directory the app's
user owns; a tmpfs such as /run/madoguchi/metrics is best). ``on_starting`` empties it, so the
numbers of an earlier run are not added to this one; ``child_exit`` drops an exited worker's
live gauges (its counters stay, as counters never go down).
"""

from __future__ import annotations

import os
from pathlib import Path


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    from madoguchi.observability.metrics import mark_worker_dead

    mark_worker_dead(worker.pid)
