"""Deployment checks (``madoguchi check --deploy``): durability, client addresses, shared counters.

Nothing here stops a server from starting; each warning names a setting that makes production
lose data or protect residents less than the operator believes:

- PostgreSQL with ``fsync``, ``synchronous_commit`` or ``full_page_writes`` off acknowledges an
  application (receipt number shown) that a crash can then lose or corrupt;
- behind a TLS proxy without ``MADOGUCHI_CLIENT_IP_HEADER`` every resident shares the proxy's
  address, so one busy resident uses up everyone's submission limit;
- the database cache counts rate limits with a read and a write, not an atomic increment, so
  several app servers let through more than the limit: Redis counts atomically;
- a cache that does not answer fails every rate-limited request.

One is an error, which ``make production`` (``check --deploy --fail-level ERROR``) refuses to
start with: without an https ``MADOGUCHI_PUBLIC_URL`` every issued PDF, e-mail and widget snippet
would point residents at an address that is not the portal, or at one over plain HTTP.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connections
from django.utils.module_loading import import_string

# PostgreSQL settings that must stay on for a commit to survive a crash or a power failure.
POSTGRES_DURABILITY = {
    "fsync": "on",
    "synchronous_commit": "on",  # "local", "remote_write" and "remote_apply" are durable too
    "full_page_writes": "on",
}
DURABLE_SYNCHRONOUS_COMMIT = {"on", "local", "remote_write", "remote_apply"}


@register("madoguchi", deploy=True)
def check_postgres_durability(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    for connection in connections.all(initialized_only=False):
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                values = {}
                for name in POSTGRES_DURABILITY:
                    cursor.execute(f"SHOW {name}")  # our constant names, not input
                    values[name] = cursor.fetchone()[0]
        except DatabaseError as exc:
            warnings.append(
                Warning(
                    f"Could not read PostgreSQL's durability settings of database '{connection.alias}': {exc}",
                    hint="Check that fsync, synchronous_commit and full_page_writes are on "
                    "(docs/operations/deployment.md).",
                    id="madoguchi.W004",
                )
            )
            continue
        off = [
            name
            for name, value in values.items()
            if (value not in DURABLE_SYNCHRONOUS_COMMIT if name == "synchronous_commit" else value != "on")
        ]
        if off:
            warnings.append(
                Warning(
                    f"PostgreSQL database '{connection.alias}' runs with "
                    + ", ".join(f"{name}={values[name]}" for name in off)
                    + ": a crash can lose or corrupt applications already acknowledged to residents.",
                    hint="Set fsync, synchronous_commit and full_page_writes to on in postgresql.conf, and "
                    "for the database and role (ALTER DATABASE/ROLE ... RESET synchronous_commit).",
                    id="madoguchi.W001",
                )
            )
    return warnings


@register("madoguchi", deploy=True)
def check_public_url(app_configs, **kwargs) -> list[Error]:
    url = getattr(settings, "MADOGUCHI_PUBLIC_URL", "")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return []
    problem = "is not set" if not url else f"is not an https address ({url})"
    return [
        Error(
            f"MADOGUCHI_PUBLIC_URL {problem}: issued PDFs, e-mails to residents and the assistant widget "
            "link to the portal through it.",
            hint="Set MADOGUCHI_PUBLIC_URL to the portal's public address, e.g. https://madoguchi.city.example.lg.jp.",
            id="madoguchi.E001",
        )
    ]


@register("madoguchi", deploy=True)
def check_client_address(app_configs, **kwargs) -> list[Warning]:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not getattr(settings, "MADOGUCHI_CLIENT_IP_HEADER", ""):
        return [
            Warning(
                "MADOGUCHI_BEHIND_TLS_PROXY is on but MADOGUCHI_CLIENT_IP_HEADER is not set: rate limits see the "
                "proxy's address, so all residents share one limit.",
                hint="Set MADOGUCHI_CLIENT_IP_HEADER to the header your proxy sets, e.g. HTTP_X_REAL_IP.",
                id="madoguchi.W002",
            )
        ]
    return []


@register("madoguchi", deploy=True)
def check_cache_reachable(app_configs, **kwargs) -> list[Warning]:
    from django.core.cache import cache

    try:
        cache.get("madoguchi:deploy-check")
    except Exception as exc:  # any failure here is every rate-limited request failing later
        return [
            Warning(
                f"The cache ({settings.CACHES['default']['BACKEND']}) does not answer: {type(exc).__name__}: {exc}",
                hint="Every rate-limited request (submissions, status look-ups) would fail. Check CACHE_URL and "
                "that the cache table exists (madoguchi createcachetable).",
                id="madoguchi.W005",
            )
        ]
    return []


@register("madoguchi", deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    if issubclass(import_string(settings.CACHES["default"]["BACKEND"]), DatabaseCache):
        return [
            Warning(
                "The cache is the database cache: its rate-limit counters are not atomic, so several app "
                "servers let through more than the limits allow.",
                hint="Set CACHE_URL=redis://host:6379/0 to count rate limits in Redis.",
                id="madoguchi.W003",
            )
        ]
    return []
