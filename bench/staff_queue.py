"""The staff queue at 1,000,000 cases against the same queue at 10,000, through real HTTP.

``make bench-queue`` runs this. For each dataset size it keeps a PostgreSQL database
(``<name>_10k``, ``<name>_1m`` from DATABASE_URL, default
``postgres://postgres@127.0.0.1:5432/madoguchi_bench_queue``) filled by ``madoguchi demo`` and
``madoguchi demo_cases --municipality 082015 --count N``. A database that already holds exactly N
cases is reused (only ``migrate`` runs, so new indexes are built on the kept data); anything else
is dropped and filled again. Then it starts one gunicorn per dataset (bench settings, as
bench/submit.py), signs ``aoba-admin`` (all departments) and ``aoba-clerk`` (two departments) in
through the real two-step sign-in, creates a staff API token, and sends every scenario's request
``--requests`` times to each dataset in turn (10k, 1M, 10k, …: both see the same noise), one
request at a time over a kept-alive connection. It prints p50/p99 per scenario and dataset, the
ratio largest/smallest (keyset pagination keeps it near 1) and PASS/FAIL against the target
(p50 ≤ 50 ms at the largest size for every page scenario).

    .venv/bin/python bench/staff_queue.py                       # 10k and 1M, 200 requests each
    .venv/bin/python bench/staff_queue.py --requests 50 --sizes 10000,100000
    .venv/bin/python bench/staff_queue.py --explain             # also EXPLAIN ANALYZE each query at the largest size
    .venv/bin/python bench/staff_queue.py --rebuild             # drop and fill the databases again

A report, not a test: it exits 0 whatever the figures. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import signal
import statistics
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

REPO_DIR = Path(__file__).resolve().parents[1]
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench.submit import HOST, SETTINGS, VAR_DIR, Gunicorn, machine_busy_seconds  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_queue"
MUNICIPALITY = "082015"
ADMIN, CLERK = "aoba-admin", "aoba-clerk"
DEMO_PASSWORD = "madoguchi-demo-2026"  # noqa: S105 - public, madoguchi.demo.tenants.DEMO_PASSWORD
TARGET_P50_MS = 50.0
FILL_TIMEOUT_S = 3600.0
COMMAND_TIMEOUT_S = 600.0
RECEIPT_RE = re.compile(r'class="bo-receipt" href="/staff/cases/(\d{6}-\d{4}-\d{6})/"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else str(size)


# --------------------------------------------------------------------------- datasets


@dataclass
class Dataset:
    size: int
    server_url: str  # postgresql://user@host:port
    name: str

    @property
    def url(self) -> str:
        return f"{self.server_url}/{self.name}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            DATABASE_URL=self.url,
            MADOGUCHI_BASE_DIR=str(REPO_DIR),
            MADOGUCHI_VAR_DIR=str(VAR_DIR),
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH", "")])),
            PYTHONUNBUFFERED="1",
        )
        return env

    def connect(self, database: str | None = None, **kwargs):
        import psycopg

        return psycopg.connect(f"{self.server_url}/{database or self.name}", connect_timeout=5, **kwargs)

    def cases(self) -> int | None:
        """The number of cases of the bench municipality, None if the database is missing or not migrated."""
        import psycopg

        try:
            with self.connect() as connection:
                return connection.execute(
                    "SELECT count(*) FROM cases_case c JOIN tenants_municipality m ON m.id = c.municipality_id "
                    "WHERE m.code = %s",
                    [MUNICIPALITY],
                ).fetchone()[0]
        except psycopg.Error:
            return None

    def recreate(self) -> None:
        from psycopg import sql

        with self.connect("postgres", autocommit=True) as connection:
            name = sql.Identifier(self.name)
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def madoguchi(self, *args: str, timeout: float = COMMAND_TIMEOUT_S, stream: bool = False) -> str:
        command = [sys.executable, "-m", "madoguchi", *args]
        done = subprocess.run(
            command,
            env=self.env(),
            cwd=REPO_DIR,
            stdout=subprocess.PIPE,
            stderr=None if stream else subprocess.PIPE,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"`madoguchi {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr or ''}")
        return done.stdout

    def prepare(self, rebuild: bool) -> str:
        """Make sure the database holds exactly ``size`` generated cases and is migrated; return what was done."""
        found = None if rebuild else self.cases()
        if found == self.size:
            started = time.perf_counter()
            self.madoguchi("migrate", "--noinput", "--verbosity", "0", timeout=FILL_TIMEOUT_S)
            with self.connect(autocommit=True) as connection:
                connection.execute("ANALYZE")
            return f"kept ({found:,} cases; migrate + ANALYZE {time.perf_counter() - started:.0f} s)"
        log(f"{self.name}: {'rebuild requested' if rebuild else f'found {found} cases'}; filling with {self.size:,}")
        self.recreate()
        self.madoguchi("migrate", "--noinput", "--verbosity", "0")
        self.madoguchi("createcachetable")
        self.madoguchi("demo")
        out = self.madoguchi(
            "demo_cases", "--municipality", MUNICIPALITY, "--count", str(self.size), timeout=FILL_TIMEOUT_S, stream=True
        )
        return "filled: " + out.strip()

    def disk(self) -> str:
        with self.connect() as connection:
            total, table = connection.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database())), "
                "pg_size_pretty(pg_total_relation_size('cases_case'))"
            ).fetchone()
        return f"database {total}, cases_case with indexes {table}"

    def facts(self) -> dict:
        """Values the scenarios need: a cursor half-way down the queue, a receipt number, a clerk's id."""
        with self.connect() as connection:
            connection.execute("SET TIME ZONE 'UTC'")
            municipality = connection.execute(
                "SELECT id FROM tenants_municipality WHERE code = %s", [MUNICIPALITY]
            ).fetchone()[0]
            middle = connection.execute(
                "SELECT submitted_at, id, receipt_number FROM cases_case WHERE municipality_id = %s "
                "ORDER BY submitted_at DESC, id DESC OFFSET %s LIMIT 1",
                [municipality, self.size // 2],
            ).fetchone()
            clerk = connection.execute("SELECT id FROM auth_user WHERE username = %s", [CLERK]).fetchone()[0]
        stamp: datetime = middle[0].astimezone(UTC)
        # As cases.selectors._encode_cursor writes it.
        return {"cursor": f"{stamp.isoformat()}_{middle[1]}", "receipt": middle[2], "clerk_id": clerk}


# --------------------------------------------------------------------------- HTTP client


class Client:
    """One kept-alive HTTP/1.1 connection with a cookie jar (enough for Django's session and CSRF cookies)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict[str, str]]:
        headers = {"Accept-Language": "ja", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", errors="replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def close(self) -> None:
        self.connection.close()


def demo_totp(username: str, at: float) -> str:
    """The code the demo TOTP device of ``username`` shows at ``at`` (RFC 6238; key as madoguchi.demo.tenants)."""
    key = bytes.fromhex(hashlib.sha1(f"madoguchi-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest())
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(port: int, username: str) -> Client:
    """Sign a demo staff member in as a browser would: password, then the TOTP code."""
    client = Client(port)
    for step, form in (
        ("/staff/login/", {"username": username, "password": DEMO_PASSWORD, "next": ""}),
        ("/staff/login/verify/", None),
    ):
        status, page, _ = client.request("GET", step)
        token = CSRF_RE.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"GET {step} answered {status} without a form")
        # A code is accepted once; try this 30-second step's, then the next one's (within the tolerance).
        for shift in (0, 30):
            fields = form or {"code": demo_totp(username, time.time() + shift)}
            status, _, _ = client.request("POST", step, {**fields, "csrfmiddlewaretoken": token.group(1)})
            if status == 302:
                break
            if form:
                break
        if status != 302:
            raise RuntimeError(f"sign-in of {username} refused at {step} ({status})")
    status, page, _ = client.request("GET", "/staff/")
    if status != 200 or 'data-testid="queue"' not in page:
        raise RuntimeError(f"{username}: the queue answered {status} after sign-in")
    return client


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    kind: str  # "page" (the back-office queue) or "api" (the staff list API)
    user: str
    params: object  # dict, or a function of the dataset's facts returning one
    expect_rows: bool = True  # a page with rows is expected (False: a search that matches nothing)

    def path(self, facts: dict) -> str:
        params = self.params(facts) if callable(self.params) else self.params
        base = "/staff/" if self.kind == "page" else "/api/v1/staff/cases"
        return base + ("?" + urlencode(params, quote_via=quote) if params else "")


SCENARIOS = [
    Scenario("first", "first page", "page", ADMIN, {}),
    Scenario("deep", "deep page (cursor half-way)", "page", ADMIN, lambda f: {"cursor": f["cursor"]}),
    Scenario("procedure", "procedure=juminhyo-copy (31 %)", "page", ADMIN, {"procedure": "juminhyo-copy"}),
    Scenario("rare-proc", "procedure=zei-shomei (6 %)", "page", ADMIN, {"procedure": "zei-shomei"}),
    Scenario("status", "status=correction_requested", "page", ADMIN, {"status": "correction_requested"}),
    Scenario("open", "status=open", "page", ADMIN, {"status": "open"}),
    Scenario("assignee", "assignee=<clerk>", "page", ADMIN, lambda f: {"assignee": str(f["clerk_id"])}),
    Scenario("unassigned", "assignee=none", "page", ADMIN, {"assignee": "none"}),
    Scenario("overdue", "due=overdue", "page", ADMIN, {"due": "overdue"}),
    Scenario("receipt", "search receipt number", "page", ADMIN, lambda f: {"q": f["receipt"]}),
    Scenario("kanji", "search 山田花子 (kanji)", "page", ADMIN, {"q": "山田花子"}),
    Scenario("kana", "search ﾔﾏﾀﾞ ﾊﾅｺ (half-width)", "page", ADMIN, {"q": "ﾔﾏﾀﾞ ﾊﾅｺ"}),
    Scenario("family", "search 額賀 (2 kanji)", "page", ADMIN, {"q": "額賀"}),
    Scenario("nomatch", "search 存在しない (no match)", "page", ADMIN, {"q": "存在しない"}, expect_rows=False),
    Scenario("clerk", "clerk (2 departments), first", "page", CLERK, {}),
    Scenario("api", "staff API list, first page", "api", ADMIN, {}),
    Scenario("api-deep", "staff API list, deep cursor", "api", ADMIN, lambda f: {"cursor": f["cursor"]}),
]


@dataclass
class Timings:
    ms: list[float] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float | None:
        if not self.ms:
            return None
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rows_in(kind: str, text: str) -> int:
    if kind == "api":
        return len(json.loads(text)["results"])
    return len(set(RECEIPT_RE.findall(text)))


def timed(client: Client, scenario: Scenario, path: str, timings: Timings | None) -> None:
    started = time.perf_counter()
    status, text, _ = client.request("GET", path)
    elapsed = (time.perf_counter() - started) * 1000
    if timings is None:
        return
    if status != 200:
        timings.errors.append(f"{status}")
        return
    timings.ms.append(elapsed)
    timings.rows.add(rows_in(scenario.kind, text))


# --------------------------------------------------------------------------- EXPLAIN


EXPLAIN_SCRIPT = r"""
import json, sys
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from madoguchi.cases.selectors import QueueFilters, case_queue
from madoguchi.tenants.access import staff_context_for
from django.contrib.auth import get_user_model
for item in json.loads(sys.stdin.read()):
    staff = staff_context_for(get_user_model().objects.get(username=item["user"]))
    p = item["params"]
    filters = QueueFilters(procedure=p.get("procedure", ""), status=p.get("status", ""), assignee=p.get("assignee", ""),
                           due=p.get("due", ""), query=p.get("q", ""))
    with CaptureQueriesContext(connection) as queries:
        case_queue(staff=staff, filters=filters, cursor=p.get("cursor", ""), today=timezone.localdate())
    sql = [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"] and "ORDER BY" in q["sql"]][-1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"=== {item['label']}\n{sql}\n{plan}\n", flush=True)
"""


def explain(dataset: Dataset, facts: dict) -> None:
    items = []
    for scenario in SCENARIOS:
        if scenario.kind != "page":
            continue
        params = scenario.params(facts) if callable(scenario.params) else scenario.params
        items.append({"label": scenario.label, "user": scenario.user, "params": params})
    done = subprocess.run(
        [sys.executable, "-m", "madoguchi", "shell", "-c", EXPLAIN_SCRIPT],
        input=json.dumps(items),
        env=dataset.env(),
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    print(f"\n##### EXPLAIN (ANALYZE, BUFFERS) at {dataset.size:,} cases\n{done.stdout}{done.stderr}")


# --------------------------------------------------------------------------- main


def server_args(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(workers=args.workers, worker_class="sync", threads=1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,1000000", help="dataset sizes, smallest first (default 10000,1000000)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per scenario and size")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests first (default 10)")
    parser.add_argument("--only", help="comma-separated scenario keys (default: all)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per dataset (default 2)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each page query (largest)")
    parser.add_argument("--rebuild", action="store_true", help="drop and fill the databases again")
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    if args.requests < 1 or args.warmup < 0 or not args.sizes or min(args.sizes) < 100:
        parser.error("need --requests ≥ 1, --warmup ≥ 0 and sizes ≥ 100")
    args.scenarios = [s for s in SCENARIOS if not args.only or s.key in args.only.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # TERM (and INT, which a shell ignores in background jobs) end the run through the finally
    # below, so the gunicorn servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    database_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        print("bench/staff_queue.py needs PostgreSQL (DATABASE_URL=postgres://…); nothing measured.", file=sys.stderr)
        return 0
    server_url = f"postgresql://{parts.netloc}"
    base_name = parts.path.lstrip("/") or "madoguchi_bench_queue"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "static").mkdir(exist_ok=True)
    started = datetime.now().astimezone()
    datasets = [Dataset(size, server_url, f"{base_name}_{label(size)}") for size in args.sizes]
    prepared = {}
    for dataset in datasets:
        t0 = time.perf_counter()
        prepared[dataset.size] = dataset.prepare(args.rebuild)
        log(f"{dataset.name}: {prepared[dataset.size]} ({time.perf_counter() - t0:.0f} s)")
    servers, clients, facts = [], {}, {}
    try:
        for dataset in datasets:
            server = Gunicorn(dataset.env(), server_args(args), VAR_DIR / f"gunicorn-queue-{label(dataset.size)}.log", None)
            servers.append(server)
            server.wait_ready()
            token = dataset.madoguchi("staff_token", "create", "--user", ADMIN, "--name", "queue bench", "--days", "1")
            api = Client(server.port)
            api.headers["Authorization"] = f"Bearer {token.strip()}"
            clients[dataset.size] = {ADMIN: sign_in(server.port, ADMIN), CLERK: sign_in(server.port, CLERK), "api": api}
            facts[dataset.size] = dataset.facts()
            log(f"{dataset.name}: gunicorn on {server.base_url}, signed in")
        results: dict[str, dict[int, Timings]] = {}
        busy: dict[str, float | None] = {}
        for scenario in args.scenarios:
            results[scenario.key] = {dataset.size: Timings() for dataset in datasets}
            busy_before, wall_before = machine_busy_seconds(), time.perf_counter()
            for phase, rounds in (("warm", args.warmup), ("run", args.requests)):
                for _ in range(rounds):
                    for dataset in datasets:  # interleaved: every size sees the same noise
                        client = clients[dataset.size]["api" if scenario.kind == "api" else scenario.user]
                        timings = results[scenario.key][dataset.size] if phase == "run" else None
                        timed(client, scenario, scenario.path(facts[dataset.size]), timings)
            busy_after = machine_busy_seconds()
            if busy_before is not None and busy_after is not None:
                busy[scenario.key] = (busy_after - busy_before) / (time.perf_counter() - wall_before)
            largest = results[scenario.key][datasets[-1].size]
            log(f"{scenario.key}: p50 {largest.percentile(50) or 0:.1f} ms at {datasets[-1].size:,}")
        print_report(args, datasets, results, busy, prepared, started)
        if args.explain:
            explain(datasets[-1], facts[datasets[-1].size])
    finally:
        for per_size in clients.values():
            for client in per_size.values():
                client.close()
        for server in servers:
            with contextlib.suppress(Exception):
                server.stop()
    return 0


def print_report(args, datasets: list[Dataset], results, busy, prepared, started: datetime) -> None:
    small, large = datasets[0], datasets[-1]
    print()
    print(
        f"Madoguchi queue benchmark · {started:%Y-%m-%d %H:%M %Z} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · gunicorn {args.workers} × sync · one request at a time, "
        f"{args.requests} per scenario and size after {args.warmup} warm-up, sizes interleaved"
    )
    for dataset in datasets:
        print(f"  {dataset.size:>9,} cases: {dataset.name} ({dataset.disk()}); {prepared[dataset.size]}")
    print()
    sizes = "".join(f" {label(d.size) + ' p50':>9} {label(d.size) + ' p99':>9}" for d in datasets)
    header = (
        f"{'scenario':<34}{sizes} {'ratio p50':>9} {'ratio p99':>9} {'rows':>9} {'busy':>5}"
        f"  target (p50 ≤ {TARGET_P50_MS:.0f} ms)"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for scenario in args.scenarios:
        per_size = results[scenario.key]
        cells = ""
        for dataset in datasets:
            t = per_size[dataset.size]
            cells += f" {t.percentile(50) or 0:>9.1f} {t.percentile(99) or 0:>9.1f}"
        a, b = per_size[large.size], per_size[small.size]
        ratio50 = (a.percentile(50) or 0) / (b.percentile(50) or 1)
        ratio99 = (a.percentile(99) or 0) / (b.percentile(99) or 1)
        rows = "/".join(str(max(per_size[d.size].rows, default=0)) for d in (small, large))
        verdict = "-"
        if scenario.kind == "page":
            ok = a.ms and (a.percentile(50) or 0) <= TARGET_P50_MS
            verdict = "PASS" if ok else "FAIL"
            if not ok:
                failed.append(scenario.key)
        load = busy.get(scenario.key)
        load_cell = f"{load:.2f}" if load is not None else "-"
        print(
            f"{scenario.key + ' ' + scenario.label:<34}{cells} {ratio50:>9.2f} {ratio99:>9.2f} {rows:>9} {load_cell:>5}"
            f"  {verdict}"
        )
        for dataset in datasets:
            t = per_size[dataset.size]
            if t.errors:
                print(f"    note: {len(t.errors)} failed request(s) at {dataset.size:,}: {sorted(set(t.errors))}")
            if scenario.expect_rows and not max(t.rows, default=0):
                print(f"    note: no rows at {dataset.size:,} (expected some)")
    print(
        f"p50/p99 in ms, wall clock per request seen by the client · ratio = {label(large.size)} ÷ {label(small.size)}"
        f" · rows = rows on the page ({label(small.size)}/{label(large.size)})\n"
        f"busy = cores the whole machine kept busy meanwhile (of {os.cpu_count()}; this run's own share is about"
        " one: client, server and database take turns)"
    )
    all_page = [results[s.key][large.size].percentile(50) or 0 for s in args.scenarios if s.kind == "page"]
    if all_page:
        print(f"page scenarios at {large.size:,}: median p50 {statistics.median(all_page):.1f} ms, worst {max(all_page):.1f} ms")
    print(f"target p50 ≤ {TARGET_P50_MS:.0f} ms at {large.size:,}: " + ("PASS" if not failed else f"FAIL ({', '.join(failed)})"))


if __name__ == "__main__":
    sys.exit(main())
