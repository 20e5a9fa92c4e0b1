"""The client's address as the trusted reverse proxy saw it, for rate limits and allow-lists.

Behind nginx, ``REMOTE_ADDR`` is nginx. ``MADOGUCHI_CLIENT_IP_HEADER`` names the header the
proxy sets (as a META key: ``HTTP_X_REAL_IP`` or ``HTTP_X_FORWARDED_FOR``). ``X-Forwarded-For``
is a list the client starts and each proxy appends to: the left-most entries are whatever the
client wrote, so only the right-most ``MADOGUCHI_TRUSTED_PROXY_COUNT`` entries (one per proxy
of ours) are believed, and the address is the one the outermost of our proxies added. A missing
or malformed header falls back to ``REMOTE_ADDR``: such requests share one counter, which
limits more, never less.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest


def meta_key(header: str) -> str:
    """Return the META key of a header named either way: ``X-Forwarded-For`` or ``HTTP_X_FORWARDED_FOR``."""
    key = header.strip().upper().replace("-", "_")
    if key and not key.startswith("HTTP_") and key != "REMOTE_ADDR":
        key = "HTTP_" + key
    return key


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: from the trusted proxy's header if configured, else the peer."""
    header = getattr(settings, "MADOGUCHI_CLIENT_IP_HEADER", "") or ""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 (a unix-socket peer has none)
    if not header:
        return remote
    raw = request.META.get(header, "")
    if not raw:
        return remote
    hops = [part for part in raw.split(",") if part.strip()]
    proxies = max(1, int(getattr(settings, "MADOGUCHI_TRUSTED_PROXY_COUNT", 1)))
    if len(hops) < proxies:
        return remote
    return _valid(hops[-proxies]) or remote
