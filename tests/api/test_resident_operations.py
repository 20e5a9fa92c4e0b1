"""What residents do on the portal, through the API: correction, withdrawal, 受理証明書,
verification; and the integrator credential that lets a city's server do it for them."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.api.support import assert_problem, juminhyo_answers, pdf_upload, post_with_id, status_url
from tests.samples import pdf_bytes

from madoguchi.audit.models import AuditEntry
from madoguchi.integrations.services import integrator_credential_create, integrator_credential_revoke
from madoguchi.staff.tokens import staff_token_create


@pytest.fixture
def created(client, aoba):
    response = post_with_id(client, juminhyo_answers())
    assert response.status_code == 201
    return response.json()


def _code(created) -> dict:
    return {"HTTP_X_ACCESS_CODE": created["access_code"]}


def _staff_action(client, receipt_number, action, message=""):
    from django.contrib.auth import get_user_model

    _token, plain = staff_token_create(user=get_user_model().objects.get(username="aoba-admin"), name="t")
    return client.post(
        f"/api/v1/staff/cases/{receipt_number}/actions",
        json.dumps({"action": action, "message": message}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )


def test_status_shows_the_correction_request_and_that_it_can_be_answered(client, created):
    assert (
        _staff_action(
            client, created["receipt_number"], "request_correction", "電話番号を確認してください。"
        ).status_code
        == 200
    )

    body = client.get(status_url(created["receipt_number"]), **_code(created)).json()

    assert body["status"] == "correction_requested"
    assert body["can_correct"] is True
    assert [n["message"] for n in body["notices"]] == ["電話番号を確認してください。"]


def test_a_correction_in_json_returns_the_case_to_review_as_a_new_answers_version(client, created):
    _staff_action(client, created["receipt_number"], "request_correction", "電話番号を確認してください。")

    response = client.post(
        f"{status_url(created['receipt_number'])}/correction",
        json.dumps({"answers": juminhyo_answers(phone="029-200-9999")}, ensure_ascii=False),
        content_type="application/json",
        **_code(created),
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    assert response.json()["answers_version"] == 2


def test_an_invalid_correction_is_a_validation_problem_and_changes_nothing(client, created):
    _staff_action(client, created["receipt_number"], "request_correction", "電話番号を確認してください。")

    response = client.post(
        f"{status_url(created['receipt_number'])}/correction",
        json.dumps({"answers": juminhyo_answers(phone="12")}),
        content_type="application/json",
        **_code(created),
    )

    body = assert_problem(response, 422, "validation-error")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("phone", "invalid_phone")]
    assert (
        client.get(status_url(created["receipt_number"]), **_code(created)).json()["status"] == "correction_requested"
    )


def test_a_multipart_correction_keeps_attached_files_unless_a_part_replaces_them(client, aoba):
    from tests.api.support import agent_answers

    created = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload()}).json()
    _staff_action(client, created["receipt_number"], "request_correction", "委任状を確認してください。")

    response = client.post(
        f"{status_url(created['receipt_number'])}/correction",
        {"answers": json.dumps(agent_answers(phone="029-200-9999"), ensure_ascii=False)},
        **_code(created),
    )

    assert response.status_code == 200, response.content
    assert response.json()["answers_version"] == 2


def test_answering_a_correction_nobody_asked_for_is_a_409(client, created):
    response = client.post(
        f"{status_url(created['receipt_number'])}/correction",
        json.dumps({"answers": juminhyo_answers()}),
        content_type="application/json",
        **_code(created),
    )

    assert_problem(response, 409, "illegal-transition")


def test_the_applicant_withdraws_with_a_reason_and_cannot_withdraw_twice(client, created):
    url = f"{status_url(created['receipt_number'])}/withdrawal"

    response = client.post(
        url, json.dumps({"message": "別の窓口で申請しました。"}), content_type="application/json", **_code(created)
    )
    again = client.post(url, json.dumps({}), content_type="application/json", **_code(created))

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["can_withdraw"] is False
    assert_problem(again, 409, "illegal-transition")


def test_withdrawing_with_a_wrong_access_code_is_404(client, created):
    response = client.post(
        f"{status_url(created['receipt_number'])}/withdrawal", json.dumps({}), content_type="application/json",
        HTTP_X_ACCESS_CODE="WRONGWRONG00",
    )  # fmt: skip

    assert_problem(response, 404, "not-found")


def test_a_receipt_certificate_is_issued_once_and_downloaded_as_a_signed_pdf(client, created, signatures_configured):
    url = f"{status_url(created['receipt_number'])}/receipt-certificate"

    first = client.post(url, **_code(created))
    second = client.post(url, **_code(created))
    download = client.get(first.json()["url"], **_code(created))

    assert first.status_code == 200, first.content
    assert first.json()["kind"] == "receipt"
    assert second.json()["id"] == first.json()["id"]
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-SHA256"] == first.json()["sha256"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_receipt_certificate_where_no_key_is_configured_is_a_409(client, created, settings):
    settings.MADOGUCHI_SIGNATURES_FILE = None

    response = client.post(f"{status_url(created['receipt_number'])}/receipt-certificate", **_code(created))

    assert assert_problem(response, 409, "documents-unavailable")["code"] == "documents_unavailable"


@pytest.mark.parametrize("as_multipart", [True, False])
def test_verify_tells_an_issued_pdf_authentic_and_an_unsigned_one_unsigned(
    client, created, signatures_configured, as_multipart
):
    issued = client.post(f"{status_url(created['receipt_number'])}/receipt-certificate", **_code(created)).json()
    pdf = b"".join(client.get(issued["url"], **_code(created)).streaming_content)

    def verify(data: bytes):
        if as_multipart:
            return client.post("/api/v1/verifications", {"document": pdf_upload(content=data)})
        return client.post("/api/v1/verifications", data, content_type="application/pdf")

    authentic, unsigned, not_pdf = verify(pdf).json(), verify(pdf_bytes()).json(), verify(b"hello").json()

    assert authentic["verdict"] == "authentic"
    assert authentic["document"]["receipt_number"] == created["receipt_number"]
    assert unsigned["verdict"] == "unsigned"
    assert not_pdf["verdict"] == "not_pdf"


# --- integrator credentials ----------------------------------------------------------------------


def _basic(client_id: str, secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_the_integrator_command_creates_a_credential_and_revokes_it_both_audited(aoba, capsys):
    call_command("integrator", "create", "--municipality", "082015", "--name", "青葉市公式サイト", "--rate", "120/m")
    client_id = capsys.readouterr().out.split("client_id: ")[1].split()[0]

    call_command("integrator", "revoke", "--municipality", "082015", "--client-id", client_id)
    with pytest.raises(CommandError):
        call_command("integrator", "revoke", "--municipality", "082015", "--client-id", client_id)

    events = list(
        AuditEntry.objects.for_municipality(aoba)
        .filter(object_id=client_id)
        .order_by("sequence")
        .values_list("event", flat=True)
    )
    assert events == ["integrations.credential.created", "integrations.credential.revoked"]


def test_only_a_keyed_digest_of_the_secret_is_stored(aoba):
    credential, secret = integrator_credential_create(municipality=aoba, name="site")

    assert secret not in credential.digest
    assert len(credential.digest) == 64


def test_a_credential_identifies_its_server(client, aoba):
    credential, secret = integrator_credential_create(municipality=aoba, name="site", rate="5/m")

    body = client.get("/api/v1/integrator", **_basic(credential.client_id, secret)).json()

    assert body == {"client_id": credential.client_id, "name": "site", "municipality": "082015", "rate": "5/m"}


@pytest.mark.parametrize("secret", ["wrong", ""])
def test_a_wrong_secret_is_a_401_with_a_basic_challenge(client, aoba, secret):
    credential, _secret = integrator_credential_create(municipality=aoba, name="site")

    response = client.get("/api/v1/integrator", **_basic(credential.client_id, secret))

    assert_problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Basic")


def test_a_revoked_credential_is_refused_even_where_it_is_optional(client, aoba):
    credential, secret = integrator_credential_create(municipality=aoba, name="site")
    integrator_credential_revoke(municipality=aoba, client_id=credential.client_id)

    response = post_with_id(client, juminhyo_answers(), **_basic(credential.client_id, secret))

    assert assert_problem(response, 401, "unauthorized")["code"] == "invalid_credential"


def test_a_credential_is_valid_for_its_own_municipality_only(client, aoba, minatogawa):
    credential, secret = integrator_credential_create(municipality=aoba, name="site")

    response = post_with_id(client, juminhyo_answers(), code="082023", **_basic(credential.client_id, secret))

    assert_problem(response, 401, "unauthorized")


def test_submits_with_a_credential_count_against_its_own_limit_not_the_address(client, aoba, settings):
    settings.MADOGUCHI_SUBMIT_RATE = "2/m"
    credential, secret = integrator_credential_create(municipality=aoba, name="site", rate="5/m")
    auth = _basic(credential.client_id, secret)

    statuses = [post_with_id(client, juminhyo_answers(), **auth).status_code for _ in range(6)]
    anonymous = [post_with_id(client, juminhyo_answers()).status_code for _ in range(3)]

    assert statuses == [201] * 5 + [429]
    assert anonymous == [201, 201, 429]


def test_a_submit_with_a_credential_is_audited_as_the_integrator(client, aoba):
    credential, secret = integrator_credential_create(municipality=aoba, name="site")

    receipt = post_with_id(client, juminhyo_answers(), **_basic(credential.client_id, secret)).json()["receipt_number"]

    entry = AuditEntry.objects.for_municipality(aoba).filter(event="cases.case.submitted").order_by("-sequence").first()
    assert entry.actor == f"integrator:{credential.client_id}"
    assert entry.object_id == receipt


def test_a_pdf_larger_than_the_form_memory_limit_is_verified_from_the_raw_body(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    large = pdf_bytes("x" * 4096)

    response = client.post("/api/v1/verifications", large, content_type="application/pdf")

    assert response.status_code == 200
    assert response.json()["verdict"] == "unsigned"


def test_a_pdf_over_the_upload_limit_is_a_413(client, db, settings):
    settings.MADOGUCHI_MAX_UPLOAD_BYTES = 1024

    response = client.post("/api/v1/verifications", pdf_bytes() + b"x" * 80_000, content_type="application/pdf")

    assert_problem(response, 413, "payload-too-large")
