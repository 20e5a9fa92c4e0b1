"""Requests to a running instance: through nginx over verified TLS, or to one app process directly."""

from __future__ import annotations

import http.client
import socket
import ssl

from deploy.config import Instance


class _Connection(http.client.HTTPSConnection):
    """HTTPS to the listening address, presenting (and verifying) the public host name."""

    def __init__(self, address: str, port: int, server_name: str, context: ssl.SSLContext):
        super().__init__(address, port, timeout=30, context=context)
        self.server_name = server_name

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


def https_request(
    instance: Instance, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request through the instance's nginx over verified TLS; return (status, headers, body)."""
    if instance.tls_generated:
        context = ssl.create_default_context(cafile=str(instance.tls_dir / "ca.pem"))
    else:  # the operator's certificate may not name this machine: this is a local probe only
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    host = instance.host_names[0] if instance.host_names else "127.0.0.1"
    address = "127.0.0.1" if instance.listen_address in {"0.0.0.0", "::", "*"} else instance.listen_address  # noqa: S104
    connection = _Connection(address, instance.https_port, host, context)
    try:
        all_headers = {"Host": host if instance.https_port == 443 else f"{host}:{instance.https_port}", **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def app_answers(instance: Instance, port: int) -> bool:
    """Whether the app process on ``port`` serves the portal home (asked directly, as nginx would)."""
    host = instance.host_names[0] if instance.host_names else "127.0.0.1"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
