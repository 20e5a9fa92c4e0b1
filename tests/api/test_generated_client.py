"""A typed client generated from the served document runs the whole resident journey.

openapi-python-client (from PyPI, no network, no Node) generates a package from the live
server's /api/v1/openapi.json into a temporary directory; the test imports it and goes:
catalog → procedure → submit with an Idempotency-Key (and its replay) → status → staff ask
for a correction → the resident answers it → staff approve, so the municipality issues a
signed decision notice → download it → verify it. The resident's side runs as the city's
own web site, with an integrator credential; the staff side with a staff token.

The one generator setting, ``content_type_overrides`` (application/pdf handled as bytes),
is the recipe docs/api.md gives integrators.
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from madoguchi.cases.models import Case
from madoguchi.demo.pki import software_card_load
from madoguchi.payments.services import payment_transition
from madoguchi.signatures.signing import sign_cms

PACKAGE = "madoguchi_client"


@pytest.fixture
def generated(live_api, tmp_path, monkeypatch):
    """Generate the client from the live document and return the imported package."""
    document = tmp_path / "openapi.json"
    with urllib.request.urlopen(f"{live_api.api}/openapi.json") as response:  # noqa: S310 (the live server)
        document.write_bytes(response.read())
    config = tmp_path / "generator.json"
    config.write_text(json.dumps({"content_type_overrides": {"application/pdf": "application/octet-stream"}}))
    bin_dir = Path(sys.executable).parent
    run = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(document), "--meta", "none",
         "--output-path", str(tmp_path / PACKAGE), "--config", str(config)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    return importlib.import_module(PACKAGE)


def _call(module_path: str, **kwargs):
    module = importlib.import_module(f"{PACKAGE}.api.{module_path}")
    return module.sync_detailed(**kwargs)


def test_a_generated_client_runs_the_resident_journey_to_a_verified_signed_decision(
    live_api, generated, signatures_configured
):
    from madoguchi_client import AuthenticatedClient
    from madoguchi_client.models import (
        ActionIn,
        Answers082015JuminhyoCopy,
        ApplicationIn,
        CaseStatus,
        CmsSignature,
        CorrectionIn,
        StaffAction,
        VerifyDocumentFilesBody,
    )
    from madoguchi_client.types import File

    city_site = AuthenticatedClient(base_url=live_api.url, token=live_api.integrator_basic, prefix="Basic")
    staff = AuthenticatedClient(base_url=live_api.url, token=live_api.staff_token)

    municipalities = _call("catalog.list_municipalities", client=city_site)
    assert municipalities.status_code == 200
    assert "082015" in [m.code for m in municipalities.parsed]
    procedures = _call("catalog.list_procedures", client=city_site, code="082015", q="住民票")
    assert [p.slug for p in procedures.parsed] == ["juminhyo-copy"]
    procedure = _call("catalog.get_procedure", client=city_site, code="082015", slug="juminhyo-copy").parsed
    assert procedure.answers_component == "Answers_082015_juminhyo-copy"

    answers = Answers082015JuminhyoCopy.from_dict(procedure.example.answers.to_dict())
    # Signed with the demo software card, so no copy of photo ID is needed (unsigned_requires).
    content = _call(
        "applications.compute_signing_content", client=city_site, code="082015", slug="juminhyo-copy",
        body=ApplicationIn(answers=answers),
    ).content  # fmt: skip
    cms = base64.b64encode(sign_cms(content, *software_card_load(signatures_configured))).decode()
    signed = ApplicationIn(answers=answers, signature=CmsSignature(cms=cms))
    submitted = _call(
        "applications.submit_application", client=city_site, code="082015", slug="juminhyo-copy",
        body=signed, idempotency_key="journey-0001",
    )  # fmt: skip
    assert submitted.status_code == 201, submitted.content
    created = submitted.parsed
    assert created.status == CaseStatus.SUBMITTED
    assert submitted.headers["Location"] == created.status_url
    replayed = _call(
        "applications.submit_application", client=city_site, code="082015", slug="juminhyo-copy",
        body=signed, idempotency_key="journey-0001",
    )  # fmt: skip
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert (replayed.parsed.receipt_number, replayed.parsed.access_code) == (
        created.receipt_number,
        created.access_code,
    )

    number, code = created.receipt_number, created.access_code
    status = _call("applications.get_application_status", client=city_site, receipt_number=number, x_access_code=code)
    assert status.parsed.status == CaseStatus.SUBMITTED
    assert status.headers["Cache-Control"] == "no-store"

    asked = _call(
        "staff.staff_perform_case_action", client=staff, receipt_number=number,
        body=ActionIn(action=StaffAction.REQUEST_CORRECTION, message="電話番号を確認してください。"),
    )  # fmt: skip
    assert asked.status_code == 200, asked.content
    status = _call("applications.get_application_status", client=city_site, receipt_number=number, x_access_code=code)
    assert status.parsed.can_correct is True
    assert [n.message for n in status.parsed.notices] == ["電話番号を確認してください。"]

    corrected_answers = answers.to_dict() | {"phone": "029-200-5678"}
    corrected = _call(
        "applications.answer_correction", client=city_site, receipt_number=number, x_access_code=code,
        body=CorrectionIn(answers=Answers082015JuminhyoCopy.from_dict(corrected_answers)),
    )  # fmt: skip
    assert corrected.status_code == 200, corrected.content
    assert corrected.parsed.status == CaseStatus.IN_REVIEW
    assert corrected.parsed.answers_version == 2

    # The fee is paid at the counter, recorded by staff (the API has no payment operation yet):
    # the certificate is issued only once paid (issue #12).
    with scopes_disabled():
        payment_transition(case=Case.objects.get(receipt_number=number), to="paid", actor="test")

    approved = _call(
        "staff.staff_perform_case_action", client=staff, receipt_number=number,
        body=ActionIn(action=StaffAction.APPROVE),
    )  # fmt: skip
    assert approved.status_code == 200, approved.content
    assert approved.parsed.status == CaseStatus.APPROVED

    status = _call("applications.get_application_status", client=city_site, receipt_number=number, x_access_code=code)
    (notice,) = [d for d in status.parsed.documents if d.kind.value == "approved"]
    download = _call(
        "documents.download_document", client=city_site, receipt_number=number, document_id=notice.id,
        x_access_code=code,
    )  # fmt: skip
    assert download.status_code == 200
    pdf = download.parsed.payload.read()
    assert pdf.startswith(b"%PDF")
    assert download.headers["X-Content-SHA256"] == notice.sha256

    verified = _call(
        "documents.verify_document", client=city_site,
        body=VerifyDocumentFilesBody(document=File(payload=pdf, file_name="notice.pdf", mime_type="application/pdf")),
    )  # fmt: skip
    assert verified.status_code == 200, verified.content
    assert verified.parsed.verdict.value == "authentic"
    assert verified.parsed.municipality.code == "082015"
    assert verified.parsed.document.receipt_number == number
