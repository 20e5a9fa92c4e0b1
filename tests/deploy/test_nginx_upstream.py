"""nginx in front of app processes that answer 503 (the database restarting or read-only).

The app's 503 carries Retry-After and means "the database is away", which the other app
process cannot help with. nginx must pass it on; counting it as a failed upstream would take
every app process out of rotation at once and answer 502 without Retry-After for seconds
(found by `make reliability`: 38 such 502s while PostgreSQL restarted).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.deploy.tools import REPO_DIR, VENV_BIN, clean_environ, free_port, require

from deploy import config, production
from deploy.probes import https_request


class DatabaseAway(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"type": "service-unavailable"}'
        self.send_response(503)
        self.send_header("Retry-After", "30")
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_before_unavailable_apps():
    nginx = require(config.DEFAULTS["MADOGUCHI_NGINX"], "nginx")
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), DatabaseAway) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    state = Path(tempfile.mkdtemp(prefix="madoguchi-nginx-"))
    state.chmod(0o755)
    (state / "env").write_text(f"MADOGUCHI_SECRET_KEY=nginx-test-{'k' * 50}\n")
    environ = clean_environ(
        MADOGUCHI_BASE_DIR=str(REPO_DIR),
        MADOGUCHI_PRODUCTION_DIR=str(state),
        MADOGUCHI_ENV_FILE=str(state / "env"),
        MADOGUCHI_HTTPS_PORT=str(free_port()),
        MADOGUCHI_WEB_PORTS=",".join(str(s.server_address[1]) for s in servers),
        MADOGUCHI_NGINX_WORKERS="1",
    )
    instance = config.instance_from(environ, bin_dir=VENV_BIN)
    production.render_files(instance, scheduler=False)
    process = subprocess.Popen(
        [nginx, "-p", str(instance.nginx_prefix), "-c", str(instance.nginx_prefix / "nginx.conf"), "-e", "stderr",
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                https_request(instance, "/health/live")
                break
            time.sleep(0.05)
        yield instance
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in servers:
            server.shutdown()
        shutil.rmtree(state, ignore_errors=True)


def test_the_apps_503_reaches_the_client_with_retry_after_and_never_turns_into_502(nginx_before_unavailable_apps):
    answers = []
    for number in range(12):
        method, body = ("POST", b"{}") if number % 2 else ("GET", None)
        status, headers, _ = https_request(nginx_before_unavailable_apps, "/api/v1/municipalities", method=method, body=body)
        answers.append((status, headers.get("retry-after")))

    assert answers == [(503, "30")] * 12
