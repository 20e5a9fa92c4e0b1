"""Optional allow-lists: /admin/ (MADOGUCHI_ADMIN_ALLOWED_NETWORKS) and the staff doors
/staff/ and /api/v1/staff/ (MADOGUCHI_STAFF_ALLOWED_NETWORKS). From elsewhere the answer is
the one an unknown address gets, so nothing tells the doors exist."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from tests.platform_admin.support import operator_sign_in

from madoguchi.backoffice.network import address_allowed, client_address, parse_networks
from madoguchi.conf.settings.base import env_networks

INSIDE = "10.20.30.40"
OUTSIDE = "203.0.113.9"


@pytest.fixture
def allow_lists(settings):
    settings.MADOGUCHI_ADMIN_ALLOWED_NETWORKS = ["192.0.2.0/28", "2001:db8::/32"]
    settings.MADOGUCHI_STAFF_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    return settings


def from_address(client, address: str):
    client.defaults["REMOTE_ADDR"] = address
    return client


def _page(response, path: str) -> str:
    """The response body without what differs between any two pages: the CSRF token, the page's own path."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return body.replace(path, "PATH")


def same_response(a, a_path, b, b_path) -> bool:
    return (a.status_code, a["Content-Type"], _page(a, a_path)) == (b.status_code, b["Content-Type"], _page(b, b_path))


def test_without_allow_lists_every_address_reaches_the_doors(client, municipalities):
    from_address(client, OUTSIDE)
    assert client.get("/staff/login/").status_code == 200
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("path", ["/staff/login/", "/staff/", "/staff/password/forgot/", "/admin/", "/admin/login/"])
def test_a_page_outside_the_allow_list_looks_like_an_unknown_page(client, municipalities, allow_lists, path):
    from_address(client, OUTSIDE)
    denied = client.get(path)
    unknown = client.get("/no-such-page-here/at-all/")
    assert denied.status_code == 404
    assert same_response(denied, path, unknown, "/no-such-page-here/at-all/")
    assert "sessionid" not in denied.cookies


def test_the_staff_api_outside_the_allow_list_looks_like_an_unknown_endpoint(client, municipalities, allow_lists):
    from_address(client, OUTSIDE)
    denied = client.get("/api/v1/staff/cases", HTTP_AUTHORIZATION="Bearer mdg_whatever")
    unknown = client.get("/api/v1/no-such-endpoint")
    assert denied.status_code == 404 and denied["Content-Type"] == "application/problem+json"
    assert same_response(denied, "", unknown, "")


def test_inside_the_staff_allow_list_the_back_office_and_its_api_answer(client, municipalities, allow_lists):
    from_address(client, INSIDE)
    assert client.get("/staff/login/").status_code == 200
    assert client.get("/api/v1/staff/cases").status_code == 401  # reached: asks for a token
    assert client.get("/admin/").status_code == 404  # the staff network is not the operator's


def test_the_operator_signs_in_from_an_address_on_both_lists(client, operator, settings):
    settings.MADOGUCHI_ADMIN_ALLOWED_NETWORKS = ["192.0.2.0/28"]
    settings.MADOGUCHI_STAFF_ALLOWED_NETWORKS = ["192.0.2.0/28", "10.0.0.0/8"]
    from_address(client, "192.0.2.5")
    operator_sign_in(client, operator)
    assert client.get("/admin/").status_code == 200
    from_address(client, INSIDE)  # the same session from a staff-only address
    assert client.get("/admin/").status_code == 404


def test_residents_pages_ignore_the_allow_lists(client, municipalities, allow_lists):
    from_address(client, OUTSIDE)
    assert client.get("/082015/").status_code == 200
    assert client.get("/api/v1/municipalities").status_code == 200


def test_ipv6_and_ipv4_mapped_addresses_are_matched(client, municipalities, allow_lists):
    assert from_address(client, "2001:db8::7").get("/admin/").status_code == 302
    assert from_address(client, "::ffff:10.1.2.3").get("/staff/login/").status_code == 200
    assert from_address(client, "2001:db9::7").get("/admin/").status_code == 404


def test_the_client_address_header_is_the_one_rate_limits_use(client, municipalities, allow_lists, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    from_address(client, INSIDE)  # the proxy's own address does not count
    assert client.get("/staff/login/", HTTP_X_REAL_IP=OUTSIDE).status_code == 404
    assert client.get("/staff/login/", HTTP_X_REAL_IP="10.9.9.9").status_code == 200


def test_a_forwarded_for_list_counts_only_the_entry_our_proxy_added(settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().get("/staff/", HTTP_X_FORWARDED_FOR=f"10.0.0.1, {OUTSIDE}")
    assert client_address(request) == OUTSIDE


def test_a_function_named_in_the_setting_decides_the_address(settings):
    settings.RATELIMIT_IP_META_KEY = "tests.platform_admin.test_network.fixed_address"
    assert client_address(RequestFactory().get("/staff/")) == "192.0.2.99"


def fixed_address(request) -> str:
    return "192.0.2.99"


def test_an_unreadable_address_is_never_allowed():
    networks = parse_networks(["0.0.0.0/0", "::/0"])
    assert address_allowed("192.0.2.1", networks)
    assert not address_allowed("", networks)
    assert not address_allowed("unknown", networks)


def test_a_malformed_network_stops_the_start(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_STAFF_ALLOWED_NETWORKS", "10.0.0.0/8, 10.0.0.300/24")
    with pytest.raises(ImproperlyConfigured, match=r"MADOGUCHI_STAFF_ALLOWED_NETWORKS: '10.0.0.300/24'"):
        env_networks("MADOGUCHI_STAFF_ALLOWED_NETWORKS")
    monkeypatch.setenv("MADOGUCHI_STAFF_ALLOWED_NETWORKS", " 10.0.0.0/8 , 192.0.2.7 ")
    assert env_networks("MADOGUCHI_STAFF_ALLOWED_NETWORKS") == ["10.0.0.0/8", "192.0.2.7"]
