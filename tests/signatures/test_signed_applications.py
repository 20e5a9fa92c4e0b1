"""Signed applications through the API, the portal and ``madoguchi sign``."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from tests.api.support import applications_url, procedure_url
from tests.portal.test_apply_views import BASE as INKAN_APPLY
from tests.portal.test_apply_views import fill_all_steps

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import Case
from madoguchi.demo import pki as demo
from madoguchi.signatures.canonical import canonical_json
from madoguchi.signatures.cms import verify_cms
from madoguchi.signatures.models import ResidentSignature
from madoguchi.signatures.signing import sign_cms, sign_raw
from madoguchi.tenants.models import Municipality

SLUG = "kaigo-nintei"  # signature: required


@pytest.fixture
def card(signatures_configured):
    return demo.software_card_load(signatures_configured)


@pytest.fixture
def answers(client, aoba):
    return client.get(procedure_url("082015", SLUG)).json()["example"]["answers"]


def signing_content(client, answers) -> bytes:
    response = client.post(
        f"{applications_url('082015', SLUG)}/signing-content", {"answers": answers}, content_type="application/json"
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


def submit(client, body: dict):
    return client.post(applications_url("082015", SLUG), body, content_type="application/json")


def cms_b64(content: bytes, card) -> str:
    key, certificate, chain = card
    return base64.b64encode(sign_cms(content, key, certificate, chain)).decode()


def in_aoba(model):
    """Rows of 青葉市, where every test here applies (read as its own code reads them: scoped)."""
    return model.objects.for_municipality(Municipality.objects.get(code="082015"))


def stored_cases() -> int:
    return in_aoba(Case).count()


def test_a_procedure_that_requires_a_signature_refuses_an_unsigned_application(client, answers, card):
    before = stored_cases()

    response = submit(client, {"answers": answers})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "missing"
    assert "マイナンバーカード" in response.json()["detail"]
    assert stored_cases() == before


def test_a_valid_signature_is_accepted_and_the_evidence_kept_with_the_case(client, answers, card):
    content = signing_content(client, answers)
    document = json.loads(content)
    assert canonical_json(document) == content  # exactly the canonical form, nothing to re-encode
    assert (document["type"], document["municipality"], document["procedure"]) == ("madoguchi.application", "082015", SLUG)

    response = submit(client, {"answers": answers, "signature": {"cms": cms_b64(content, card)}})

    assert response.status_code == 201, response.content[:500]
    case = in_aoba(Case).get(receipt_number=response.json()["receipt_number"])
    signature = in_aoba(ResidentSignature).get(case=case)
    audit = in_aoba(AuditEntry).filter(event="cases.case.submitted", object_id=case.receipt_number).get()
    assert signature.facts["name"] == demo.SOFTWARE_CARD["name"]
    assert signature.facts["birth_date"] == "1988-04-02"
    assert signature.revocation["status"] == "good"
    assert bytes(signature.cms)[:1] == b"\x30"
    assert audit.payload["signature"]["revocation"] == "good"


def test_the_raw_form_of_the_national_app_is_kept_as_the_same_kind_of_container(client, answers, card):
    key, certificate, chain = card
    content = signing_content(client, answers)
    der = [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in [certificate, *chain]]
    body = {"signature": base64.b64encode(sign_raw(content, key)).decode(), "certificate": der[0], "chain": der[1:]}

    response = submit(client, {"answers": answers, "signature": body})

    assert response.status_code == 201, response.content[:500]
    signature = in_aoba(ResidentSignature).get(case__receipt_number=response.json()["receipt_number"])
    assert verify_cms(bytes(signature.cms), content).signer == certificate


def test_a_signature_made_for_other_answers_is_refused_with_the_reason(client, answers, card):
    content = signing_content(client, answers)
    changed = {**answers, "phone": "029-200-9999"}
    before = stored_cases()

    response = submit(client, {"answers": changed, "signature": {"cms": cms_b64(content, card)}})

    assert response.status_code == 422
    assert response.json()["code"] == "content_mismatch"
    assert stored_cases() == before


def test_a_stale_crl_makes_signatures_unavailable_never_accepted(client, answers, card, signatures_configured):
    content = signing_content(client, answers)
    crl = signatures_configured / "jpki-demo.crl"
    saved = crl.read_bytes()
    crl.write_bytes(b"")
    try:
        response = submit(client, {"answers": answers, "signature": {"cms": cms_b64(content, card)}})
    finally:
        crl.write_bytes(saved)

    assert response.status_code == 503
    assert response.json()["code"] == "revocation_unavailable"
    assert response["Retry-After"]


def test_without_a_signatures_file_a_signature_cannot_be_checked(client, answers, card, settings):
    content = signing_content(client, answers)
    settings.MADOGUCHI_SIGNATURES_FILE = None

    response = submit(client, {"answers": answers, "signature": {"cms": cms_b64(content, card)}})

    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"


@pytest.mark.parametrize(
    "signature",
    [{"cms": "%%%"}, {"cms": ""}, "text", {"cms": "AAAA", "signature": "AAAA"}, {"signature": "AAAA"}, {"x": 1}],
)
def test_an_unreadable_signature_member_is_400(client, answers, signature):
    response = submit(client, {"answers": answers, "signature": signature})

    assert response.status_code == 400
    assert response.json()["type"].endswith("malformed-request")


def test_the_sign_command_produces_a_body_the_api_accepts(client, answers, signatures_configured, tmp_path):
    application = tmp_path / "application.json"
    application.write_text(json.dumps({"answers": answers}, ensure_ascii=False), encoding="utf-8")
    signed = tmp_path / "signed.json"

    call_command(
        "sign", str(application), p12=str(signatures_configured / "software-card.p12"),
        pin_file=str(signatures_configured / "software-card.pin"), municipality="082015", procedure=SLUG,
        output=str(signed),
    )  # fmt: skip

    response = submit(client, json.loads(signed.read_text(encoding="utf-8")))
    assert response.status_code == 201, response.content[:500]


def test_the_resident_signs_on_the_confirmation_page_with_a_signature_file(client, municipalities, card):
    fill_all_steps(client)
    page = client.get(f"{INKAN_APPLY}/confirm/")
    assert b'id="signature-title"' in page.content
    content = client.get(f"{INKAN_APPLY}/signing-content/").content
    key, certificate, chain = card
    p7s = SimpleUploadedFile("application.p7s", sign_cms(content, key, certificate, chain))

    response = client.post(f"{INKAN_APPLY}/confirm/", {"signature_file": p7s})

    assert response.status_code == 302, response.content[:2000]
    assert in_aoba(ResidentSignature).get().facts["name"] == demo.SOFTWARE_CARD["name"]


def test_a_bad_signature_on_the_confirmation_page_is_explained_and_nothing_is_stored(client, municipalities, card):
    fill_all_steps(client)
    key, certificate, chain = card
    p7s = SimpleUploadedFile("application.p7s", sign_cms(b"other content", key, certificate, chain))

    response = client.post(f"{INKAN_APPLY}/confirm/", {"signature_file": p7s}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 422
    assert b"does not match the content of this application" in response.content
    assert stored_cases() == 0


def test_the_staff_api_shows_who_signed_beside_the_answers(client, answers, card, aoba):
    from tests.api.test_staff_api import bearer, make_staff

    from madoguchi.tenants.models import Role

    content = signing_content(client, answers)
    receipt = submit(client, {"answers": answers, "signature": {"cms": cms_b64(content, card)}}).json()[
        "receipt_number"
    ]
    token = bearer(make_staff(aoba, "api-kaigo-clerk", Role.CLERK, "kaigo"))

    body = client.get(f"/api/v1/staff/cases/{receipt}", **token).json()

    signature = body["signature"]
    assert signature["revocation"]["status"] == "good"
    name = next(f for f in signature["facts"] if f["certificate"] == demo.SOFTWARE_CARD["name"])
    assert name["answers"] == "山田 花子" and name["matches"] is False  # the example's name is not the card's
    assert signature["differs_from_answers"] is True
