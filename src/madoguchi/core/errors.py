"""Refusals as data: one base for every error a person may be shown.

A domain refuses by raising a subclass of :class:`DomainError`. Each carries a stable
``code`` (clients and tests branch on it), the HTTP ``status`` a door answers with, the
problem ``kind`` (the RFC 9457 type, one page per kind at ``/problems/<kind>``) and a
translated ``message``. Doors map the base in one place each — the API's exception
handler, the pages' middleware — so a new refusal needs no new handler anywhere.

The four families below are the only statuses a refusal may have. "Not found" is also the
answer for "not allowed" (STYLE.md): whether a case of another municipality exists must not
leak, so :class:`NotFound` has no forbidden sibling.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal a door shows: ``code``, ``status``, ``kind`` and a translated ``message``."""

    status: int = 409
    kind: str = "conflict"
    code: str = "refused"
    message: str | Promise = _("This is not possible at the moment.")
    # Seconds after which trying again may succeed (a 503's Retry-After), or None.
    retry_after: int | None = None

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None, extra: Any = None):
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        # Structured detail a door may show, e.g. one entry per invalid field.
        self.extra = extra
        super().__init__(self.code)

    def __str__(self) -> str:
        return str(self.message)

    def extensions(self) -> dict[str, Any]:
        """Return members a problem document adds beside type, title, status and detail."""
        return dict(self.extra) if isinstance(self.extra, dict) else {}


class NotFound(DomainError):
    """No such thing for this caller — also when it exists but belongs to someone else."""

    status = 404
    kind = "not-found"
    code = "not_found"
    message = _("Not found.")


class Conflict(DomainError):
    """The request is understood but the current state does not allow it."""

    status = 409
    kind = "conflict"
    code = "conflict"


class Invalid(DomainError):
    """The input is well-formed but not acceptable; ``extra`` may list the fields."""

    status = 422
    kind = "invalid-request"
    code = "invalid"
    message = _("The request has invalid values.")


class Unavailable(DomainError):
    """The platform cannot do this now (a stale CRL, a full disk): nothing was stored; try later."""

    status = 503
    kind = "service-unavailable"
    code = "unavailable"
    message = _("This service is unavailable at the moment. Nothing was stored. Please try again later.")
    retry_after = 300
