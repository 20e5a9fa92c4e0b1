"""What a log line is about: the request (its id, route, municipality) or the job it belongs to.

The values live in context variables, set by the request middleware and by the job signals, so
every log line written while a request or a job runs carries them — including lines from
libraries that know nothing about requests. Nothing here is personal data: a request id is
random, a route is a URL pattern's name, a municipality is its public 全国地方公共団体コード.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

request_id: ContextVar[str] = ContextVar("madoguchi_request_id", default="")
route: ContextVar[str] = ContextVar("madoguchi_route", default="")
municipality: ContextVar[str] = ContextVar("madoguchi_municipality", default="")
task_id: ContextVar[str] = ContextVar("madoguchi_task_id", default="")

# A proxy's id (nginx's $request_id is 32 hex digits; others use UUIDs) is kept so one id
# follows the request through every tier; anything longer or with other characters is not
# trusted into the logs and a new id is made instead.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
MUNICIPALITY_CODE_PATTERN = re.compile(r"\d{6}")


def request_id_from(header_value: str | None) -> str:
    """Return the proxy's request id if it is well-formed, otherwise a new random one."""
    if header_value and REQUEST_ID_PATTERN.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def bind_municipality(code: object) -> None:
    """Note the municipality the current request or job is for (ignored if not a code)."""
    if isinstance(code, str) and MUNICIPALITY_CODE_PATTERN.fullmatch(code):
        municipality.set(code)


def snapshot() -> dict[str, str]:
    """Return the non-empty context values, for a log record."""
    values = {
        "request_id": request_id.get(),
        "route": route.get(),
        "municipality": municipality.get(),
        "task_id": task_id.get(),
    }
    return {name: value for name, value in values.items() if value}


_task_tokens: dict[str, Token] = {}


def task_started(sender, task_result, **kwargs) -> None:
    """django-tasks signal: log lines of the job carry its id until it finishes."""
    _task_tokens[str(task_result.id)] = task_id.set(str(task_result.id))


def task_finished(sender, task_result, **kwargs) -> None:
    token = _task_tokens.pop(str(task_result.id), None)
    if token is not None:
        try:
            task_id.reset(token)
        except ValueError:  # finished in another context than it started (another thread)
            task_id.set("")
