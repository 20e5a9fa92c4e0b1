"""HTTP behaviour every audience shares: caching, conditional requests, pages of lists and
rate limits.

- Anything that carries personal data or an access code is ``Cache-Control: no-store``; that
  is the default of every API response (see ``app.py``), and only public, catalog-like
  answers opt out with :func:`public_response`.
- Public answers carry a strong ``ETag`` over their exact bytes (per language: ``Vary:
  Accept-Language``), and ``If-None-Match`` with it is answered ``304 Not Modified``.
- Lists take ``limit`` and ``offset`` and say where the next and previous pages are in a
  ``Link`` header (RFC 8288), so the body stays a plain array.
- Rate limits count per client address, or per integrator credential when the request
  carries one; the counters live in the cache (Redis when ``CACHE_URL`` says so), shared by
  every app server.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django_ratelimit.core import is_ratelimited
from ninja import Schema
from pydantic import Field

from madoguchi.api.requests import RequestRefused

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
RATE_WINDOW_SECONDS = 60


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return (1-100).")
    offset: int = Field(0, ge=0, le=1_000_000, description="How many items to skip.")


@dataclass(frozen=True)
class Page:
    items: list
    link: str


def paginate(request: HttpRequest, items: list, page: PageQuery) -> Page:
    """Return the items of ``page`` and the Link header pointing to its neighbours."""
    chosen = items[page.offset : page.offset + page.limit]
    links = []

    def url(offset: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(page.limit), str(offset)
        return f"<{request.build_absolute_uri(request.path)}?{urlencode(sorted(query.items()))}>"

    if page.offset + page.limit < len(items):
        links.append(f'{url(page.offset + page.limit)}; rel="next"')
    if page.offset > 0:
        links.append(f'{url(max(page.offset - page.limit, 0))}; rel="prev"')
    links.append(f'{url(0)}; rel="first"')
    return Page(items=chosen, link=", ".join(links))


def _json(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def if_none_match(request: HttpRequest, etag: str) -> bool:
    """Whether the client's ``If-None-Match`` names ``etag`` (or is ``*``)."""
    header = request.headers.get("If-None-Match", "")
    candidates = {item.strip().removeprefix("W/") for item in header.split(",")}
    return "*" in candidates or etag in candidates


def public_response(
    request: HttpRequest, data, *, link: str = "", content_type: str = "application/json"
) -> HttpResponse:
    """A public answer that may be cached and revalidated: ETag over its bytes, 304 on a match."""
    content = data if isinstance(data, bytes) else _json(data)
    etag = etag_of(content)
    if if_none_match(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    # Shared caches may keep it; every use asks the server whether it is still current.
    response["Cache-Control"] = "public, no-cache"
    if link:
        response["Link"] = link
    patch_vary_headers(response, ["Accept-Language"])
    return response


def rate_limited() -> RequestRefused:
    """The API's answer past a rate limit: 429 with Retry-After."""
    return RequestRefused(429, "rate-limited", headers={"Retry-After": str(RATE_WINDOW_SECONDS)})


def enforce_rate(request: HttpRequest, group: str, rate: str) -> None:
    """Count this request in ``group``; raise RateLimited past ``rate``.

    A request with a valid integrator credential is counted against that credential's own
    limit instead of its address: a city's web site sends every resident's application from
    one server address.
    """
    credential = getattr(request, "integrator", None)
    if credential is not None:
        if credential.rate and is_ratelimited(
            request,
            group=f"integrator:{group}",
            key=lambda _g, _r: credential.client_id,
            rate=credential.rate,
            increment=True,
        ):
            raise rate_limited()
        return
    if rate and is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
        raise rate_limited()
