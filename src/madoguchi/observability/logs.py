"""Log lines an operator can search: one JSON object per line (``MADOGUCHI_LOG_FORMAT=json``) or
readable text for development, each with the request or job it belongs to — and never
personal data.

Code never logs request bodies, query strings or answers; :class:`PersonalDataFilter` is the
second wall for what slips through (an exception message quoting a row, a library's debug
line): it masks e-mail addresses, phone numbers, 12-digit numbers (個人番号 has 12 digits),
access codes, tokens and passwords before any handler writes the line.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from madoguchi.observability import context

# Fields that the request middleware passes with ``extra=`` and that formatters show.
REQUEST_FIELDS = ("method", "status", "duration_ms")
CONTEXT_FIELDS = ("request_id", "municipality", "route", "task_id")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# Japanese phone numbers written with separators (03-1234-5678, 090-1234-5678, (03)1234-5678).
_PHONE = re.compile(r"(?<![\w-])(?:\(0\d{1,4}\)[-‐ー－ ]?|0\d{1,4}[-‐ー－ ])\d{1,4}[-‐ー－ ]\d{3,4}(?![\w-])")
_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}(?!\d)")
# key=value, key: value and "key": "value" for names that carry secrets.
_SECRET_PAIR = re.compile(
    r"""(?ix)
    (["']?\b(?:access[_-]?code|x-access-code|password|passwd|pin|token|secret|api[_-]?key|authorization|cookie|sessionid|csrftoken)\b["']?
    \s*[:=]\s*["']?)
    (?:bearer\s+)?[^\s"'&,;}]+
    """
)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")


def mask_personal_data(text: str) -> str:
    """Return ``text`` with e-mail addresses, phone and 12-digit numbers and secrets masked."""
    text = _SECRET_PAIR.sub(r"\1[masked]", text)
    text = _BEARER.sub("Bearer [masked]", text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[phone]", text)
    return _TWELVE_DIGITS.sub("[number]", text)


class PersonalDataFilter(logging.Filter):
    """Mask personal data in the message and the exception text of every record.

    Attach it to handlers (not loggers), so records that propagate from any library pass it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


class ContextFilter(logging.Filter):
    """Copy the request or job context onto the record (fields given with ``extra=`` win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in context.snapshot().items():
            if not getattr(record, name, ""):
                setattr(record, name, value)
        return True


class AlreadyReportedFilter(logging.Filter):
    """Drop django.request's line for a 503: madoguchi.unavailable has said what failed, and the
    request line has the route and the id; Django's repeats the raw path at ERROR level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 503


def _iso_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, then context."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": _iso_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS + REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for development: ``time LEVEL logger [request id] message key=value …``."""

    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request_id", "") or getattr(record, "task_id", "")
        extras = " ".join(
            f"{name}={getattr(record, name)}"
            for name in ("municipality", "route", *REQUEST_FIELDS)
            if getattr(record, name, None) not in (None, "")
        )
        line = f"{_iso_time(record)} {record.levelname} {record.name}"
        if request:
            line += f" [{request}]"
        line += f" {record.getMessage()}"
        if extras:
            line += f" ({extras})"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


def logging_config(*, level: str = "INFO", log_format: str = "text") -> dict:
    """Return the ``LOGGING`` setting: everything to stdout/stderr through one handler."""
    if log_format not in ("text", "json"):
        raise ValueError(f"MADOGUCHI_LOG_FORMAT must be text or json, not {log_format!r}")
    formatter = "madoguchi.observability.logs.JsonFormatter" if log_format == "json" else (
        "madoguchi.observability.logs.TextFormatter"
    )  # fmt: skip
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "madoguchi.observability.logs.ContextFilter"},
            "personal_data": {"()": "madoguchi.observability.logs.PersonalDataFilter"},
            "already_reported": {"()": "madoguchi.observability.logs.AlreadyReportedFilter"},
        },
        "formatters": {"madoguchi": {"()": formatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "madoguchi",
                "filters": ["context", "personal_data"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request logging repeats what madoguchi.request says, with the raw
            # path; keep only its errors (with tracebacks), never its warnings for each 404.
            "django.request": {"level": "ERROR", "filters": ["already_reported"]},
            "django.server": {"level": "WARNING"},
            "bm25s": {"level": "WARNING"},
            "pikepdf": {"level": "WARNING"},
        },
    }
