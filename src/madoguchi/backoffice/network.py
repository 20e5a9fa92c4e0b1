"""Optional network allow-lists for the staff and operator doors (LGWAN-side only).

A municipality usually reaches the back office from its own networks (庁内LAN / LGWAN) only,
and the platform operator reaches ``/admin/`` from an operations network. Two settings say
so, as comma-separated CIDR lists; empty (the default) lets every address through:

* ``MADOGUCHI_ADMIN_ALLOWED_NETWORKS`` — ``/admin/``;
* ``MADOGUCHI_STAFF_ALLOWED_NETWORKS`` — the back office ``/staff/`` and the staff API
  ``/api/v1/staff/``.

A request from elsewhere gets exactly what an unknown address under the same prefix gets
— the "not found" page, or the API's ``not-found`` problem — so the doors' existence does
not show from outside. The check runs before sessions and sign-in are looked at.

The client address is the one the rest of the application uses (rate limits):
:func:`client_address`, the single place to change when that rule changes.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404
from django.utils.module_loading import import_string

ADMIN_PREFIXES = ("/admin/",)
STAFF_PREFIXES = ("/staff/", "/api/v1/staff/")
API_PREFIX = "/api/"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request) -> str:
    """Return the client's address as the rest of the application sees it.

    The same rule as django-ratelimit's ``key="ip"`` (without its masking):
    ``RATELIMIT_IP_META_KEY`` (``MADOGUCHI_CLIENT_IP_HEADER``) names a ``request.META`` key
    or a function taking the request; unset, it is ``REMOTE_ADDR``. When the header holds a
    list (``X-Forwarded-For: client, proxy``) the last entry is taken: the one our own proxy
    added, the only one a client cannot forge.
    """
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    if not key:
        return request.META.get("REMOTE_ADDR", "")
    if callable(key):
        return key(request)
    if "." in key:
        return import_string(key)(request)
    return request.META.get(key, "").split(",")[-1].strip()


def parse_networks(values: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """Return ``values`` (``10.0.0.0/8``, ``192.0.2.7``, ``2001:db8::/32`` …) as networks; ValueError if one is not."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


_parsed = lru_cache(maxsize=8)(parse_networks)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client on a dual-stack socket shows as ::ffff:192.0.2.7.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_allowed(value: str, networks: tuple[Network, ...]) -> bool:
    """Return whether the address ``value`` lies in one of ``networks`` (an unreadable address never does)."""
    address = _address(value)
    return address is not None and any(address in network for network in networks)


def networks_for_path(path: str) -> tuple[Network, ...] | None:
    """Return the allow-list that covers ``path``, or None when none is configured for it."""
    if path.startswith(ADMIN_PREFIXES):
        values = settings.MADOGUCHI_ADMIN_ALLOWED_NETWORKS
    elif path.startswith(STAFF_PREFIXES):
        values = settings.MADOGUCHI_STAFF_ALLOWED_NETWORKS
    else:
        return None
    return _parsed(tuple(values)) if values else None


class NetworkAllowListMiddleware:
    """Answer "not found" to requests for ``/admin/`` or the staff doors from outside their allow-list."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        networks = networks_for_path(request.path)
        if networks is not None and not address_allowed(client_address(request), networks):
            if request.path.startswith(API_PREFIX):
                from madoguchi.api.problems import problem  # the API's own "not found"

                return problem(request, 404, "not-found")
            raise Http404  # rendered by handler404, like any unknown page
        return self.get_response(request)
