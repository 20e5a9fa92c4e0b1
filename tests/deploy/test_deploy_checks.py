"""``madoguchi check --deploy`` warns about settings that lose data or weaken rate limits."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from tests.deploy.tools import free_port

from madoguchi.conf import checks

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "madoguchi_cache"}}
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}}


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_with_synchronous_commit_off_is_warned():
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        warnings = checks.check_postgres_durability(None)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

    assert ids(warnings) == ["madoguchi.W001"]
    assert "synchronous_commit=off" in warnings[0].msg


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_with_durable_settings_is_not_warned():
    with connection.cursor() as cursor:
        cursor.execute("SHOW fsync")
        assert cursor.fetchone()[0] == "on", "this PostgreSQL runs with fsync off: fix the server, not the test"
        cursor.execute("SET synchronous_commit = local")  # durable on this server: no warning either
    try:
        assert checks.check_postgres_durability(None) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def test_tls_proxy_without_client_address_header_is_warned(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.MADOGUCHI_CLIENT_IP_HEADER = ""

    assert ids(checks.check_client_address(None)) == ["madoguchi.W002"]


def test_tls_proxy_with_client_address_header_is_not_warned(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.MADOGUCHI_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    assert checks.check_client_address(None) == []


def test_database_cache_is_warned_and_redis_is_not(settings):
    settings.CACHES = DATABASE_CACHE
    assert ids(checks.check_shared_cache(None)) == ["madoguchi.W003"]

    settings.CACHES = {"default": {**DATABASE_CACHE["default"], "BACKEND": "madoguchi.observability.cache.DatabaseCache"}}
    assert ids(checks.check_shared_cache(None)) == ["madoguchi.W003"]

    settings.CACHES = REDIS_CACHE
    assert checks.check_shared_cache(None) == []


@pytest.mark.django_db
def test_check_deploy_shows_the_warnings(settings):
    settings.CACHES = DATABASE_CACHE
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.MADOGUCHI_CLIENT_IP_HEADER = ""
    output = io.StringIO()

    # Other suites' settings may add errors of their own (browser tests allow async-unsafe calls).
    call_command("check", deploy=True, fail_level="CRITICAL", stdout=output, stderr=output)

    assert "(madoguchi.W002)" in output.getvalue()
    assert "(madoguchi.W003)" in output.getvalue()


def test_check_without_deploy_leaves_them_out(settings):
    settings.CACHES = DATABASE_CACHE
    output = io.StringIO()

    call_command("check", fail_level="CRITICAL", stdout=output, stderr=output)

    assert "madoguchi.W003" not in output.getvalue()


def test_a_cache_that_does_not_answer_is_warned(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 2},
        }
    }

    warnings = checks.check_cache_reachable(None)

    assert ids(warnings) == ["madoguchi.W005"]
    assert "ConnectionError" in warnings[0].msg


def test_a_cache_that_answers_is_not_warned(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert checks.check_cache_reachable(None) == []
