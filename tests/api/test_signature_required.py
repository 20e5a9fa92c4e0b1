"""印鑑登録証明書 as shipped requires the resident's signature: the API and the portal refuse it unsigned.

The test databases hold the shipped catalog; ``shipped_inkan`` also asserts that the file as
shipped requires the signature, so these tests cannot pass against a relaxed definition.
"""

from __future__ import annotations

import base64

import pytest
from tests.api.support import applications_url, procedure_url
from tests.conftest import shipped_definition
from tests.portal.test_apply_views import BASE as INKAN_APPLY
from tests.portal.test_apply_views import fill_all_steps

from madoguchi.cases.models import Case
from madoguchi.demo import pki as demo
from madoguchi.procedures.services import procedure_load_definition
from madoguchi.signatures.signing import sign_cms
from madoguchi.tenants.models import Municipality

SLUG = "inkan-certificate"


@pytest.fixture
def shipped_inkan(aoba):
    definition = shipped_definition(f"{SLUG}.yaml")
    assert definition["signature"] == "required"
    procedure_load_definition(municipality=aoba, definition=definition, source=f"{SLUG}.yaml")
    return definition


@pytest.fixture
def answers(client, shipped_inkan):
    return client.get(procedure_url("082015", SLUG)).json()["example"]["answers"]


def stored_cases() -> int:
    return Case.objects.for_municipality(Municipality.objects.get(code="082015")).count()


def submit(client, body: dict, **headers):
    return client.post(applications_url("082015", SLUG), body, content_type="application/json", **headers)


def test_the_catalog_api_says_the_signature_is_required(client, shipped_inkan):
    assert client.get(procedure_url("082015", SLUG)).json()["signature"] == "required"


def test_an_unsigned_request_through_the_api_is_refused_with_a_translated_problem(client, answers):
    before = stored_cases()

    japanese = submit(client, {"answers": answers})
    english = submit(client, {"answers": answers, "language": "en"}, HTTP_ACCEPT_LANGUAGE="en")

    assert japanese.status_code == 422
    assert japanese["Content-Type"] == "application/problem+json"
    assert japanese.json()["code"] == "missing"
    assert "電子署名" in japanese.json()["detail"]
    assert english.status_code == 422
    assert "signature" in english.json()["detail"].lower()
    assert "電子署名" not in english.json()["detail"]
    assert stored_cases() == before


def test_a_signed_request_through_the_api_is_accepted(client, answers, signatures_configured):
    key, certificate, chain = demo.software_card_load(signatures_configured)
    content = client.post(
        f"{applications_url('082015', SLUG)}/signing-content", {"answers": answers}, content_type="application/json"
    ).content

    response = submit(client, {"answers": answers, "signature": {"cms": base64.b64encode(sign_cms(content, key, certificate, chain)).decode()}})

    assert response.status_code == 201, response.content[:500]


def test_an_unsigned_request_on_the_confirmation_page_is_refused_and_explained(client, shipped_inkan):
    before = stored_cases()
    fill_all_steps(client)

    response = client.post(f"{INKAN_APPLY}/confirm/", {})

    assert response.status_code == 422
    page = response.content.decode()
    assert "この手続には電子署名" in page
    assert 'id="signature-error"' in page
    assert stored_cases() == before
