"""503 Service Unavailable while the database (or the shared cache) cannot serve.

A database that is unreachable, read-only (a standby during fail-over, a disk remounted
read-only) or refusing connections is an outage, not a bug in the request: every page and
API answers 503 with ``Retry-After``, in the format of its door (problem+json under the API,
the friendly page elsewhere), never a bare 500 — and never a 429, which would tell a resident
they did something wrong. The rate-limit counters live in that same database (or Redis):
when they cannot be counted, the request is refused as unavailable, not let through
uncounted and not reported as "limited" (:mod:`madoguchi.observability.cache`).

Doors register how they say it with :func:`register_responder`; the longest matching path
prefix wins, and a plain-text 503 is the last resort if a responder fails too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError
from django.db import OperationalError as DjangoOperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from madoguchi.core.errors import Unavailable

logger = logging.getLogger("madoguchi.unavailable")

RETRY_AFTER_SECONDS = 30

# SQLSTATEs that mean "this server cannot take the request now" rather than "the request is
# wrong": 08 connection exceptions, 25006 read-only transaction (a standby, or
# default_transaction_read_only), 53 insufficient resources, 57P01-57P05 shutdown and
# start-up, 57014 statement cancelled by a timeout.
UNAVAILABLE_SQLSTATES = ("08", "25006", "53", "57P01", "57P02", "57P03", "57P04", "57P05", "57014")
# SQLite's words for a database it cannot write or open.
UNAVAILABLE_SQLITE_MESSAGES = (
    "readonly database",
    "is locked",  # database is locked; database table is locked (another writer holds it)
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
)

Responder = Callable[[HttpRequest], HttpResponse]
_responders: dict[str, Responder] = {}


class ServiceUnavailable(Unavailable):
    """Raise to answer 503 + Retry-After: a dependency (database, cache) cannot serve now."""

    code = "service_unavailable"
    retry_after = RETRY_AFTER_SECONDS


def register_responder(path_prefix: str, responder: Responder) -> None:
    """Let a door answer 503s for paths under ``path_prefix`` (e.g. ``/api/``) its own way.

    The responder must not touch the database: it runs exactly when the database is down.
    """
    _responders[path_prefix] = responder


def _sqlstate(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return str(getattr(cause, "sqlstate", "") or getattr(cause, "pgcode", "") or "")


def _is_redis_outage(exc: BaseException) -> bool:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import ReadOnlyError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency, but only used with CACHE_URL
        return False
    return isinstance(exc, RedisConnectionError | RedisTimeoutError | ReadOnlyError)


def is_service_unavailable(exc: BaseException | None) -> bool:
    """True if ``exc`` (or what caused it) means the database or the cache cannot serve now."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, ServiceUnavailable | InterfaceError) or _is_redis_outage(exc):
            return True
        if isinstance(exc, DatabaseError):
            sqlstate = _sqlstate(exc)
            if sqlstate:
                return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
            if isinstance(exc, DjangoOperationalError):
                message = str(exc).lower()
                # PostgreSQL errors carry a SQLSTATE; one without is a failed connection.
                return not _is_sqlite(exc) or any(words in message for words in UNAVAILABLE_SQLITE_MESSAGES)
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _is_sqlite(exc: BaseException) -> bool:
    cause = exc.__cause__
    return cause is not None and type(cause).__module__ == "sqlite3"


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Return the door's 503 for ``request``, in the resident's language, with Retry-After."""
    language = translation.get_language_from_request(request)
    prefix = max((p for p in _responders if request.path.startswith(p)), key=len, default=None)
    response = None
    if prefix is not None:
        try:
            with translation.override(language):
                response = _responders[prefix](request)
        except Exception:
            logger.exception("The 503 page itself failed; answering in plain text")
    if response is None:
        response = HttpResponse(
            "Service temporarily unavailable. Please try again later.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# The exception that turned a request into a 500, kept on the request: Django's exception
# handling converts an error raised in a middleware (the session saved after the view, the
# user loaded for the staff pages) into the 500 page before the outer middleware sees it.
REQUEST_EXCEPTION_ATTRIBUTE = "_madoguchi_exception"


def remember_request_exception(sender, request=None, **kwargs) -> None:
    """``got_request_exception`` receiver: keep the exception being handled on the request."""
    if request is not None:
        setattr(request, REQUEST_EXCEPTION_ATTRIBUTE, sys.exc_info()[1])


class ServiceUnavailableMiddleware:
    """Turn database and cache outages into 503 + Retry-After wherever they happen.

    Put it above the session middleware: an outage in the view (``process_exception``), in a
    middleware beneath it, or in saving the session after the view all end here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except Exception as exc:  # a 500 handler that failed too: Django re-raises
            if not is_service_unavailable(exc):
                raise
            return self._unavailable(request, exc)
        exc = getattr(request, REQUEST_EXCEPTION_ATTRIBUTE, None)
        if response.status_code == 500 and is_service_unavailable(exc):
            return self._unavailable(request, exc)
        return response

    def process_exception(self, request, exception):
        if is_service_unavailable(exception):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request, exc: BaseException) -> HttpResponse:
        logger.warning("Service unavailable: %s: %s", type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        return unavailable_response(request)
