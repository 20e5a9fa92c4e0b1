"""The API's contract beyond single operations: operationIds, problem pages, examples that
are valid submissions, caching, HEAD, CORS, pagination."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from tests.api.support import API, assert_problem, juminhyo_answers, post_with_id, procedures_url, status_url

from madoguchi.api.problems import KINDS
from madoguchi.core.errors import DomainError
from madoguchi.demo.pki import software_card_load
from madoguchi.signatures.signing import sign_cms

# A generated client names its functions after these: renaming one breaks every integrator.
OPERATION_IDS = {
    "listMunicipalities",
    "listProcedures",
    "getProcedure",
    "submitApplication",
    "computeSigningContent",
    "getApplicationStatus",
    "answerCorrection",
    "withdrawApplication",
    "startOnlinePayment",
    "requestReceiptCertificate",
    "downloadDocument",
    "verifyDocument",
    "getIntegratorCredential",
    "staffListCases",
    "staffGetCase",
    "staffPerformCaseAction",
    "staffGetCaseRoute",
    "staffStampRouteStep",
    "askAssistant",
    "listFaqEntries",
    "sendAssistantFeedback",
    "createAssistantInquiry",
}


@pytest.fixture
def document(client, db):
    return client.get(f"{API}/openapi.json").json()


def test_operation_ids_are_exactly_the_published_ones(document):
    assert {op["operationId"] for item in document["paths"].values() for op in item.values()} == OPERATION_IDS


def test_every_error_response_is_a_problem_document_and_every_response_declares_cache_control(document):
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                assert "Cache-Control" in response["headers"], (operation["operationId"], status)
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (operation["operationId"], status)
                if int(status) in (429, 503):
                    assert response["headers"]["Retry-After"]["required"] is True


def test_every_procedure_has_an_answers_component_reachable_from_the_submit_body(document, municipalities):
    components = document["components"]["schemas"]
    refs = [item["$ref"] for item in components["ApplicationIn"]["properties"]["answers"]["anyOf"]]

    assert "#/components/schemas/Answers_082015_juminhyo-copy" in refs
    assert "#/components/schemas/Answers_082023_juminhyo-copy" in refs
    assert "#/components/schemas/Answers_082023_doro-senyo" not in refs  # 道路占用 is 青葉市's only
    assert components["Answers_082015_jido-teate"]["x-procedure"] == "jido-teate"
    assert components["ApplicationIn"]["properties"]["signature"]["oneOf"]


def test_the_document_is_cached_per_catalog_revision_with_an_etag(client, db):
    first = client.get(f"{API}/openapi.json")

    again = client.get(f"{API}/openapi.json", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


# --- problem pages ------------------------------------------------------------------------------


def _domain_errors(cls=DomainError):
    for sub in cls.__subclasses__():
        yield sub
        yield from _domain_errors(sub)


def test_every_domain_refusal_has_a_problem_page():
    missing = {f"{e.__module__}.{e.__qualname__}: {e.kind}" for e in _domain_errors() if e.kind not in KINDS}

    assert missing == set()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_problem_type_is_a_page_this_server_serves(client, kind):
    response = client.get(f"/problems/{kind}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert escape(str(KINDS[kind].title)) in response.content.decode()


def test_a_problems_type_url_resolves_on_this_server(client, aoba):
    body = assert_problem(client.get(f"{API}/municipalities/999999/procedures"), 404, "not-found")

    assert client.get(body["type"].removeprefix("http://testserver")).status_code == 200


def test_problem_pages_are_in_japanese_by_default(client, db):
    response = client.get("/problems/rate-limited")

    assert response["Content-Language"] == "ja"
    assert '<html lang="ja">' in response.content.decode()


def test_an_unknown_problem_type_is_a_404_page(client, db):
    assert client.get("/problems/no-such-kind").status_code == 404


# --- examples are valid submissions -------------------------------------------------------------


def _example_request(detail: dict) -> dict:
    example = detail["example"]
    data: dict = {"answers": json.dumps(example["answers"], ensure_ascii=False)}
    for item in example["files"]:
        data.setdefault(item["field"], []).append(
            SimpleUploadedFile(
                item["name"], base64.b64decode(item["content_base64"]), content_type=item["content_type"]
            )
        )
    return data


def test_every_procedure_example_of_every_municipality_is_a_valid_submission(client, municipalities, request, settings):
    settings.MADOGUCHI_SUBMIT_RATE = ""

    submitted = []
    for municipality in municipalities:
        for summary in client.get(procedures_url(municipality.code)).json():
            url = f"{procedures_url(municipality.code)}/{summary['slug']}"
            data = _example_request(client.get(url).json())
            if summary["signature"] == "required":  # signed with the demo software card, as a resident would
                card = software_card_load(request.getfixturevalue("signatures_configured"))
                content = client.post(f"{url}/applications/signing-content", _example_request(client.get(url).json()))
                data["signature"] = json.dumps({"cms": base64.b64encode(sign_cms(content.content, *card)).decode()})

            response = client.post(f"{url}/applications", data)

            assert response.status_code == 201, (municipality.code, summary["slug"], response.content[:600])
            submitted.append((municipality.code, summary["slug"]))
    assert len(submitted) == 23


# --- caching, HEAD, CORS, pagination ------------------------------------------------------------


def test_catalog_answers_carry_an_etag_and_if_none_match_gives_304(client, aoba):
    first = client.get(procedures_url())

    again = client.get(procedures_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == "public, no-cache"
    assert again.status_code == 304
    assert again.content == b""
    assert "Accept-Language" in first["Vary"]


def test_the_etag_differs_per_language(client, aoba):
    assert client.get(procedures_url(), HTTP_ACCEPT_LANGUAGE="en")["ETag"] != client.get(procedures_url())["ETag"]


def test_answers_with_an_access_code_or_personal_data_are_not_stored_by_caches(client, aoba):
    created = post_with_id(client, juminhyo_answers())
    status = client.get(status_url(created.json()["receipt_number"]), HTTP_X_ACCESS_CODE=created.json()["access_code"])

    assert created["Cache-Control"] == "no-store"
    assert status["Cache-Control"] == "no-store"


def test_head_is_answered_for_every_get_without_a_body(client, aoba):
    get = client.get(procedures_url())

    head = client.head(procedures_url())

    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))
    assert head["ETag"] == get["ETag"]


def test_lists_take_limit_and_offset_and_link_to_the_next_page(client, aoba):
    first = client.get(procedures_url(), {"limit": 5})
    second = client.get(procedures_url(), {"limit": 5, "offset": 5})

    assert len(first.json()) == 5
    assert 'rel="next"' in first["Link"]
    assert "offset=5" in first["Link"].split(";")[0]
    assert [p["slug"] for p in second.json()] == [p["slug"] for p in client.get(procedures_url()).json()][5:10]
    assert 'rel="prev"' in second["Link"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}])
def test_a_page_out_of_range_is_a_400(client, aoba, params):
    body = assert_problem(client.get(procedures_url(), params), 400, "malformed-request")

    assert body["errors"][0]["field"] in {"limit", "offset"}


def test_cors_allows_configured_origins_on_the_api_only(client, aoba, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.city.aoba.example.jp"]
    origin = {"HTTP_ORIGIN": "https://www.city.aoba.example.jp"}

    api = client.get(procedures_url(), **origin)
    preflight = client.options(
        f"{procedures_url()}/juminhyo-copy/applications",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key, x-access-code",
        **origin,
    )
    page = client.get("/082015/", **origin)
    other = client.get(procedures_url(), HTTP_ORIGIN="https://evil.example")

    assert api["Access-Control-Allow-Origin"] == "https://www.city.aoba.example.jp"
    assert "Location" in api["Access-Control-Expose-Headers"]
    assert preflight.status_code == 200
    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in page
    assert "Access-Control-Allow-Origin" not in other
