"""The suite's own instance: ports, database, Redis database, media mount, and the phases' durations.

Every value can be overridden from the environment (``RELIABILITY_*``) so that two checkouts on
one machine do not meet; the defaults are the suite's reserved range.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]


def _env(name: str, default: str) -> str:
    return os.environ.get(f"RELIABILITY_{name}", default)


@dataclass(frozen=True)
class SuiteConfig:
    """Where the suite's instance lives and how long each phase runs."""

    state_dir: Path = field(default_factory=lambda: REPO_DIR / _env("DIR", "var/reliability"))
    https_port: int = int(_env("HTTPS_PORT", "19400"))
    web_ports: tuple[int, ...] = tuple(int(p) for p in _env("WEB_PORTS", "19401,19402").split(","))
    database: str = _env("DATABASE", "madoguchi_reliability")
    pg_server: str = _env("PG_SERVER", "postgres://postgres@127.0.0.1:5432")
    pg_cluster: tuple[str, str] = tuple(_env("PG_CLUSTER", "15/main").split("/", 1))  # type: ignore[assignment]
    redis_url: str = _env("REDIS_URL", "redis://127.0.0.1:6379/11")
    media_mb: int = int(_env("MEDIA_MB", "256"))
    # Load during the faults: submitting threads, deciding threads.
    submitters: int = int(_env("SUBMITTERS", "4"))
    deciders: int = int(_env("DECIDERS", "2"))
    fault_rounds: int = int(_env("FAULT_ROUNDS", "3"))
    # How long the workers get to catch up after the last fault (documents, recovery).
    catch_up_s: float = float(_env("CATCH_UP_S", "240"))
    # A documents task of a dead worker is retaken after this many minutes (production: 10).
    task_timeout_min: str = _env("TASK_TIMEOUT_MIN", "0.5")
    # Load ramp: seconds per step, and the p99 limit that ends it.
    ramp_step_s: int = int(_env("RAMP_STEP_S", "40"))
    ramp_p99_ms: float = float(_env("RAMP_P99_MS", "1000"))

    @property
    def instance_dir(self) -> Path:
        return self.state_dir / "instance"

    @property
    def media_dir(self) -> Path:
        return self.state_dir / "media"

    @property
    def database_url(self) -> str:
        return f"{self.pg_server}/{self.database}"

    @property
    def maintenance_url(self) -> str:
        return f"{self.pg_server}/postgres"

    @property
    def results_dir(self) -> Path:
        return self.state_dir / "results"
