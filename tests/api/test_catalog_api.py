"""The catalog side of the API: municipalities, their procedures, and what a client needs to
build a valid application (answers schema, file parts, example) — plus the OpenAPI document."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.api.support import (
    API,
    JSON_ONLY_SLUG,
    applications_url,
    assert_problem,
    body_of,
    pdf_bytes,
    png_bytes,
    post_json,
    procedure_url,
    procedures_url,
)

from madoguchi.demo.pki import software_card_load
from madoguchi.signatures.signing import sign_cms

pytestmark = pytest.mark.django_db

CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"
CATALOG = {
    d["slug"]: d for d in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(CATALOG_DIR.glob("*.yaml")))
}
ALL_SLUGS = sorted(CATALOG)
AOBA_ONLY = sorted(slug for slug, d in CATALOG.items() if d.get("municipalities") == ["082015"])
APPLICATIONS_PATH = "/api/v1/municipalities/{code}/procedures/{slug}/applications"
DOCUMENT_PATH = "/api/v1/applications/{receipt_number}/documents/{document_id}"  # issued documents (signed PDFs)
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return sorted(p["slug"] for p in response.json())


def detail(client, slug: str, code: str = "082015", **extra) -> dict:
    response = client.get(procedure_url(code, slug), **extra)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def condition_holds(condition: dict | None, answers: dict) -> bool:
    if condition is None:
        return True
    expected = condition["in"] if "in" in condition else [condition["equals"]]
    answer = answers.get(condition["field"])
    if isinstance(answer, list):
        return any(item in expected for item in answer)
    return answer in expected


def sample_upload(part: dict, index: int) -> SimpleUploadedFile:
    if "pdf" in part["accept"]:
        return SimpleUploadedFile(f"{part['field']}-{index}.pdf", pdf_bytes(part["field"]), "application/pdf")
    assert "png" in part["accept"], part
    return SimpleUploadedFile(f"{part['field']}-{index}.png", png_bytes(3, index + 1), "image/png")


# --- municipalities -------------------------------------------------------------------------------


def test_municipalities_lists_the_demo_municipalities_with_names_and_prefecture(client, municipalities):
    response = client.get(f"{API}/municipalities")

    assert response.status_code == 200
    prefecture = {"code": "080004", "name": "茨城県", "name_kana": "イバラキケン", "name_en": "Ibaraki"}
    assert response.json() == [
        {"code": "082015", "name": "青葉市", "name_kana": "アオバシ", "name_en": "Aoba City", "prefecture": prefecture},
        {
            "code": "082023",
            "name": "港川市",
            "name_kana": "ミナトガワシ",
            "name_en": "Minatogawa City",
            "prefecture": prefecture,
        },
    ]


def test_municipalities_is_one_query(client, municipalities, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"{API}/municipalities")

    assert response.status_code == 200


def test_inactive_municipality_is_neither_listed_nor_served(client, minatogawa):
    minatogawa.is_active = False
    minatogawa.save(update_fields=["is_active"])

    assert [m["code"] for m in client.get(f"{API}/municipalities").json()] == ["082015"]
    assert_problem(client.get(procedures_url("082023")), 404, "not-found")
    assert_problem(post_json(client, {}, code="082023"), 404, "not-found")


# --- procedure list -------------------------------------------------------------------------------


def test_procedures_of_aoba_are_the_whole_catalog(client, aoba):
    assert slugs(client.get(procedures_url("082015"))) == ALL_SLUGS


def test_procedures_of_minatogawa_leave_out_those_limited_to_aoba(client, minatogawa):
    assert AOBA_ONLY == ["doro-senyo"]
    assert slugs(client.get(procedures_url("082023"))) == sorted(set(ALL_SLUGS) - set(AOBA_ONLY))


def test_procedures_is_two_queries_whatever_the_catalog_size(client, aoba, django_assert_num_queries):
    with django_assert_num_queries(2):  # the municipality, then its procedures with their versions
        response = client.get(procedures_url())

    assert len(response.json()) == len(ALL_SLUGS)


def test_procedure_summary_is_in_the_language_of_accept_language(client, aoba):
    response = client.get(procedures_url(), {"q": "じゅうみんひょう"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "en"
    assert response.json() == [
        {
            "slug": "juminhyo-copy",
            "version": 1,
            "title": "Request for a copy of the residence record (jūminhyō)",
            "summary": CATALOG["juminhyo-copy"]["summary"]["en"],
            "category": "certificates",
            "life_events": ["certificates", "moving", "marriage"],
            "fee": {
                "amount": 300,
                "unit": "per copy",
                "note": CATALOG["juminhyo-copy"]["fee"]["note"]["en"],
            },
            "processing_period_days": 3,
            "signature": "optional",
            "answers_component": "Answers_082015_juminhyo-copy",
        }
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("住民票", ["juminhyo-copy"], id="kanji"),
        pytest.param("じゅうみんひょう", ["juminhyo-copy"], id="hiragana-reading-of-kanji-title"),
        pytest.param("ジュウミンヒョウ", ["juminhyo-copy"], id="katakana-reading-of-kanji-title"),
        pytest.param("こくほ", ["kokuho-kanyu"], id="hiragana-abbreviation"),
        pytest.param("ぺっと", ["inu-shibo", "inu-toroku"], id="hiragana-for-katakana-keyword"),
        pytest.param("まいくろちっぷ", ["inu-toroku"], id="hiragana-for-long-katakana-keyword"),
        pytest.param("ﾍﾟｯﾄ", ["inu-shibo", "inu-toroku"], id="half-width-katakana"),
        pytest.param("ゴミ", ["sodai-gomi"], id="katakana-for-hiragana-in-title"),
        pytest.param("ごみ", ["sodai-gomi"], id="hiragana-in-title"),
        pytest.param("BULKY", ["sodai-gomi"], id="english-any-case"),
        pytest.param("犬 死亡", ["inu-shibo"], id="all-terms-must-match"),
        pytest.param("犬\u3000登録", ["inu-shibo", "inu-toroku"], id="ideographic-space-separates-terms"),
        pytest.param("パスポート", [], id="no-match"),
    ],
)
def test_procedures_search_folds_kana_width_and_case(client, aoba, query, expected):
    assert slugs(client.get(procedures_url(), {"q": query})) == expected


@pytest.mark.parametrize("query", ["%", "_", "%%", "' OR 1=1 --"])
def test_procedures_search_treats_sql_wildcards_and_quotes_as_text(client, aoba, query):
    assert slugs(client.get(procedures_url(), {"q": query})) == []


def test_procedures_search_cuts_a_long_query_instead_of_refusing_it(client, aoba):
    query = "じゅうみんひょう" + " " * 200 + "no-such-word"

    assert slugs(client.get(procedures_url(), {"q": query})) == ["juminhyo-copy"]


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("pets", ["inu-shibo", "inu-toroku"]),
        ("childcare", ["hoikusho", "jido-teate"]),
        ("roads", ["doro-senyo"]),
        ("waste", ["sodai-gomi"]),
    ],
)
def test_procedures_filter_by_category(client, aoba, category, expected):
    assert slugs(client.get(procedures_url(), {"category": category})) == expected


def test_an_unknown_category_is_a_400_naming_the_parameter(client, aoba):
    body = assert_problem(client.get(procedures_url(), {"category": "no-such-category"}), 400, "malformed-request")

    assert [error["field"] for error in body["errors"]] == ["category"]


def test_procedures_category_and_search_combine(client, aoba):
    assert slugs(client.get(procedures_url(), {"category": "pets", "q": "まいくろちっぷ"})) == ["inu-toroku"]
    assert slugs(client.get(procedures_url(), {"category": "pets", "q": "じゅうみんひょう"})) == []


def test_roads_category_is_empty_in_minatogawa(client, minatogawa):
    assert slugs(client.get(procedures_url("082023"), {"category": "roads"})) == []


# --- not found ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        procedures_url("999999"),
        procedures_url("08201"),
        procedure_url("999999", "juminhyo-copy"),
        procedure_url("082015", "no-such-procedure"),
        procedure_url("082023", "doro-senyo"),
        f"{API}/municipalities/082015%27%20OR%20%271%27=%271/procedures",
        f"{API}/no-such-resource",
        f"{API}/municipalities/",
    ],
    ids=[
        "unknown-municipality",
        "short-code",
        "detail-of-unknown-municipality",
        "unknown-procedure",
        "procedure-of-another-municipality",
        "sql-in-code",
        "unknown-path",
        "trailing-slash",
    ],
)
def test_unknown_resource_is_a_404_problem(client, municipalities, url):
    body = assert_problem(client.get(url, HTTP_ACCEPT_LANGUAGE="en"), 404, "not-found")

    assert body == {"type": "http://testserver/problems/not-found", "title": "Not found.", "status": 404}


def test_procedure_limited_to_aoba_is_served_in_aoba(client, aoba):
    assert detail(client, "doro-senyo")["slug"] == "doro-senyo"


# --- procedure detail -----------------------------------------------------------------------------


def test_detail_has_the_definition_and_the_file_parts(client, aoba):
    body = detail(client, "juminhyo-copy", HTTP_ACCEPT_LANGUAGE="en")

    assert body["definition"] == CATALOG["juminhyo-copy"]
    assert body["files"] == [
        {
            "field": "power_of_attorney",
            "label": "Letter of authorisation",
            "required": True,
            "required_unsigned": False,
            "condition": {"field": "relationship", "equals": "agent"},
            "accept": ["pdf", "jpeg", "png", "heic"],
            "max_files": 2,
            "max_size_mb": 10.0,
        },
        {
            "field": "identity_document",
            "label": "Copy of photo ID",
            "required": False,
            "required_unsigned": True,
            "condition": None,
            "accept": ["pdf", "jpeg", "png", "heic"],
            "max_files": 2,
            "max_size_mb": 10.0,
        },
    ]


def test_detail_answers_schema_is_titled_in_the_clients_language(client, aoba):
    schema = detail(client, "juminhyo-copy", HTTP_ACCEPT_LANGUAGE="en")["answers_schema"]

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Request for a copy of the residence record (jūminhyō)"
    assert schema["properties"]["requester_name"]["title"] == "Name of the requester"


def test_detail_answers_schema_leaves_file_fields_to_multipart(client, aoba):
    schema = detail(client, "juminhyo-copy")["answers_schema"]

    assert "power_of_attorney" not in schema["properties"]
    assert schema["required"] == [
        "requester_name",
        "relationship",
        "target_address",
        "target_birth_date",
        "scope",
        "copies",
        "purpose",
        "delivery_method",
        "phone",
        "consent",
    ]


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_example_is_accepted_when_submitted(client, aoba, slug, request):
    """The example plus a sample file for every required file part that applies (for an unsigned
    application: also those ``required_unsigned``) is a valid application."""
    body = detail(client, slug)
    answers = body["example"]["answers"]
    files = {
        part["field"]: [sample_upload(part, 0)]
        for part in body["files"]
        if (part["required"] or part["required_unsigned"]) and condition_holds(part["condition"], answers)
    }
    data = {"answers": json.dumps(answers, ensure_ascii=False), **files}
    if body["signature"] == "required":  # signed with the demo software card over the canonical bytes
        card = software_card_load(request.getfixturevalue("signatures_configured"))
        content = client.post(f"{applications_url('082015', slug)}/signing-content", data).content
        for uploads in files.values():
            for upload in uploads:
                upload.seek(0)
        data["signature"] = json.dumps({"cms": base64.b64encode(sign_cms(content, *card)).decode()})

    response = client.post(applications_url("082015", slug), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 201, response.content[:800]
    assert response.json()["procedure"] == slug


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_answers_schema_accepts_the_example(client, aoba, slug):
    body = detail(client, slug)
    validator = jsonschema.Draft202012Validator(body["answers_schema"], format_checker=FORMATS)

    assert list(validator.iter_errors(body["example"]["answers"])) == []


def test_answers_schema_rejects_an_example_with_an_unknown_key(client, aoba):
    for slug in ALL_SLUGS:
        body = detail(client, slug)
        validator = jsonschema.Draft202012Validator(body["answers_schema"], format_checker=FORMATS)

        errors = list(validator.iter_errors({**body["example"]["answers"], "favourite_colour": "blue"}))

        assert [e.validator for e in errors] == ["additionalProperties"], slug
        assert "'favourite_colour' was unexpected" in errors[0].message, slug


def test_answers_schema_rejects_a_missing_required_answer(client, aoba):
    body = detail(client, "juminhyo-copy")
    answers = dict(body["example"]["answers"])
    del answers["phone"]

    errors = list(jsonschema.Draft202012Validator(body["answers_schema"]).iter_errors(answers))

    assert [e.message for e in errors] == ["'phone' is a required property"]


def test_answers_schema_requires_a_conditional_answer_when_its_condition_holds(client, aoba):
    body = detail(client, "juminhyo-copy")
    validator = jsonschema.Draft202012Validator(body["answers_schema"])
    agent = {**body["example"]["answers"], "relationship": "agent"}

    assert [e.message for e in validator.iter_errors(agent)] == ["'target_name' is a required property"]
    assert validator.is_valid({**agent, "target_name": agent["requester_name"]})


def test_answers_schema_rejects_a_conditional_answer_when_its_condition_fails(client, aoba):
    body = detail(client, "juminhyo-copy")
    answers = {**body["example"]["answers"], "target_name": body["example"]["answers"]["requester_name"]}

    assert not jsonschema.Draft202012Validator(body["answers_schema"]).is_valid(answers)


def test_examples_send_files_as_parts_and_only_the_required_ones(client, aoba):
    for slug in ALL_SLUGS:
        body = detail(client, slug)
        answers = body["example"]["answers"]
        file_fields = {part["field"] for part in body["files"]}
        required = {
            part["field"]
            for part in body["files"]
            if (part["required"] or part["required_unsigned"]) and condition_holds(part["condition"], answers)
        }

        assert file_fields.isdisjoint(answers), slug
        assert {item["field"] for item in body["example"]["files"]} == required, slug


# --- OpenAPI --------------------------------------------------------------------------------------


@pytest.fixture
def openapi(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = document
    for key in ref[2:].split("/"):
        node = node[key]
    return node


def refs_in(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs_in(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs_in(item)]
    return []


def response_validator(document: dict, ref: str) -> jsonschema.Draft202012Validator:
    """Return a validator for a component schema, its $refs resolved within the document."""
    return jsonschema.Draft202012Validator({"$ref": ref, "components": document["components"]}, format_checker=FORMATS)


def test_openapi_is_version_3_with_info(openapi):
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] == "Madoguchi API"
    assert re.fullmatch(r"\d+\.\d+\.\d+", openapi["info"]["version"])


STAFF_PATHS = {
    "/api/v1/staff/cases": ["get"],
    "/api/v1/staff/cases/{receipt_number}": ["get"],
    "/api/v1/staff/cases/{receipt_number}/actions": ["post"],
    "/api/v1/staff/cases/{receipt_number}/route": ["get"],
    "/api/v1/staff/cases/{receipt_number}/route/{step_id}": ["post"],
}
ASSISTANT_PATHS = {
    "/api/v1/municipalities/{code}/assistant/ask": ["post"],
    "/api/v1/municipalities/{code}/assistant/faq": ["get"],
    "/api/v1/municipalities/{code}/assistant/questions/{question_id}/feedback": ["post"],
    "/api/v1/municipalities/{code}/assistant/inquiries": ["post"],
}


RESIDENT_PATHS = {
    "/api/v1/municipalities": ["get"],
    "/api/v1/municipalities/{code}/procedures": ["get"],
    "/api/v1/municipalities/{code}/procedures/{slug}": ["get"],
    APPLICATIONS_PATH: ["post"],
    APPLICATIONS_PATH + "/signing-content": ["post"],
    "/api/v1/applications/{receipt_number}": ["get"],
    "/api/v1/applications/{receipt_number}/correction": ["post"],
    "/api/v1/applications/{receipt_number}/withdrawal": ["post"],
    "/api/v1/applications/{receipt_number}/payment/online": ["post"],
    "/api/v1/applications/{receipt_number}/receipt-certificate": ["post"],
    DOCUMENT_PATH: ["get"],
    "/api/v1/verifications": ["post"],
}


def test_openapi_lists_the_resident_integrator_staff_and_assistant_paths(openapi):
    assert {path: sorted(item) for path, item in openapi["paths"].items()} == {
        **RESIDENT_PATHS,
        "/api/v1/integrator": ["get"],
        **STAFF_PATHS,
        **ASSISTANT_PATHS,
    }


def test_openapi_operations_have_unique_ids_and_responses(openapi):
    operations = [op for item in openapi["paths"].values() for op in item.values()]

    assert (
        len({op["operationId"] for op in operations})
        == len(operations)
        == len(RESIDENT_PATHS) + 1 + len(STAFF_PATHS) + len(ASSISTANT_PATHS)
    )
    for op in operations:
        assert op["responses"], op["operationId"]
        assert all(re.fullmatch(r"[1-5]\d\d", status) for status in op["responses"]), op["operationId"]


def test_openapi_refs_resolve_and_schemas_are_valid_json_schema(openapi):
    for ref in refs_in(openapi):
        resolve(openapi, ref)
    for name, schema in openapi["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema.get("type") == "object" or "enum" in schema, name


def test_openapi_post_documents_the_idempotency_key_header(openapi):
    parameters = openapi["paths"][APPLICATIONS_PATH]["post"]["parameters"]

    (header,) = [p for p in parameters if p["in"] == "header" and p["name"] == "Idempotency-Key"]
    assert header["required"] is False
    assert header["schema"] == {"type": "string", "pattern": "^[\\x21-\\x7e]{1,100}$", "maxLength": 100}


def test_openapi_post_documents_json_and_multipart_bodies(openapi):
    body = openapi["paths"][APPLICATIONS_PATH]["post"]["requestBody"]

    assert body["required"] is True
    assert set(body["content"]) == {"application/json", "multipart/form-data"}
    for media_type in body["content"].values():
        schema = resolve(openapi, media_type["schema"]["$ref"])
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["required"] == ["answers"]


def test_openapi_post_documents_created_and_problem_responses(openapi):
    responses = openapi["paths"][APPLICATIONS_PATH]["post"]["responses"]

    assert set(responses) == {"201", "400", "401", "404", "413", "415", "422", "429", "503"}
    assert responses["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApplicationCreatedOut"
    }
    assert responses["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
    }


def test_openapi_status_documents_only_the_problems_a_lookup_can_have(openapi):
    responses = openapi["paths"]["/api/v1/applications/{receipt_number}"]["get"]["responses"]

    assert set(responses) == {"200", "400", "401", "404", "429", "503"}


def test_openapi_status_documents_the_access_code_header(openapi):
    parameters = openapi["paths"]["/api/v1/applications/{receipt_number}"]["get"]["parameters"]

    assert {(p["name"], p["in"], p["required"]) for p in parameters} == {
        ("receipt_number", "path", True),
        ("X-Access-Code", "header", True),
        ("Accept-Language", "header", False),
    }


def test_openapi_json_body_schema_accepts_the_example_and_nothing_else(client, aoba, openapi):
    schema = openapi["paths"][APPLICATIONS_PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    example = {"answers": detail(client, "juminhyo-copy")["example"]["answers"]}
    validator = response_validator(openapi, schema["$ref"])

    assert validator.is_valid(example)
    assert validator.is_valid({**example, "language": "en"})
    assert not validator.is_valid({**example, "callback": "https://evil.example/"})
    assert not validator.is_valid({"answers": "{}"})


def test_created_response_matches_its_openapi_schema(client, aoba, openapi):
    example = detail(client, JSON_ONLY_SLUG)["example"]["answers"]

    response = post_json(client, example, slug=JSON_ONLY_SLUG)

    assert response.status_code == 201, response.content[:500]
    assert (
        list(response_validator(openapi, "#/components/schemas/ApplicationCreatedOut").iter_errors(response.json()))
        == []
    )


def test_procedure_detail_matches_its_openapi_schema(client, aoba, openapi):
    body = detail(client, "juminhyo-copy")

    assert list(response_validator(openapi, "#/components/schemas/ProcedureDetailOut").iter_errors(body)) == []


def test_problem_response_matches_its_openapi_schema(client, aoba, openapi):
    response = post_json(client, {"no_such_field": 1})

    body = assert_problem(response, 422, "validation-error")
    assert list(response_validator(openapi, "#/components/schemas/ProblemOut").iter_errors(body)) == []


def test_openapi_document_is_served_as_json(client, db):
    response = client.get(f"{API}/openapi.json")

    assert response["Content-Type"].startswith("application/json")
    assert body_of(response)["paths"]
