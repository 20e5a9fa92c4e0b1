"""The smoke check of a running production instance (``make production-check``).

Real requests through nginx over verified TLS: the portal home through the app, a static file
served by nginx itself (its log names no upstream), a media path that must not be served, a body over the limit, the request ID and the
client's address passed to the app (read back from an app process's log), and one app process
stopped while the other keeps serving. Returns a list of failures; an empty list is a pass.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from deploy import production
from deploy.config import Instance, client_max_body_mb
from deploy.probes import https_request

STATIC_PATH = "/static/vendor/design-tokens/tokens.css"
LOG_WAIT_S = 10.0


def _log_line_with(instance: Instance, marker: str, logs: str = "web-*.log") -> str | None:
    """The log line that mentions ``marker`` (logs are written as requests finish)."""
    deadline = time.monotonic() + LOG_WAIT_S
    while time.monotonic() < deadline:
        for path in sorted(instance.log_dir.glob(logs)):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if marker in line:
                    return line
        time.sleep(0.2)
    return None


def smoke_check(instance: Instance, report: Callable[[str], None] = print) -> list[str]:
    failures: list[str] = []

    def expect(condition: bool, what: str) -> None:
        report(f"  {'ok  ' if condition else 'FAIL'} {what}")
        if not condition:
            failures.append(what)

    request_id = f"smoke-{secrets.token_hex(8)}"
    status, headers, body = https_request(
        instance, "/", headers={"X-Request-ID": request_id, "X-Forwarded-For": "198.51.100.7"}
    )
    expect(status == 200 and b"<html" in body.lower(), f"GET / through nginx and an app process: {status}")
    expect(headers.get("x-request-id") == request_id, "the response carries the request ID given by the client")
    line = _log_line_with(instance, f"id={request_id}") or ""
    expect(bool(line), "the app process logged the request under the same ID (X-Request-ID forwarded)")
    expect("client=127.0.0.1" in line, "the app saw the client's address in X-Real-IP")
    expect("198.51.100.7, 127.0.0.1" in line, "X-Forwarded-For carries the chain of addresses")
    expect("proto=https" in line, "X-Forwarded-Proto tells the app the request came over HTTPS")

    status, headers, _ = https_request(instance, "/")
    expect(len(headers.get("x-request-id", "")) >= 16, "nginx makes a request ID when the client sends none")

    static_id = f"smoke-{secrets.token_hex(8)}"
    status, headers, body = https_request(instance, STATIC_PATH, headers={"X-Request-ID": static_id})
    expect(status == 200 and headers.get("content-type", "").startswith("text/css"), f"GET {STATIC_PATH}: {status}")
    line = _log_line_with(instance, f"id={static_id}", logs="nginx.log") or ""
    expect(line.endswith("upstream=-"), "nginx served the static file itself, without an app process")
    status, _, _ = https_request(instance, "/media/attachments/082015/00/x.pdf")
    expect(status == 404, f"GET /media/... is never served: {status}")
    status, _, _ = https_request(instance, "/metrics")
    expect(status == 404, f"GET /metrics is not served to the outside: {status}")

    limit = client_max_body_mb(float(instance.env["MADOGUCHI_MAX_UPLOAD_MB"])) * 1024 * 1024
    status, _, _ = https_request(
        instance, "/api/v1/applications", method="POST", headers={"Content-Length": str(limit + 1)}
    )
    expect(status == 413, f"a body over {limit // (1024 * 1024)} MB is refused by nginx: {status}")

    first = "web-1"
    production.supervisorctl(instance, "stop", first)
    try:
        statuses = [https_request(instance, "/")[0] for _ in range(4)]
        expect(statuses == [200] * 4, f"with {first} stopped the other app process serves: {statuses}")
    finally:
        production.supervisorctl(instance, "start", first)
        production.wait_ready(instance)
    states = production.program_states(instance)
    expect(all(state == "RUNNING" for state in states.values()), f"every program running again: {states}")
    return failures
