"""A form draft belongs to the browser that typed it, and only while that browser is in use.

A draft holds what a resident has typed so far — name, birth date, address, attachments —
before anyone was told it was received. Residents apply from library and town-hall computers
that the next person uses a minute later, and the session cookie outlives a closed browser (it
carries the staff login and the language for ``SESSION_COOKIE_AGE``). So, as with an opened
application (:mod:`madoguchi.portal.resident_view`), a session's drafts are tied to a cookie
without an expiry date (``FORM_COOKIE``), which a browser drops when it is closed, and to the
time of the last request that touched them:

* a request from a browser without the matching cookie (closed and reopened, or another
  browser presenting a copied session cookie) finds no draft: every draft of the session and
  its uploaded files are deleted (:func:`madoguchi.cases.drafts.drafts_forget`);
* so does a request after ``MADOGUCHI_DRAFT_IDLE_MINUTES`` (60) without one; the form then
  says that what was typed has been cleared, rather than silently starting again.

``clock`` is the module's time source; tests replace it to move time on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from madoguchi.cases import drafts

FORM_COOKIE = "madoguchi_form"
SESSION_KEY = "madoguchi.form_device"
# Set when drafts were cleared for idleness; the next form page says so once.
EXPIRED_KEY = "madoguchi.form_expired"

clock: Callable[[], datetime] = timezone.now


def draft_idle_limit() -> timedelta:
    return timedelta(minutes=settings.MADOGUCHI_DRAFT_IDLE_MINUTES)


def draft_expired_notice(request: HttpRequest) -> bool:
    """Whether this session's drafts were cleared for idleness since the form last said so."""
    return bool(request.session.pop(EXPIRED_KEY, False))


def _idle(device: dict, now: datetime) -> bool:
    try:
        seen = datetime.fromisoformat(device["seen"])
    except (KeyError, TypeError, ValueError):
        return True
    return now - seen > draft_idle_limit()


class FormDraftDeviceMiddleware:
    """Forget the drafts of a closed or idle browser before any view reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        now = clock()
        device = session.get(SESSION_KEY) or {}
        cookie = request.COOKIES.get(FORM_COOKIE, "")
        if drafts.drafts_held(session):
            same_browser = bool(cookie) and secrets.compare_digest(cookie, str(device.get("token", "")))
            if not same_browser or _idle(device, now):
                drafts.drafts_forget(session)
                if same_browser:
                    session[EXPIRED_KEY] = True
                device = {}
        response = self.get_response(request)
        if drafts.drafts_held(session):
            token = device.get("token") or secrets.token_urlsafe(24)
            session[SESSION_KEY] = {"token": token, "seen": now.isoformat()}
            if cookie != token:
                # No max_age or expires: the browser drops it when it is closed.
                response.set_cookie(
                    FORM_COOKIE, token, secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax"
                )
        else:
            session.pop(SESSION_KEY, None)
            if cookie:
                response.delete_cookie(FORM_COOKIE, samesite="Lax")
        return response
