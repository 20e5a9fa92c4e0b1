"""/health/live and /health/ready: what each check says, who sees the details, and when the
instance is not ready (503)."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from madoguchi.observability import checks, health
from madoguchi.observability.health import CheckResult, as_result
from madoguchi.signatures import health as signature_health

TOKEN = "health-token-0123456789"
OUTSIDE = "203.0.113.7"


@pytest.fixture(autouse=True)
def _jobs_have_run(monkeypatch):
    """The recurring jobs' check (operations) is ok, as once the scheduler runs; tested in tests/operations."""
    for name in ("operations.recurring_jobs", "operations.task_queue"):
        if name in health._checks:
            monkeypatch.setitem(health._checks, name, health.Check(name=name, func=lambda: "ok", critical=False))


def ready(**extra):
    response = Client().get("/health/ready", **extra)
    return response, json.loads(response.content)


@pytest.fixture
def extra_check():
    """Register checks for one test: ``extra_check(name, func, critical=…)``."""
    added = []

    def add(name, func, *, critical):
        health.register_check(name, func, critical=critical)
        added.append(name)

    yield add
    for name in added:
        health.unregister_check(name)


def test_liveness_answers_without_touching_the_database():
    # No database fixture: pytest-django makes any query in this test raise.
    response = Client(REMOTE_ADDR=OUTSIDE).get("/health/live")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_lists_each_check_for_this_machine(db):
    response, body = ready()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert body["status"] == "ok"
    assert {name: (c["state"], c["critical"]) for name, c in body["checks"].items() if name in ("database", "migrations", "disk")} == {
        "database": ("ok", True),
        "migrations": ("ok", True),
        "disk": ("ok", True),
    }


def test_readiness_details_are_hidden_from_other_addresses(db):
    response, body = ready(REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 200
    assert body == {"status": "ok"}


def test_the_health_token_shows_the_details_from_anywhere(db, settings):
    settings.MADOGUCHI_HEALTH_TOKEN = TOKEN
    _, with_token = ready(REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    _, wrong_token = ready(REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer guessed")
    assert "checks" in with_token
    assert "checks" not in wrong_token


def test_an_allowed_network_sees_the_details(db, settings):
    settings.MADOGUCHI_HEALTH_ALLOW = ["10.20.0.0/16"]
    assert "checks" in ready(REMOTE_ADDR="10.20.3.4")[1]
    assert "checks" not in ready(REMOTE_ADDR="127.0.0.1")[1]


def test_behind_the_proxy_the_client_address_decides_not_the_proxys(db, settings):
    settings.MADOGUCHI_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    outside = ready(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"127.0.0.1, {OUTSIDE}")[1]
    monitor = ready(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")[1]
    assert "checks" not in outside  # the forged left-most entry is not believed
    assert "checks" in monitor


def test_a_failing_critical_check_makes_the_instance_not_ready(db, extra_check):
    extra_check("test.critical", lambda: False, critical=True)
    response, body = ready()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["test.critical"]["state"] == "fail"
    assert ready(REMOTE_ADDR=OUTSIDE)[0].status_code == 503  # the verdict is public, the details not


def test_a_failing_non_critical_check_is_reported_as_degraded_but_ready(db, extra_check):
    extra_check("test.optional", lambda: {"state": "fail", "detail": "queue stalled"}, critical=False)
    response, body = ready()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["test.optional"]["detail"] == "queue stalled"


def test_a_check_that_raises_fails_with_the_exception_class_only(db, extra_check):
    def broken():
        raise RuntimeError("secret path /etc/madoguchi/keys")

    extra_check("test.broken", broken, critical=False)
    check = ready()[1]["checks"]["test.broken"]
    assert check["state"] == "fail"
    assert check["detail"] == "RuntimeError"


@pytest.mark.parametrize(
    ("returned", "state"),
    [
        (True, "ok"),
        (False, "fail"),
        ("warning", "warn"),
        ({"ok": True}, "ok"),
        ({"status": "degraded", "detail": "2 jobs late"}, "warn"),
        ({"state": "ok", "items": {"default": "ok", "documents": "fail"}}, "fail"),
        (CheckResult("warn", "soon"), "warn"),
        (42, "fail"),
    ],
)
def test_checks_may_return_what_their_app_already_has(returned, state):
    assert as_result(returned).state == state


def test_unapplied_migrations_make_the_instance_not_ready(db, monkeypatch):
    monkeypatch.setattr(checks, "_migrations_applied", set())
    (latest,) = [name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == "audit"]
    MigrationRecorder.Migration.objects.filter(app="audit", name=latest).delete()
    response, body = ready()
    assert response.status_code == 503
    assert body["checks"]["migrations"] == {
        **body["checks"]["migrations"],
        "state": "fail",
        "detail": "1 migrations not applied: run madoguchi migrate",
    }


def test_too_little_free_disk_space_makes_the_instance_not_ready(db, settings):
    free_mb = checks.media_free_bytes() // (1024 * 1024)
    settings.MADOGUCHI_HEALTH_MIN_FREE_MB = free_mb + 1024
    response, body = ready()
    assert response.status_code == 503
    assert body["checks"]["disk"]["state"] == "fail"
    settings.MADOGUCHI_HEALTH_MIN_FREE_MB = max(1, free_mb // 2 + 1)
    assert checks.disk_health().state == "warn"


def test_readiness_includes_each_municipalitys_crl_and_signing_key(db, signatures_configured):
    body = ready()[1]
    assert body["checks"]["signatures.crl"]["items"] == {"082015": "ok", "082023": "ok"}
    assert body["checks"]["signatures.crl"]["critical"] is False
    assert body["checks"]["signatures.signing_key"]["items"] == {"082015": "ok", "082023": "ok"}


def test_a_crl_near_its_next_update_warns_and_a_stale_one_fails(signatures_configured, settings):
    settings.MADOGUCHI_HEALTH_CRL_WARN_HOURS = 12
    next_update = signature_health.crl_dates()[0].when
    assert signature_health.crl_health(now=next_update - timedelta(days=2)).state == "ok"
    soon = signature_health.crl_health(now=next_update - timedelta(hours=3))
    assert soon.state == "warn"
    assert "082015: CRL nextUpdate in 3 h" in soon.detail
    assert signature_health.crl_health(now=next_update + timedelta(minutes=1)).state == "fail"


def test_a_missing_crl_fails(signatures_configured, settings, tmp_path):
    copy = tmp_path / "pki"
    shutil.copytree(signatures_configured, copy)
    for crl in copy.rglob("*.crl"):
        crl.unlink()
    settings.MADOGUCHI_SIGNATURES_FILE = str(copy / "signatures.yaml")
    result = signature_health.crl_health()
    assert result.state == "fail"
    assert "CRL missing or unreadable" in result.detail


def test_a_signing_key_expiring_within_30_days_warns(signatures_configured, settings):
    settings.MADOGUCHI_HEALTH_KEY_WARN_DAYS = 30
    expires = signature_health.signing_key_dates()[0].when
    assert signature_health.signing_key_health(now=expires - timedelta(days=31)).state == "ok"
    assert signature_health.signing_key_health(now=expires - timedelta(days=29)).state == "warn"
    assert signature_health.signing_key_health(now=expires).state == "fail"
