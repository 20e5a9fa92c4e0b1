"""The suite's production-shaped instance: made fresh, started, hurt on purpose, and always taken down.

It is ``make production-demo`` (``deploy.production``) with the suite's own env file, ports,
PostgreSQL database, Redis database and a small tmpfs as the media root, so that filling "the
disk" fills only this instance's disk. :class:`SuiteInstance` is a context manager: leaving it,
however the suite ends, stops supervisord and every program, unmounts the tmpfs and turns a
read-only database writable again.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

from deploy import config as deploy_config
from deploy import production
from deploy.config import Instance
from reliability.config import REPO_DIR, SuiteConfig

# What the suite sets for its instance besides ports and paths (docs/operations/reliability.md).
SUITE_SETTINGS = {
    # The load generator is one client address: limits stay on, far above what it sends.
    "MADOGUCHI_SUBMIT_RATE": "1000000/m",
    "MADOGUCHI_LOOKUP_RATE": "1000000/m",
    "MADOGUCHI_ASSISTANT_RATE": "1000000/m",
    # Readiness compares free space with this; the suite's media disk is small on purpose.
    "MADOGUCHI_HEALTH_MIN_FREE_MB": "1",
    # No mail server in the suite: residents' e-mails stay queued (the outbox is not under test).
    "MADOGUCHI_SCHEDULE_NOTIFICATIONS_SEND": "off",
    "MADOGUCHI_SCHEDULER": "true",
    "MADOGUCHI_PRODUCTION_DEMO": "true",
    "MADOGUCHI_LOG_FORMAT": "text",
    "TQDM_DISABLE": "1",  # no progress bars of the demo's embeddings in the suite's output
}
INHERITED_PREFIXES = ("MADOGUCHI_", "DJANGO_", "DATABASE_", "CACHE_URL", "PROMETHEUS_")


def log(message: str) -> None:
    print(f"[reliability] {message}", flush=True)


class SuiteInstance:
    """Start, hurt and stop the suite's instance (see the module docstring)."""

    def __init__(self, suite: SuiteConfig):
        self.suite = suite
        self.instance: Instance | None = None
        self._mounted = False
        self._read_only = False

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> SuiteInstance:
        return self

    def __exit__(self, *exc_info) -> None:
        self.teardown()

    def environ(self, *, web_ports: tuple[int, ...] | None = None) -> dict[str, str]:
        suite = self.suite
        environ = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_PREFIXES)}
        environ.update(SUITE_SETTINGS)
        environ.update(
            MADOGUCHI_BASE_DIR=str(REPO_DIR),
            MADOGUCHI_PRODUCTION_DIR=str(suite.instance_dir),
            MADOGUCHI_ENV_FILE=str(suite.instance_dir / "env"),
            MADOGUCHI_HTTPS_PORT=str(suite.https_port),
            MADOGUCHI_WEB_PORTS=",".join(str(p) for p in (web_ports or suite.web_ports)),
            MADOGUCHI_MEDIA_ROOT=str(suite.media_dir),
            MADOGUCHI_TASK_TIMEOUT_DOCUMENTS=suite.task_timeout_min,
            # The default queue's embeddings too: a worker that dies with PostgreSQL's restart
            # leaves its task for recovery (a live worker keeps its task however long it runs).
            MADOGUCHI_TASK_TIMEOUT_DEFAULT=suite.task_timeout_min,
            CACHE_URL=suite.redis_url,
            DATABASE_URL=suite.database_url,
        )
        return environ

    def prepare(self) -> None:
        """Make everything fresh: database, Redis database, media tmpfs, env file, state directory."""
        suite = self.suite
        self._stop_leftover()
        suite.instance_dir.mkdir(parents=True, exist_ok=True)
        # nginx's workers run as nobody when the suite runs as root: they read static files.
        for directory in (suite.state_dir, suite.instance_dir):
            directory.chmod(0o755)
        self.drop_databases()
        self._flush_redis()
        self._mount_media()
        env_file = suite.instance_dir / "env"
        env_file.write_text(f"MADOGUCHI_SECRET_KEY={secrets.token_urlsafe(50)}\n", encoding="utf-8")
        env_file.chmod(0o600)
        self.instance = deploy_config.instance_from(self.environ(), bin_dir=Path(sys.executable).parent)

    def start(self) -> None:
        assert self.instance is not None
        log(f"starting the instance: {self.instance.base_url}/ (app ports {self.suite.web_ports})")
        production.start(self.instance)

    def teardown(self) -> None:
        """Leave nothing behind: writable database, no processes, no mount."""
        if self._read_only:
            with contextlib.suppress(Exception):
                self.set_read_only(False)
        if self.instance is not None:
            with contextlib.suppress(Exception):
                production.stop(self.instance)
        self._stop_leftover()
        if self._mounted or _is_mounted(self.suite.media_dir):
            result = subprocess.run(["umount", str(self.suite.media_dir)], capture_output=True, check=False)
            if result.returncode != 0:  # a process still has a file open: detach now, freed when it closes
                subprocess.run(["umount", "-l", str(self.suite.media_dir)], capture_output=True, check=False)
            self._mounted = False

    def _stop_leftover(self) -> None:
        """Stop a supervisord of this suite's instance left by an earlier run that was killed."""
        pidfile = self.suite.instance_dir / "supervisord.pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(pidfile.read_text().strip())
            arguments = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"supervisord" in arguments and str(self.suite.instance_dir).encode() in arguments:
                os.kill(pid, signal.SIGTERM)
                for _ in range(600):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.1)

    def _mount_media(self) -> None:
        media = self.suite.media_dir
        if _is_mounted(media):
            subprocess.run(["umount", str(media)], check=True)
        media.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.suite.media_mb}m,mode=0750", "tmpfs", str(media)],
            check=True,
        )
        self._mounted = True

    def _flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.suite.redis_url).flushdb()

    # ------------------------------------------------------------------ database

    def connect(self, *, maintenance: bool = False, autocommit: bool = True) -> psycopg.Connection:
        url = self.suite.maintenance_url if maintenance else self.suite.database_url
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10)

    def drop_databases(self) -> None:
        """Drop the suite's database and any restore targets (``<name>_*``) left from a run before."""
        with self.connect(maintenance=True) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                    [self.suite.database, self.suite.database + r"\_%"],
                )
            ]
            for name in names:
                connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))

    def query(self, statement: str, params: list | None = None) -> list[tuple]:
        with self.connect() as connection:
            return connection.execute(statement, params or []).fetchall()

    def set_read_only(self, on: bool) -> None:
        """Make the database read-only for every new session (or writable again), then end the old sessions."""
        with self.connect(maintenance=True) as connection:
            connection.execute(
                sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = {}").format(
                    sql.Identifier(self.suite.database), sql.SQL("on" if on else "off")
                )
            )
            self._read_only = on
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.suite.database],
            )

    def restart_postgresql(self) -> float:
        """Restart the PostgreSQL cluster (fast shutdown: sessions end, running transactions roll back).

        Returns the seconds it was away. The cluster is shared with other users of the machine:
        the suite does this a few times per run, each a few seconds.
        """
        version, cluster = self.suite.pg_cluster
        began = time.monotonic()
        subprocess.run(["pg_ctlcluster", version, cluster, "restart", "-m", "fast"], check=True, timeout=120)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(psycopg.Error):
                self.query("SELECT 1")
                break
            time.sleep(0.2)
        return time.monotonic() - began

    # ------------------------------------------------------------------ processes

    def program_pid(self, name: str) -> int | None:
        assert self.instance is not None
        output = production.supervisorctl(self.instance, "pid", name).stdout.strip()
        return int(output) if output.isdigit() and int(output) > 0 else None

    def kill(self, name: str) -> int:
        """kill -9 the supervisord program ``name`` (its main process; supervisord restarts it)."""
        pid = self.program_pid(name)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_running(self, name: str, *, not_pid: int | None = None, timeout: float = 90.0) -> float:
        """Wait until supervisord runs ``name`` again (under another pid than ``not_pid``); return seconds."""
        assert self.instance is not None
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            state = production.program_states(self.instance).get(name)
            pid = self.program_pid(name)
            if state == "RUNNING" and pid is not None and pid != not_pid:
                return time.monotonic() - began
            time.sleep(0.25)
        raise RuntimeError(f"{name} did not come back within {timeout:.0f} s")

    def supervisorctl(self, *args: str) -> str:
        assert self.instance is not None
        return production.supervisorctl(self.instance, *args).stdout

    def madoguchi(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run a ``madoguchi`` command with the instance's environment; output captured."""
        assert self.instance is not None
        return production.madoguchi(self.instance, *args, check=check, quiet=True)

    def python(
        self, module: str, *args: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run ``python -m module`` of this repository with the instance's environment (Django set up)."""
        assert self.instance is not None
        env = {**self.instance.env, "PYTHONPATH": str(REPO_DIR)}
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            env=env,
            cwd=REPO_DIR,
            check=False,
            capture_output=True,
            text=True,
            timeout=900,
            input=stdin,
        )
        if check and done.returncode != 0:
            log(f"{module} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
            done.check_returncode()
        return done


def _is_mounted(path: Path) -> bool:
    target = str(path.resolve())
    with contextlib.suppress(OSError):
        return any(line.split()[1] == target for line in Path("/proc/mounts").read_text().splitlines())
    return False
