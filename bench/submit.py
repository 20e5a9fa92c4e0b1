"""Submission throughput and latency through a real HTTP server, on PostgreSQL and SQLite.

``make bench`` runs this. For each database it creates a fresh bench database, runs the
migrations and the demo loader, starts gunicorn on a free 127.0.0.1 port and drives three
endpoints with wrk (bench/submit.lua gives every request its own Idempotency-Key):

  A  POST /api/v1/municipalities/082015/procedures/inkan-certificate/applications  (the real API)
  B  POST /bench/minimal/applications  (the same database work in its plainest form)
  C  POST /bench/bare                  ({"ok": true}, no database: the framework's ceiling)

and prints submits/s, p50/p99 latency, error counts and the A/B and A/C ratios, with
PASS/FAIL against the targets. It is a report, not a test: it exits 0 whatever the figures.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import pstats
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO_DIR / "bench"
VAR_DIR = REPO_DIR / "var" / "bench"
LUA_SCRIPT = BENCH_DIR / "submit.lua"
PROFILE_CONFIG = BENCH_DIR / "gunicorn_profile.py"
SETTINGS = "madoguchi.conf.settings.bench"
HOST = "127.0.0.1"  # all traffic stays on this machine

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "madoguchi_bench"
SQLITE_FILE = VAR_DIR / "madoguchi-bench.sqlite3"

MUNICIPALITY, PROCEDURE = "082015", "inkan-certificate"
PROCEDURE_PATH = f"/api/v1/municipalities/{MUNICIPALITY}/procedures/{PROCEDURE}"

# Targets, on PostgreSQL only.
TARGET_A_OVER_B = 0.6
TARGET_A_RPS = 300.0
TARGET_A_P99_MS = 100.0

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
COMMAND_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    path: str
    expected_status: int
    table: str | None  # rows per successful request, counted to cross-check wrk


ENDPOINTS = {
    "A": Endpoint("A", "real API", f"{PROCEDURE_PATH}/applications", 201, "cases_case"),
    "B": Endpoint("B", "minimal Django", "/bench/minimal/applications", 201, "bench_minimal_case"),
    "C": Endpoint("C", "bare JSON", "/bench/bare", 200, None),
}


@dataclass
class RunResult:
    endpoint: Endpoint
    ok: int = 0  # responses with the expected status
    requests: int = 0  # completed responses, any status
    duration_s: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    non_expected: dict[str, int] = field(default_factory=dict)  # status -> count
    socket_errors: int = 0
    rows: int | None = None  # rows the run stored, if the endpoint stores any
    app_cpu_s: float | None = None  # CPU time of the gunicorn workers during the run
    db_cpu_s: float | None = None  # CPU time of the PostgreSQL backends serving them
    wrk_cpu_s: float | None = None
    busy_cpu_s: float | None = None  # CPU time the whole machine was busy during the run
    note: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        return sum(self.non_expected.values()) + self.socket_errors

    def cpu_ms_per_request(self, seconds: float | None) -> float | None:
        return None if seconds is None or not self.requests else seconds * 1000 / self.requests

    @property
    def other_cores(self) -> float | None:
        """Cores used on average by processes other than this run's (other work on a shared machine)."""
        if self.busy_cpu_s is None or self.app_cpu_s is None or not self.duration_s:
            return None
        ours = sum(x for x in (self.app_cpu_s, self.db_cpu_s, self.wrk_cpu_s) if x is not None)
        return max(0.0, (self.busy_cpu_s - ours) / self.duration_s)

    @property
    def cpu_bound_rate(self) -> float | None:
        """Requests/s if the server, the database and wrk had every core to themselves and used only CPU."""
        spent = sum(x for x in (self.app_cpu_s, self.db_cpu_s, self.wrk_cpu_s) if x is not None)
        if self.app_cpu_s is None or not spent:
            return None
        return (os.cpu_count() or 1) * self.requests / spent


@dataclass
class DatabaseResult:
    name: str
    runs: dict[str, RunResult] = field(default_factory=dict)
    skipped: str = ""


# --------------------------------------------------------------------------- databases


class Database:
    name = ""

    def url(self) -> str:
        raise NotImplementedError

    def recreate(self) -> None:
        raise NotImplementedError

    def count(self, table: str) -> int:
        raise NotImplementedError

    def drop(self) -> None:
        raise NotImplementedError

    def server_pids(self) -> list[int] | None:
        """The server processes that serve the bench database (None: it runs in-process)."""
        return None


class SQLiteDatabase(Database):
    name = "sqlite"

    def __init__(self, synchronous: str = "FULL"):
        # FULL is what every environment runs; NORMAL only to measure what FULL costs.
        self.synchronous = synchronous.upper()
        if self.synchronous != "FULL":
            self.name = f"sqlite-{self.synchronous.lower()}"

    def url(self) -> str:
        return f"sqlite:///{SQLITE_FILE}"

    def _files(self) -> list[Path]:
        return [SQLITE_FILE, *(SQLITE_FILE.with_name(SQLITE_FILE.name + suffix) for suffix in ("-wal", "-shm"))]

    def recreate(self) -> None:
        self.drop()

    def count(self, table: str) -> int:
        with contextlib.closing(sqlite3.connect(SQLITE_FILE, timeout=20)) as connection:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (our constant)

    def drop(self) -> None:
        for path in self._files():
            path.unlink(missing_ok=True)


class PostgresDatabase(Database):
    name = "postgres"

    def url(self) -> str:
        return f"{PG_SERVER}/{PG_DATABASE}"

    def _admin(self):
        import psycopg

        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)

    def recreate(self) -> None:
        from psycopg import sql

        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DATABASE)))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))

    def count(self, table: str) -> int:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), connect_timeout=5) as connection:
            return connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]

    def server_pids(self) -> list[int]:
        with self._admin() as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [PG_DATABASE]
            ).fetchall()
        return [pid for (pid,) in rows]

    def drop(self) -> None:
        from psycopg import sql

        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DATABASE)))


DATABASES = {"postgres": PostgresDatabase, "sqlite": SQLiteDatabase}


# --------------------------------------------------------------------------- processes


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def django_env(database: Database) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=database.url(),
        MADOGUCHI_BASE_DIR=str(REPO_DIR),
        MADOGUCHI_VAR_DIR=str(VAR_DIR),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH", "")])),
        PYTHONUNBUFFERED="1",
    )
    if isinstance(database, SQLiteDatabase):
        env["MADOGUCHI_BENCH_SQLITE_SYNCHRONOUS"] = database.synchronous
    return env


def madoguchi(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "madoguchi", *args]
    done = subprocess.run(command, env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"`madoguchi {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int] | None) -> dict[int, float] | None:
    """User + system CPU seconds of each live process in ``pids`` (from /proc)."""
    if pids is None:
        return None
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return seconds


def machine_busy_seconds() -> float | None:
    """CPU seconds (all cores) the machine has spent busy since boot: /proc/stat less idle and iowait."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS
    return None


def cpu_delta(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    """CPU used between two samples; a process that started in between counts in full, one that ended is lost."""
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


class Gunicorn:
    """gunicorn in its own process group, stopped (TERM, then KILL) by that group's id."""

    def __init__(self, env: dict[str, str], args: argparse.Namespace, log_path: Path, profile_dir: Path | None):
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "madoguchi.conf.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--chdir",
            str(REPO_DIR),
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
        ]
        env = dict(env)
        if profile_dir is not None:
            command += ["--config", str(PROFILE_CONFIG)]
            env["BENCH_PROFILE_DIR"] = str(profile_dir)
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=REPO_DIR, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if http_json(self.port, "/bench/bare", timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT_S:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT_S)
        self._log.close()


def http_json(
    port: int, path: str, body: dict | None = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict]:
    """GET (no body) or POST JSON to 127.0.0.1:port; return the status and the JSON answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        connection.request("GET" if data is None else "POST", path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw or b"{}")
        except ValueError:
            return response.status, {"body": raw[:200].decode(errors="replace")}
    finally:
        connection.close()


# --------------------------------------------------------------------------- wrk

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
PERCENTILE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
RESULT_RE = re.compile(r"^BENCH-RESULT (\{.*\})$", re.MULTILINE)
SOCKET_RE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str, endpoint: Endpoint) -> RunResult:
    """Read wrk's --latency percentiles and the exact counts printed by submit.lua's done()."""
    result = RunResult(endpoint)
    percentiles = {float(p): float(v) * UNITS_MS[unit] for p, v, unit in PERCENTILE_RE.findall(output)}
    result.p50_ms, result.p99_ms = percentiles.get(50.0), percentiles.get(99.0)
    match = RESULT_RE.search(output)
    if match is None:
        result.note = "wrk printed no result"
        return result
    data = json.loads(match.group(1))
    result.requests = data["requests"]
    result.duration_s = data["duration_us"] / 1e6
    statuses = {str(k): int(v) for k, v in data["statuses"].items()}
    result.ok = statuses.pop(str(endpoint.expected_status), 0)
    result.non_expected = statuses
    result.socket_errors = sum(data["errors"][k] for k in ("connect", "read", "write", "timeout"))
    if result.p50_ms is None:  # fall back to the script's own percentiles
        result.p50_ms, result.p99_ms = data["latency_us"]["p50"] / 1000, data["latency_us"]["p99"] / 1000
    return result


def run_wrk(
    base_url: str, endpoint: Endpoint, body_file: Path, key_prefix: str, args: argparse.Namespace, duration: int
) -> tuple[str, float]:
    threads = max(1, min(args.wrk_threads, args.connections))
    command = [
        shutil.which("wrk") or "wrk",
        f"--threads={threads}",
        f"--connections={args.connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        "--latency",
        f"--script={LUA_SCRIPT}",
        f"{base_url}{endpoint.path}",
        "--",
        str(body_file),
        key_prefix,
    ]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    wrk_cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return done.stdout, wrk_cpu


# --------------------------------------------------------------------------- one database


def bench_database(database: Database, args: argparse.Namespace, run_id: str) -> DatabaseResult:
    log(f"{database.name}: fresh database, migrate, demo data")
    database.recreate()
    try:
        return bench_fresh_database(database, args, run_id)
    finally:
        if not args.keep:
            with contextlib.suppress(Exception):
                database.drop()


def bench_fresh_database(database: Database, args: argparse.Namespace, run_id: str) -> DatabaseResult:
    outcome = DatabaseResult(database.name)
    env = django_env(database)
    madoguchi(env, "migrate", "--noinput", "--verbosity", "0")
    madoguchi(env, "createcachetable")
    madoguchi(env, "demo")

    profile_dir = None
    if args.profile:
        profile_dir = VAR_DIR / f"profile-{database.name}"
        shutil.rmtree(profile_dir, ignore_errors=True)
        profile_dir.mkdir(parents=True)
    server = Gunicorn(env, args, VAR_DIR / f"gunicorn-{database.name}.log", profile_dir)
    try:
        server.wait_ready()
        log(f"{database.name}: gunicorn on {server.base_url}, {args.workers} {args.worker_class} worker(s)")
        status, detail = http_json(server.port, PROCEDURE_PATH)
        if status != 200 or "example" not in detail:
            raise RuntimeError(f"GET {PROCEDURE_PATH} answered {status}")
        body = detail["example"]  # {"answers": {...}}: a valid application body
        with tempfile.TemporaryDirectory(prefix="madoguchi-bench-") as tmp:
            body_file = Path(tmp) / "body.json"
            body_file.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            endpoints = []
            for key in args.endpoints:
                endpoint = ENDPOINTS[key]
                headers = {"Idempotency-Key": f"{run_id}-{database.name}-{key}-check"}
                status, answer = http_json(server.port, endpoint.path, body, headers)
                if status == endpoint.expected_status:
                    endpoints.append(key)
                else:
                    log(f"{database.name}: {key} {endpoint.path} answered {status}: {json.dumps(answer)[:300]}")
                    outcome.runs[key] = RunResult(endpoint, note=f"not run: a first request answered {status}")
            rounds: dict[str, list[RunResult]] = {key: [] for key in endpoints}
            for number in range(1, args.rounds + 1):
                for key in endpoints:
                    rounds[key].append(measure(database, server, ENDPOINTS[key], body_file, args, f"{run_id}-{number}"))
            for key, results in rounds.items():
                outcome.runs[key] = sorted(results, key=lambda r: r.rate)[(len(results) - 1) // 2]  # the median
    finally:
        server.stop()
        if profile_dir is not None:
            report_profile(profile_dir, database.name)
    return outcome


def measure(
    database: Database, server: Gunicorn, endpoint: Endpoint, body_file: Path, args: argparse.Namespace, run_id: str
) -> RunResult:
    """Warm up, then one measured wrk run of ``endpoint``, with the CPU it cost and the rows it stored."""
    prefix = f"{run_id}-{database.name}-{endpoint.key}"
    if args.warmup:
        run_wrk(server.base_url, endpoint, body_file, f"{prefix}-warm", args, args.warmup)
    rows_before = database.count(endpoint.table) if endpoint.table else None
    workers, backends = server.worker_pids(), database.server_pids()
    app_before, db_before, busy_before = cpu_seconds(workers), cpu_seconds(backends), machine_busy_seconds()
    log(f"{database.name}: {endpoint.key} {endpoint.label}, {args.duration} s, {args.connections} connections")
    output, wrk_cpu = run_wrk(server.base_url, endpoint, body_file, f"{prefix}-run", args, args.duration)
    busy_after = machine_busy_seconds()
    app_after = cpu_seconds(sorted({*workers, *server.worker_pids()}))
    db_after = cpu_seconds(None if backends is None else sorted({*backends, *(database.server_pids() or [])}))
    (VAR_DIR / f"wrk-{database.name}-{endpoint.key}.txt").write_text(output, encoding="utf-8")
    result = parse_wrk(output, endpoint)
    result.app_cpu_s, result.db_cpu_s, result.wrk_cpu_s = (
        cpu_delta(app_before, app_after),
        cpu_delta(db_before, db_after),
        wrk_cpu,
    )
    if busy_before is not None and busy_after is not None:
        result.busy_cpu_s = busy_after - busy_before
    if endpoint.table:
        result.rows = database.count(endpoint.table) - rows_before
    log(f"{database.name}: {endpoint.key} {result.rate:.1f}/s, p99 {fmt(result.p99_ms, '.1f')} ms")
    return result


def report_profile(profile_dir: Path, name: str) -> None:
    """Merge the per-worker cProfile dumps and print where the time went."""
    dumps = sorted(profile_dir.glob("*.prof"))
    if not dumps:
        log(f"{name}: no profile was written (see bench/gunicorn_profile.py)")
        return
    stats = pstats.Stats(*map(str, dumps), stream=sys.stdout)
    merged = profile_dir / "merged.prof"
    stats.dump_stats(merged)
    print(f"\n=== cProfile, {name}: {len(dumps)} worker(s), merged into {merged} ===")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


# --------------------------------------------------------------------------- report


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_report(results: list[DatabaseResult], args: argparse.Namespace, started: datetime) -> None:
    wrk_threads = max(1, min(args.wrk_threads, args.connections))
    print()
    print(
        f"Madoguchi submit benchmark · {started:%Y-%m-%d %H:%M %Z} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}"
    )
    print(
        f"gunicorn {args.workers} × {args.worker_class}"
        + (f" × {args.threads} threads" if args.threads > 1 else "")
        + f" · wrk {wrk_threads} threads, {args.connections} connections · {args.duration} s per run after "
        f"{args.warmup} s warm-up" + (f" · median of {args.rounds} rounds" if args.rounds > 1 else "")
    )
    print()
    width = max([9, *(len(outcome.name) for outcome in results)])
    header = (
        f"{'database':<{width}} {'endpoint':<19} {'submits/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'ok':>6} {'non-2xx':>7} "
        f"{'sock err':>8} {'rows':>6} {'app cpu':>7} {'db cpu':>6} {'cpu cap/s':>9} {'others':>6}"
    )
    print(header)
    print("-" * len(header))
    for outcome in results:
        if outcome.skipped:
            print(f"{outcome.name:<{width}} skipped: {outcome.skipped}")
            continue
        for key, run in outcome.runs.items():
            other = ", ".join(f"{status}×{count}" for status, count in sorted(run.non_expected.items()))
            print(
                f"{outcome.name:<{width}} {key + ' ' + run.endpoint.label:<19} {run.rate:>9.1f} {fmt(run.p50_ms, '.1f'):>7} "
                f"{fmt(run.p99_ms, '.1f'):>7} {run.ok:>6} {sum(run.non_expected.values()):>7} "
                f"{run.socket_errors:>8} {fmt(run.rows, 'd'):>6} "
                f"{fmt(run.cpu_ms_per_request(run.app_cpu_s), '.2f'):>7} "
                f"{fmt(run.cpu_ms_per_request(run.db_cpu_s), '.2f'):>6} {fmt(run.cpu_bound_rate, '.0f'):>9} "
                f"{fmt(run.other_cores, '.2f'):>6}"
                + (f"  [{other}]" if other else "")
                + (f"  {run.note}" if run.note else "")
            )
    print(
        "submits/s: responses with the expected status (201; 200 for C) per second · rows: rows stored during the run\n"
        "app cpu / db cpu: CPU ms per request of the gunicorn workers / of the PostgreSQL backends (SQLite: in app)\n"
        "cpu cap/s: cores ÷ CPU per request (app + db + wrk), the rate if this run had the machine to itself\n"
        "others: cores used meanwhile by other processes on this machine (noise)"
    )
    print()
    print("Ratios: throughput (and the same from CPU per request, which other load on the machine disturbs less)")
    pairs = (("A", "B"), ("A", "C"), ("B", "C"))
    for outcome in results:
        runs = outcome.runs
        parts = []
        for x, y in pairs:
            if x in runs and y in runs and runs[y].rate:
                cap_x, cap_y = runs[x].cpu_bound_rate, runs[y].cpu_bound_rate
                by_cpu = f" ({cap_x / cap_y:.2f})" if cap_x and cap_y else ""
                parts.append(f"{x}/{y} = {runs[x].rate / runs[y].rate:.2f}{by_cpu}")
        if parts:
            print(f"  {outcome.name:<{width}} " + "   ".join(parts))
    print()
    print("Targets (PostgreSQL, A = real API)")
    postgres = next((r for r in results if r.name == "postgres" and not r.skipped), None)
    if postgres is None or "A" not in postgres.runs:
        print("  not measured: PostgreSQL or endpoint A was not in this run")
    else:
        a, b = postgres.runs["A"], postgres.runs.get("B")
        if b is not None and b.rate:
            ratio = a.rate / b.rate
            print(f"  A ≥ {TARGET_A_OVER_B} × B         {ratio:>7.2f} × B         {verdict(ratio >= TARGET_A_OVER_B)}")
        print(f"  A ≥ {TARGET_A_RPS:.0f} submits/s    {a.rate:>7.1f} submits/s   {verdict(a.rate >= TARGET_A_RPS)}")
        p99 = a.p99_ms if a.p99_ms is not None else float("inf")
        print(f"  A p99 ≤ {TARGET_A_P99_MS:.0f} ms         {p99:>7.1f} ms          {verdict(p99 <= TARGET_A_P99_MS)}")
    notes = []
    for outcome in results:
        for key, run in outcome.runs.items():
            if run.errors:
                notes.append(
                    f"{outcome.name} {key}: {run.errors} failed request(s), see var/bench/wrk-{outcome.name}-{key}.txt"
                )
            # A request in flight when wrk stops is stored but not counted, one per connection at most, at the
            # end of the warm-up (after the row count) and at the end of the run.
            if run.rows is not None and not 0 <= run.rows - run.ok <= 2 * args.connections:
                notes.append(
                    f"{outcome.name} {key}: {run.ok} × {run.endpoint.expected_status} but {run.rows} rows stored"
                )
    if any(r.name.startswith("sqlite") and not r.skipped for r in results) and args.workers > 1:
        notes.append("SQLite: writers are serialised (BEGIN IMMEDIATE, busy timeout 20 s): the workers take turns")
    for note in notes:
        print(f"  note: {note}")


def sqlite_commit_rate(synchronous: str, commits: int = 200) -> float:
    """Single-row write transactions per second on the bench's disk, one connection: the floor FULL sets."""
    path = VAR_DIR / "commit-rate.sqlite3"
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    for file in files:
        file.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA synchronous={synchronous}")  # FULL or NORMAL, checked by parse_args
            connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
            started = time.perf_counter()
            for _ in range(commits):
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO t (body) VALUES (?)", ("x" * 500,))
                connection.execute("COMMIT")
            return commits / (time.perf_counter() - started)
    finally:
        for file in files:
            file.unlink(missing_ok=True)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent wrk connections (default 16)")
    parser.add_argument("--only", choices=sorted(DATABASES), help="bench one database only")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run (default 3)")
    parser.add_argument(
        "--endpoints", default="ABC", help="which of A, B, C and D (the suggested changes) to run (default ABC)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers (default: cores)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every run, report the median (default 1)")
    parser.add_argument("--profile", action="store_true", help="cProfile every worker and print where time goes")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    parser.add_argument(
        "--sqlite-synchronous",
        default="full",
        help="SQLite's PRAGMA synchronous, comma-separated to compare: full (as deployed), normal (default full)",
    )
    args = parser.parse_args(argv)
    args.endpoints = [key for key in ENDPOINTS if key in args.endpoints.upper()]
    if not args.endpoints:
        parser.error("--endpoints needs at least one of A, B, C, D")
    for name in ("duration", "connections", "workers", "threads", "wrk_threads", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    args.sqlite_synchronous = [mode.strip().upper() for mode in args.sqlite_synchronous.split(",") if mode.strip()]
    if not args.sqlite_synchronous or not set(args.sqlite_synchronous) <= {"FULL", "NORMAL"}:
        parser.error("--sqlite-synchronous takes full, normal or both")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk); nothing measured.", file=sys.stderr)
        return 0
    started = datetime.now().astimezone()
    run_id = f"{int(time.time())}"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "static").mkdir(exist_ok=True)  # STATIC_ROOT: whitenoise warns if it is missing
    names = [args.only] if args.only else ["postgres", "sqlite"]
    databases = [
        database
        for name in names
        for database in (
            [SQLiteDatabase(mode) for mode in args.sqlite_synchronous] if name == "sqlite" else [DATABASES[name]()]
        )
    ]
    results = []
    for database in databases:
        name = database.name
        try:
            results.append(bench_database(database, args, run_id))
        except Exception as exc:  # a report: say what failed and go on with the other database
            log(f"{name}: {exc}")
            results.append(DatabaseResult(name, skipped=str(exc).splitlines()[0][:200]))
    print_report(results, args, started)
    if any(isinstance(database, SQLiteDatabase) for database in databases):
        rates = {mode: sqlite_commit_rate(mode) for mode in dict.fromkeys(args.sqlite_synchronous)}
        print(
            "SQLite single-row commits/s on this disk (one connection): "
            + ", ".join(f"{mode} {rate:,.0f}" for mode, rate in rates.items())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
