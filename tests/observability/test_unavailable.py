"""A database that is read-only or unreachable makes pages and the API answer 503 with
Retry-After — problem+json under /api/, the friendly page elsewhere, in the resident's
language — never 429 (the rate-limit counters live in that database) and never a bare 500.

The outages are real (tests/observability/outage.py): a read-only SQLite file or a
PostgreSQL database set read-only, and a database that cannot be reached at all.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled
from tests.api.support import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE, juminhyo_answers, post_json, status_url
from tests.cases.test_submit import INKAN
from tests.observability.outage import read_only_database, unreachable_database
from tests.portal.test_apply_views import BASE, fill_all_steps
from tests.resident_signing import case_submit_as_resident, post_signed_confirmation

from madoguchi.cases.models import Case
from madoguchi.observability.unavailable import RETRY_AFTER_SECONDS
from madoguchi.procedures.selectors import procedure_get

pytestmark = pytest.mark.django_db(transaction=True)


def Client(**defaults):
    # As a real server does: an exception that became a response is not re-raised in the test.
    return DjangoClient(raise_request_exception=False, **defaults)


JAPANESE_TITLE = "一時的にご利用いただけません"
JAPANESE_PROBLEM_TITLE = "サービスは一時的に利用できません。何も保存されていません。しばらくしてからもう一度お試しください。"


@pytest.fixture
def database_cache(settings):
    """The production cache: rate-limit counters and all in the database (not process memory)."""
    settings.CACHES = {
        "default": {"BACKEND": "madoguchi.observability.cache.DatabaseCache", "LOCATION": "madoguchi_cache"}
    }
    call_command("createcachetable", verbosity=0)


@pytest.fixture
def world(aoba, database_cache, login_staff):
    """Committed before the outage: a case to look up, a signed-in clerk, a finished form draft."""
    version = procedure_get(municipality=aoba, slug="inkan-certificate").current_version
    result = case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key="outage-1")
    staff = Client()
    login_staff(staff, "aoba-clerk")
    resident = Client(HTTP_ACCEPT_LANGUAGE="ja")
    fill_all_steps(resident)
    return {"receipt": result.case.receipt_number, "code": result.access_code, "staff": staff, "resident": resident}


def case_count() -> int:
    with scopes_disabled():
        return Case.objects.count()


def requests_that_need_the_database(world) -> dict:
    """Send each request a resident, an API client or a clerk makes; return the responses."""
    api = Client(HTTP_ACCEPT_LANGUAGE="ja")
    return {
        "api status look-up": api.get(status_url(world["receipt"]), HTTP_X_ACCESS_CODE=world["code"]),
        "api submit": post_json(api, juminhyo_answers(), key="outage-api"),
        "portal status look-up": Client(HTTP_ACCEPT_LANGUAGE="ja").post(
            "/status/", {"receipt_number": world["receipt"], "access_code": world["code"]}
        ),
        "portal submit": post_signed_confirmation(world["resident"], BASE),
        "staff queue": world["staff"].get("/staff/"),
    }


def assert_unavailable(name: str, response) -> None:
    assert response.status_code == 503, f"{name}: {response.status_code} {response.content[:300]!r}"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS), name
    if "api" in name:
        assert response["Content-Type"] == PROBLEM_CONTENT_TYPE, name
        body = json.loads(response.content)
        assert body["type"] == PROBLEM_TYPE + "service-unavailable"
        assert body["status"] == 503
        assert body["title"] == JAPANESE_PROBLEM_TITLE
    else:
        assert response["Content-Type"].startswith("text/html"), name
        assert JAPANESE_TITLE in response.content.decode(), name


def test_with_a_read_only_database_lookups_submits_and_staff_pages_answer_503(world, tmp_path):
    before = case_count()
    with read_only_database(tmp_path):
        responses = requests_that_need_the_database(world)
        catalog = Client().get("/082015/")
    for name, response in responses.items():
        assert_unavailable(name, response)
    # Reading needs no write: the catalog stays readable while the database is read-only.
    assert catalog.status_code == 200
    assert case_count() == before


def test_with_an_unreachable_database_every_page_and_the_api_answer_503(world, tmp_path):
    before = case_count()
    with unreachable_database(tmp_path):
        responses = requests_that_need_the_database(world)
        responses["portal catalog"] = Client(HTTP_ACCEPT_LANGUAGE="ja").get("/082015/")
        responses["api catalog"] = Client(HTTP_ACCEPT_LANGUAGE="ja").get("/api/v1/municipalities")
    for name, response in responses.items():
        assert_unavailable(name, response)
    assert case_count() == before


def test_the_503_page_speaks_the_residents_language(world, tmp_path):
    with unreachable_database(tmp_path):
        english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/082015/")
        problem = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/municipalities")
    assert english.status_code == 503
    assert "Temporarily unavailable" in english.content.decode()
    assert json.loads(problem.content)["title"].startswith("The service is temporarily unavailable.")


def test_a_read_only_rate_limit_store_is_unavailable_not_too_many_requests(world, tmp_path, settings):
    settings.MADOGUCHI_LOOKUP_RATE = "1000/m"  # far from the limit: only the store can refuse
    with read_only_database(tmp_path):
        response = Client().get(status_url(world["receipt"]), HTTP_X_ACCESS_CODE=world["code"])
    assert response.status_code == 503
    assert response.status_code != 429


def test_liveness_needs_no_database_and_readiness_reports_it(world, tmp_path):
    with unreachable_database(tmp_path):
        live = Client().get("/health/live")
        ready = Client().get("/health/ready")
    assert live.status_code == 200
    assert ready.status_code == 503
    assert json.loads(ready.content)["checks"]["database"]["state"] == "fail"


def test_readiness_fails_while_the_database_is_read_only(world, tmp_path):
    with read_only_database(tmp_path):
        ready = Client().get("/health/ready")
    body = json.loads(ready.content)
    assert ready.status_code == 503
    assert body["checks"]["database"] == {**body["checks"]["database"], "state": "fail"}
    assert "read-only" in body["checks"]["database"]["detail"]
