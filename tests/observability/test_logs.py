"""Structured logs: one line per request with its id, route, municipality, status and duration;
the id in every line of the request (and of a job); personal data masked."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import datetime

import pytest
from django.test import Client
from django_tasks import task

from madoguchi.observability import health
from madoguchi.observability.logs import (
    ContextFilter,
    JsonFormatter,
    PersonalDataFilter,
    TextFormatter,
    logging_config,
    mask_personal_data,
)


@pytest.fixture
def json_lines():
    """Capture every log record as the production handler writes it (JSON); return the lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "madoguchi.request"]


def test_a_request_writes_one_json_line_with_id_route_municipality_status_and_duration(json_lines, municipalities):
    response = Client().get("/082015/", {"q": "いんかん"})

    (line,) = request_lines(json_lines())
    assert line["request_id"] == response["X-Request-ID"]
    assert line["route"] == "portal:catalog"
    assert line["municipality"] == "082015"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert datetime.fromisoformat(line["time"]).tzinfo is not None
    assert "いんかん" not in json.dumps(line, ensure_ascii=False)  # no query string
    assert "/082015/" not in json.dumps(line)  # the route, never the path


def test_a_well_formed_request_id_from_the_proxy_is_kept_and_returned(municipalities):
    proxy_id = "0f5c9a7e3b2d4c1a8e6f9b0a7c5d3e1f"
    response = Client().get("/", HTTP_X_REQUEST_ID=proxy_id)
    assert response["X-Request-ID"] == proxy_id


@pytest.mark.parametrize("forged", ["short", "x" * 65, "abc def ghi jkl", "id\r\nX-Injected: 1", "<script>alert</script>"])
def test_a_malformed_request_id_is_replaced_by_a_new_one(forged, municipalities):
    response = Client().get("/", HTTP_X_REQUEST_ID=forged)
    assert response["X-Request-ID"] != forged
    assert len(response["X-Request-ID"]) == 32


def test_every_response_carries_a_request_id_even_an_error(municipalities):
    assert Client().get("/999999/").has_header("X-Request-ID")
    assert Client().get("/api/v1/nothing-here").has_header("X-Request-ID")


def test_log_lines_written_during_a_request_carry_its_request_id(json_lines, municipalities):
    health.register_check("test.logging", lambda: logging.getLogger("tests.probe").warning("probe ran") or True, critical=False)
    try:
        Client().get("/health/ready", HTTP_X_REQUEST_ID="req-0123456789abcdef")
    finally:
        health.unregister_check("test.logging")
    (probe,) = [line for line in json_lines() if line["logger"] == "tests.probe"]
    assert probe["request_id"] == "req-0123456789abcdef"
    assert probe["route"] == "observability:ready"


@task()
def logging_job() -> None:
    logging.getLogger("tests.job").info("job ran")


def test_log_lines_of_a_job_carry_the_jobs_id(json_lines):
    result = logging_job.enqueue()
    (line,) = [line for line in json_lines() if line["logger"] == "tests.job"]
    assert line["task_id"] == str(result.id)


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("mail to hanako.yamada+city@example.co.jp failed", "hanako.yamada+city@example.co.jp"),
        ("call 029-200-1234 or (03)1234-5678", "029-200-1234"),
        ("call 029-200-1234 or (03)1234-5678", "1234-5678"),
        ("my number 1234 5678 9012 given", "1234 5678 9012"),
        ("GET /status/?access_code=ABCD-EFGH-JKLM&x=1", "ABCD-EFGH-JKLM"),
        ("header X-Access-Code: ABCDEFGHJKLM", "ABCDEFGHJKLM"),
        ("Authorization: Bearer mdg_s3cr3t.token", "mdg_s3cr3t.token"),
        ('{"password": "hunter2hunter2"}', "hunter2hunter2"),
    ],
)
def test_personal_data_and_secrets_are_masked(text, hidden):
    masked = mask_personal_data(text)
    assert hidden not in masked
    assert "[" in masked


def test_masking_keeps_what_an_operator_needs():
    text = "case 082015-2026-000123 took 1234 ms at 2026-06-15 10:00 from 192.0.2.10 (8 attachments)"
    assert mask_personal_data(text) == text


def test_the_filter_masks_arguments_and_exception_text():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "sending to %s", ("taro@example.jp",), None)
    try:
        raise ValueError("no mailbox taro@example.jp")
    except ValueError:
        record.exc_info = sys.exc_info()
    PersonalDataFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "taro@example.jp" not in line
    assert json.loads(line)["message"] == "sending to [email]"
    assert "ValueError: no mailbox [email]" in json.loads(line)["exception"]


def test_text_format_is_one_readable_line_with_the_request_id():
    record = logging.LogRecord("madoguchi.request", logging.INFO, __file__, 1, "GET portal:home 200", (), None)
    record.request_id, record.route, record.status = "abc123def456", "portal:home", 200
    line = TextFormatter().format(record)
    assert line.endswith(" INFO madoguchi.request [abc123def456] GET portal:home 200 (route=portal:home status=200)")


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="text or json"):
        logging_config(log_format="xml")


def test_the_settings_log_json_to_stderr_when_asked(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('madoguchi.test').warning('reply to %s', 'jiro@example.jp')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "madoguchi.conf.settings.dev",
        # Development settings on their own SQLite file, whatever database this run uses.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MADOGUCHI_BASE_DIR": str(tmp_path),
        "MADOGUCHI_LOG_FORMAT": "json",
        "MADOGUCHI_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    (line,) = [json.loads(text) for text in done.stderr.splitlines() if text.startswith("{")]
    assert line["level"] == "WARNING"
    assert line["logger"] == "madoguchi.test"
    assert line["message"] == "reply to [email]"
