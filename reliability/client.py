"""HTTPS to the instance through nginx, over TLS verified against the instance's own CA.

One keep-alive connection per thread (``http.client`` is not thread-safe). A request that got
no answer — connection refused or reset, a timeout, a response cut off — raises
:class:`NoAnswer`; the caller decides whether to repeat it (the load generator repeats a
submit with the same Idempotency-Key, as an integrator would).
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_S = 30.0
IDLE_S = 20.0


class NoAnswer(Exception):
    """The request got no HTTP answer (the connection failed or was cut)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Requests to ``https://host:port`` with the CA file ``ca_file``; safe to share between threads."""

    def __init__(self, *, host: str, port: int, ca_file: Path, timeout: float = TIMEOUT_S):
        self.host, self.port, self.timeout = host, port, timeout
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPSConnection:
        connection = getattr(self._local, "connection", None)
        # nginx closes idle connections (keepalive_timeout 65 s): never send on one that may be closed.
        if connection is not None and time.monotonic() - getattr(self._local, "used", 0.0) > IDLE_S:
            self._drop()
            connection = None
        self._local.used = time.monotonic()
        if connection is None:
            connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
            self._local.connection = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Response:
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        began = time.monotonic()
        try:
            connection = self._connection()
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            self._drop()
            raise NoAnswer(f"{type(exc).__name__}: {exc}") from exc
        if response.will_close:
            self._drop()
        headers: dict[str, str] = {}
        for name, value in response.getheaders():  # repeated headers (Set-Cookie) joined as HTTP allows
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return Response(response.status, headers, data, time.monotonic() - began)

    def json(self, method: str, path: str, payload: Any = None, *, headers: dict[str, str] | None = None) -> Response:
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        all_headers = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        return self.request(method, path, headers=all_headers, body=body)


def multipart(fields: dict[str, str], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """Encode ``fields`` and ``files`` (part name, file name, content type, bytes) as multipart/form-data."""
    boundary = f"reliability-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n".encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content_type, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
