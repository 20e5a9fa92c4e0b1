"""The served OpenAPI document is exact: schemathesis finds 0 failures on every operation.

The document is fetched from a live server and validated (openapi-spec-validator); then the
schemathesis CLI runs every check against that server — status codes, content types,
response headers and schemas, negative data rejected, positive data accepted, missing
required headers, unsupported methods, authentication enforced, no server errors — with a
real staff token on the staff operations, the integrator credential, pinned receipt numbers
and access codes so lookups reach real applications, and JSON and multipart bodies.

Two settings are deliberate (see the config below): strings are drawn as UTF-8 (I-JSON,
RFC 7493, forbids the unpaired surrogates Python's JSON would otherwise let through), and
the operations whose answers are validated beyond what JSON Schema can say (和暦 dates,
katakana after normalisation, the procedure the path names) may answer schema-valid data
with 422; their boundary enumeration (the coverage phase) is replaced by more fuzzing,
since each of their bodies is an anyOf of every procedure of the catalog.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from openapi_spec_validator import validate

BODY_OPERATIONS = ["submitApplication", "computeSigningContent", "answerCorrection"]
SEMANTIC_OPERATIONS = [
    *BODY_OPERATIONS,
    "askAssistant",
    "createAssistantInquiry",
    "staffPerformCaseAction",
    "staffStampRouteStep",
]
MAX_EXAMPLES = 15
BODY_MAX_EXAMPLES = 40


def _toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def schemathesis_config(live) -> str:
    open_case, correction, withdraw, staff = (live.cases[n] for n in ("open", "correction", "withdraw", "staff"))
    return f"""
[generation]
codec = "utf-8"
max-examples = {MAX_EXAMPLES}
deterministic = true
database = "none"

# Random municipality codes and slugs only ever reach the 404 every operation declares: pin them
# to a real procedure so the operations' own logic is what the checks exercise.
[parameters]
code = "082015"
slug = "juminhyo-copy"

[[operations]]
include-operation-id = {_toml_list(SEMANTIC_OPERATIONS)}
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "404", "409", "422", "429"]

[[operations]]
include-operation-id = {_toml_list(BODY_OPERATIONS)}
phases.coverage.enabled = false
generation.max-examples = {BODY_MAX_EXAMPLES}

[[operations]]
include-tag = "staff"
headers = {{ Authorization = "Bearer {live.staff_token}" }}
parameters = {{ receipt_number = "{staff.receipt_number}" }}

[[operations]]
include-tag = "integrators"
headers = {{ Authorization = "Basic {live.integrator_basic}" }}

[[operations]]
include-operation-id = ["getApplicationStatus", "downloadDocument", "requestReceiptCertificate"]
parameters = {{ receipt_number = "{open_case.receipt_number}", "X-Access-Code" = "{open_case.access_code}", document_id = {open_case.document_id} }}

[[operations]]
include-operation-id = "answerCorrection"
parameters = {{ receipt_number = "{correction.receipt_number}", "X-Access-Code" = "{correction.access_code}" }}

[[operations]]
include-operation-id = "withdrawApplication"
parameters = {{ receipt_number = "{withdraw.receipt_number}", "X-Access-Code" = "{withdraw.access_code}" }}
"""


def test_the_served_document_is_valid_openapi_3_1(live_api):
    with urllib.request.urlopen(f"{live_api.api}/openapi.json") as response:  # noqa: S310 (the live server)
        document = json.load(response)

    validate(document)
    assert document["openapi"].startswith("3.1")


def test_schemathesis_finds_no_failure_on_any_operation(live_api, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(live_api))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{live_api.api}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=900, check=False)

    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20000:]
    with urllib.request.urlopen(f"{live_api.api}/openapi.json") as response:  # noqa: S310 (the live server)
        operations = sum(len(item) for item in json.load(response)["paths"].values())
    tested = re.search(r"Tested:\s+(\d+)", output)
    assert tested and int(tested.group(1)) == operations, output[-5000:]
    print("\n" + output[output.find("SUMMARY") :])  # the numbers, with pytest -s or -rP
    assert re.search(r"\d+ generated, \d+ passed", output), output[-5000:]
