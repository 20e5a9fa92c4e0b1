"""住民票の写し through the API: signed, or with a copy of photo ID, never with neither (unsigned_requires).

Issue 12, item 6: the page says 「本人確認書類の写し（マイナンバーカードで電子署名しない場合）」, and the
submit holds the resident to it.
"""

from __future__ import annotations

import base64
import json

import pytest
from tests.api.support import (
    applications_url,
    assert_problem,
    juminhyo_answers,
    post_json,
    post_multipart,
    post_with_id,
)

from madoguchi.cases.models import Case
from madoguchi.cases.services import case_submit
from madoguchi.demo import pki as demo
from madoguchi.procedures.errors import AnswersInvalid
from madoguchi.procedures.schema_export import example_answers
from madoguchi.signatures.models import ResidentSignature
from madoguchi.signatures.signing import sign_cms


def stored(aoba) -> int:
    return Case.objects.for_municipality(aoba).count()


def test_an_unsigned_request_without_the_copy_is_a_422_naming_the_field(client, aoba):
    response = post_json(client, juminhyo_answers(), HTTP_ACCEPT_LANGUAGE="ja")

    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"] == [
        {
            "field": "identity_document",
            "code": "sign_or_attach",
            "message": "マイナンバーカードで電子署名するか、本人確認書類の写しを添付してください。",
        }
    ]
    assert stored(aoba) == 0


def test_the_refusal_is_in_english_on_request(client, aoba):
    response = post_multipart(client, juminhyo_answers(), {}, HTTP_ACCEPT_LANGUAGE="en")

    (error,) = assert_problem(response, 422, "validation-error")["errors"]
    assert error["message"] == "Sign the application with your My Number Card, or attach copy of photo ID."


def test_an_unsigned_request_with_the_copy_is_accepted(client, aoba):
    response = post_with_id(client, juminhyo_answers())

    assert response.status_code == 201, response.content[:500]
    case = Case.objects.for_municipality(aoba).get(receipt_number=response.json()["receipt_number"])
    assert [item["name"] for item in case.answers["identity_document"]] == ["本人確認書類.pdf"]


def test_a_signed_request_needs_no_copy(client, aoba, signatures_configured):
    answers = juminhyo_answers()
    content = client.post(
        f"{applications_url()}/signing-content", {"answers": answers}, content_type="application/json"
    ).content
    cms = base64.b64encode(sign_cms(content, *demo.software_card_load(signatures_configured))).decode()

    response = client.post(
        applications_url(), json.dumps({"answers": answers, "signature": {"cms": cms}}), content_type="application/json"
    )

    assert response.status_code == 201, response.content[:500]
    assert ResidentSignature.objects.for_municipality(aoba).count() == 1
    assert "identity_document" not in Case.objects.for_municipality(aoba).get().answers


def test_a_bad_signature_is_refused_as_a_signature_not_waved_through_as_unsigned(client, aoba, signatures_configured):
    cms = base64.b64encode(sign_cms(b"other", *demo.software_card_load(signatures_configured))).decode()

    response = client.post(
        applications_url(),
        json.dumps({"answers": juminhyo_answers(), "signature": {"cms": cms}}),
        content_type="application/json",
    )

    assert assert_problem(response, 422, "signature-rejected")["code"] == "content_mismatch"
    assert stored(aoba) == 0


def test_the_rule_sits_in_case_submit_so_every_door_is_held_to_it(aoba, version_of, now):
    """Not a view's check: whatever calls case_submit unsigned (the portal, the API, an integrator) is refused."""
    version = version_of(aoba, "zei-shomei")

    with pytest.raises(AnswersInvalid) as refused:
        case_submit(
            municipality=aoba,
            procedure_version=version,
            answers=example_answers(version.definition),
            idempotency_key="direct-1",
            now=now,
        )

    assert [(e.path, e.code) for e in refused.value.errors] == [("identity_document", "sign_or_attach")]
    assert stored(aoba) == 0
