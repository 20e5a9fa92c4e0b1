"""What a resident has opened on this device: an application looked up with its receipt number
and access code, or the receipt just shown after submitting. It must not outlive them.

Residents apply from library and town-hall computers that the next person uses a minute later.
So an opened view lives only

* as long as the browser: it is bound to a cookie without an expiry date (``VIEW_COOKIE``), which
  a browser drops when it is closed, while the session cookie (and with it a form draft) is kept
  for ``SESSION_COOKIE_AGE``. The session holds the view together with the cookie's random token;
  a session without the matching cookie shows nothing, and forgets the view;
* for ``MADOGUCHI_RESIDENT_VIEW_IDLE_MINUTES`` (15) without a request: every page of the view
  moves the deadline on, and one asked for after it shows nothing;
* until the resident presses 終了する (:func:`resident_view_close`).

Pages that show personal data are marked :func:`resident_page`: ``Cache-Control: no-store``, so
the browser's back button and cache do not keep a copy, and the view cookie is set or cleared
on the way out. ``clock`` is the module's time source; tests replace it to move time on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

VIEW_COOKIE = "madoguchi_view"
SESSION_KEY = "madoguchi.resident_view"
# What a view may hold: the receipt number of the looked-up case, the receipt page's data.
CASE = "case"
DONE = "done"

clock: Callable[[], datetime] = timezone.now


def idle_limit() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "MADOGUCHI_RESIDENT_VIEW_IDLE_MINUTES", 15)))


def resident_view_open(request: HttpRequest, **values: Any) -> None:
    """Open a new view holding ``values`` (``case=``, ``done=``) on this device.

    A new token each time: whatever was open before is replaced, not extended.
    """
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"token": token, "seen": clock().isoformat(), **values}
    request._resident_view_cookie = token  # set on the response by resident_page


def resident_view_get(request: HttpRequest, key: str) -> Any:
    """Return ``key`` of the open view, or None if there is none, it is from a closed browser
    or it has been idle too long (then it is forgotten). A hit moves the idle deadline on."""
    view = request.session.get(SESSION_KEY)
    if not view:
        return None
    token = getattr(request, "_resident_view_cookie", None) or request.COOKIES.get(VIEW_COOKIE, "")
    now = clock()
    try:
        seen = datetime.fromisoformat(view["seen"])
    except (KeyError, TypeError, ValueError):
        seen = None
    if not token or not secrets.compare_digest(token, str(view.get("token", ""))) or seen is None:
        _forget(request)
        return None
    if now - seen > idle_limit():
        _forget(request)
        request.resident_view_expired = True
        return None
    view["seen"] = now.isoformat()
    request.session[SESSION_KEY] = view
    return view.get(key)


def resident_view_close(request: HttpRequest) -> None:
    """End the view on this device (the resident pressed 終了する)."""
    _forget(request)


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request._resident_view_cookie = ""


def resident_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a page that shows a resident's personal data: never stored by the browser or a
    proxy, and the view cookie set (a newly opened view) or cleared (a closed one)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        token = getattr(request, "_resident_view_cookie", None)
        if token:
            # No max_age or expires: the browser drops it when it is closed.
            response.set_cookie(
                VIEW_COOKIE,
                token,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif token == "" and VIEW_COOKIE in request.COOKIES:
            response.delete_cookie(VIEW_COOKIE, samesite="Lax")
        return response

    return wrapped
