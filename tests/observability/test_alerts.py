"""deploy/prometheus/alerts.yml: valid rules (promtool), firing on the series the app exports
(promtool test rules), and naming only metrics that /metrics really serves."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from prometheus_client.parser import text_string_to_metric_families
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.procedures.selectors import procedure_get

REPO = Path(__file__).resolve().parents[2]
ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"
ALERTS_TEST = Path(__file__).resolve().parent / "data" / "alerts_test.yml"
PROMETHEUS_OWN = {"up"}  # set by Prometheus for every target, not by the app
SUFFIXES = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("_total",), "summary": ("_count", "_sum")}


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        reason = "promtool is missing: install Debian's prometheus package"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def metric_names(expression: str) -> set[str]:
    """Return the series names an expression selects (not functions, labels or keywords)."""
    text = re.sub(r'"[^"]*"', "", expression)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text))
    return {name for name in names if name not in {"and", "or", "unless", "bool", "offset"}}


def test_the_alert_rules_are_valid_for_prometheus():
    done = subprocess.run([promtool(), "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_fire_on_the_series_the_app_exports():
    done = subprocess.run(
        [promtool(), "test", "rules", ALERTS_TEST.name], cwd=ALERTS_TEST.parent, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_metric_name_parser_finds_series_not_functions():
    expression = 'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{route!~"x:.*"}[5m]))) > b_total'
    assert metric_names(expression) == {"a_seconds_bucket", "b_total"}


@pytest.fixture
def everything_exported(aoba, signatures_configured):
    """A state in which every scrape-time family has series: a failed e-mail, a CRL, a key."""
    version = procedure_get(municipality=aoba, slug="inkan-certificate").current_version
    case = case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key="alerts").case
    with scopes_disabled():
        for status in (NotificationStatus.PENDING, NotificationStatus.FAILED):
            Notification.objects.create(
                municipality=aoba, case=case, kind="approved", to_address="r@example.jp", language="ja",
                subject="s", body="b", status=status, created_at=timezone.now() - timedelta(minutes=1),
            )  # fmt: skip
    Client().get("/")


def exported_names() -> set[str]:
    text = Client().get("/metrics").content.decode()
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names


def test_every_alert_names_only_metrics_the_app_exports(everything_exported):
    exported = exported_names()
    for rule in rules():
        used = metric_names(rule["expr"])
        assert used, rule["alert"]
        assert used <= exported | PROMETHEUS_OWN, f"{rule['alert']}: {sorted(used - exported - PROMETHEUS_OWN)}"


def test_the_example_rules_cover_what_operators_must_hear_about():
    alerts = {rule["alert"] for rule in rules()}
    assert {
        "MadoguchiHighErrorRate",
        "MadoguchiSlowRequests",
        "MadoguchiNotReady",
        "MadoguchiJobBacklog",
        "MadoguchiJobStuck",
        "MadoguchiEmailFailed",
        "MadoguchiCrlStale",
        "MadoguchiSigningKeyExpiry",
    } <= alerts
