"""gunicorn config for ``bench/submit.py --profile``: cProfile each worker while it serves.

Each worker profiles its main thread (where sync workers handle requests) from the moment
the application is loaded until the worker exits, then writes
``$BENCH_PROFILE_DIR/worker-<pid>.prof``; bench/submit.py merges and prints them.
cProfile's default timer is wall-clock time, so time spent waiting on the database shows
up under the driver's calls. Profiling slows the workers down: read the shares, not the rates.
"""

import cProfile
import os
from pathlib import Path

_profiler: cProfile.Profile | None = None


def post_worker_init(worker):
    global _profiler  # one profiler per worker process
    _profiler = cProfile.Profile()
    _profiler.enable()


def worker_exit(server, worker):
    if _profiler is None:
        return
    _profiler.disable()
    directory = Path(os.environ.get("BENCH_PROFILE_DIR", "."))
    _profiler.dump_stats(str(directory / f"worker-{os.getpid()}.prof"))
