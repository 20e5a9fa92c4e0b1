"""The database cache, except that a write the database refuses is an error, not a miss.

Django's ``DatabaseCache`` swallows every ``DatabaseError`` on ``add``/``set``/``touch`` (so
that two requests racing to insert one key do not fail). With a read-only database that
turns every rate-limit counter into "could not add, could not increment": django-ratelimit
then reports the client as limited, and a resident sees 429 "too many requests" during an
outage. This backend lets the race (an ``IntegrityError``) stay silent and raises every other
database error, so the request ends as 503 (:mod:`madoguchi.observability.unavailable`).
Redis (``CACHE_URL=redis://…``) already raises when it cannot count.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, IntegrityError, connections, router


class DatabaseCache(DjangoDatabaseCache):
    @contextmanager
    def _failures_raised(self):
        failures: list[DatabaseError] = []

        def watch(execute, sql, params, many, context):
            try:
                return execute(sql, params, many, context)
            except DatabaseError as exc:
                if not isinstance(exc, IntegrityError):
                    failures.append(exc)
                raise

        connection = connections[router.db_for_write(self.cache_model_class)]
        with connection.execute_wrapper(watch):
            yield
        if failures:
            raise failures[0]

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._failures_raised():
            return super().add(key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._failures_raised():
            super().set(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with self._failures_raised():
            return super().touch(key, timeout, version)
