"""Rate limits that fit a city: keyed on the client address the trusted proxy saw (not on the
proxy, not on what the client wrote into X-Forwarded-For), and shared by every app process
through Redis."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from django.test import Client, RequestFactory
from tests.api.support import status_url

from madoguchi.observability.client import client_ip, meta_key

PROXY = "127.0.0.1"


def address(settings, header: str | None, value: str | None = None, *, remote: str = PROXY, proxies: int = 1) -> str:
    settings.MADOGUCHI_CLIENT_IP_HEADER = header or ""
    settings.MADOGUCHI_TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote}
    if header and value is not None:
        meta[header] = value
    return client_ip(RequestFactory().get("/", **meta))


def test_without_a_proxy_the_peer_address_is_the_client(settings):
    assert address(settings, None, remote="198.51.100.4") == "198.51.100.4"


def test_x_forwarded_for_uses_the_address_our_proxy_added_not_the_ones_the_client_wrote(settings):
    assert address(settings, "HTTP_X_FORWARDED_FOR", "10.0.0.1, 203.0.113.50") == "203.0.113.50"
    assert address(settings, "HTTP_X_FORWARDED_FOR", "203.0.113.50") == "203.0.113.50"


def test_with_two_trusted_proxies_the_second_address_from_the_right_is_the_client(settings):
    chain = "6.6.6.6, 203.0.113.50, 192.0.2.10"  # forged, client (added by the LB), LB (added by nginx)
    assert address(settings, "HTTP_X_FORWARDED_FOR", chain, proxies=2) == "203.0.113.50"


def test_x_real_ip_and_ports_and_ipv6_are_understood(settings):
    assert address(settings, "HTTP_X_REAL_IP", "203.0.113.9") == "203.0.113.9"
    assert address(settings, "HTTP_X_FORWARDED_FOR", "203.0.113.9:51234") == "203.0.113.9"
    assert address(settings, "HTTP_X_FORWARDED_FOR", "[2001:db8::7]:443") == "2001:db8::7"


@pytest.mark.parametrize("value", [None, "", "not-an-address", "203.0.113.9, <script>", " , "])
def test_a_missing_or_malformed_header_falls_back_to_the_peer(settings, value):
    assert address(settings, "HTTP_X_FORWARDED_FOR", value) == PROXY


@pytest.mark.parametrize("given", ["X-Forwarded-For", "x-forwarded-for", "HTTP_X_FORWARDED_FOR"])
def test_the_setting_accepts_a_header_name_as_well_as_a_meta_key(given):
    assert meta_key(given) == "HTTP_X_FORWARDED_FOR"


def lookups(forwarded_for: str, count: int) -> list[int]:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    return [
        client.get(status_url("082015-2026-999999"), HTTP_X_ACCESS_CODE="AAAA-BBBB-CCCC").status_code
        for _ in range(count)
    ]


def test_limits_count_per_client_behind_the_proxy_and_forging_the_header_does_not_escape(municipalities, settings):
    settings.MADOGUCHI_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.MADOGUCHI_LOOKUP_RATE = "3/d"  # a day-long window: the requests cannot straddle two
    assert lookups("203.0.113.1", 3) == [404, 404, 404]
    # The same resident writing a new address in front of the one nginx added: still limited.
    assert lookups("10.9.9.9, 203.0.113.1", 1) == [429]
    # Another resident behind the same proxy has a counter of their own.
    assert lookups("203.0.113.2", 1) == [404]


# Redis: the real server, shared by two processes.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """MADOGUCHI_TEST_REDIS_URL if set (e.g. redis://127.0.0.1:6379/3), else a redis-server of
    our own on a free port, stopped afterwards."""
    given = os.environ.get("MADOGUCHI_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = shutil.which("redis-server")
    if server is None:
        reason = "redis-server is missing: install Debian's redis-server package"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)  # polling for the server to listen
    yield f"redis://127.0.0.1:{port}/3"
    process.terminate()
    process.wait(timeout=10)


COUNT_IN_ANOTHER_PROCESS = """
    import json, django
    django.setup()
    from django.conf import settings
    from django.test import RequestFactory
    from django_ratelimit.core import is_ratelimited
    settings.RATELIMIT_CACHE_PREFIX = {group!r} + ":"  # this run's keys only, removed afterwards
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.77")
    # Per day: a counter's window is a time bucket, and two process starts must not straddle one.
    limited = [
        is_ratelimited(request, group={group!r}, key="ip", rate="5/d", increment=True) for _ in range({count})
    ]
    print(json.dumps({{"backend": settings.CACHES["default"]["BACKEND"], "limited": limited}}))
"""


def count_in_another_process(redis_url: str, group: str, count: int, tmp_path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "madoguchi.conf.settings.dev",
        # Development settings on their own SQLite file, whatever database this run uses.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MADOGUCHI_BASE_DIR": str(tmp_path),
        "CACHE_URL": redis_url,
    }
    code = textwrap.dedent(COUNT_IN_ANOTHER_PROCESS.format(group=group, count=count))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_share_one_counter_through_redis(redis_url, tmp_path):
    import redis

    group = f"test-{uuid.uuid4().hex}"  # a counter of this run only
    try:
        first = count_in_another_process(redis_url, group, 3, tmp_path)
        second = count_in_another_process(redis_url, group, 3, tmp_path)
    finally:
        server = redis.Redis.from_url(redis_url)
        for key in server.scan_iter(f"*{group}*"):
            server.delete(key)
    assert first["backend"] == "django.core.cache.backends.redis.RedisCache"
    assert first["limited"] == [False, False, False]
    assert second["limited"] == [False, False, True]  # the sixth request of the five allowed


def test_an_unreachable_redis_is_unavailable_not_too_many_requests(municipalities, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:18699/3"}
    }
    api = Client(raise_request_exception=False).get(status_url("082015-2026-000001"), HTTP_X_ACCESS_CODE="AAAA-BBBB-CCCC")
    portal = Client(raise_request_exception=False).post("/status/", {"receipt_number": "x", "access_code": "y"})
    assert (api.status_code, api["Retry-After"], api["Content-Type"]) == (503, "30", "application/problem+json")
    assert (portal.status_code, portal["Retry-After"]) == (503, "30")
