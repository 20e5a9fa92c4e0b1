"""Helpers for the API tests: URLs, requests, valid payloads and problem documents."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from tests.samples import ADDRESS, NAME, pdf_bytes, png_bytes

from madoguchi.cases.models import Case

API = "/api/v1"
PROBLEM_TYPE = "http://testserver/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


def procedures_url(code: str = "082015") -> str:
    return f"{API}/municipalities/{code}/procedures"


def procedure_url(code: str = "082015", slug: str = "juminhyo-copy") -> str:
    return f"{API}/municipalities/{code}/procedures/{slug}"


def applications_url(code: str = "082015", slug: str = "juminhyo-copy") -> str:
    return f"{procedure_url(code, slug)}/applications"


def status_url(receipt_number: str) -> str:
    return f"{API}/applications/{receipt_number}"


def juminhyo_answers(**changes) -> dict:
    """Return valid answers for 住民票の写し as a resident types them (furigana in hiragana)."""
    answers = {
        "requester_name": dict(NAME),
        "relationship": "self",
        "target_address": dict(ADDRESS),
        "target_birth_date": "1980-05-06",
        "scope": "individual",
        "copies": 1,
        "purpose": "employment",
        "delivery_method": "counter",
        "phone": "0292001234",
        "consent": True,
    }
    answers.update(changes)
    return answers


def agent_answers(**changes) -> dict:
    """Return valid answers for 住民票の写し requested by an agent, who must attach a 委任状."""
    target = {"family": "山田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"}
    return juminhyo_answers(relationship="agent", target_name=target, **changes)


def post_json(client, answers, *, code="082015", slug="juminhyo-copy", language=None, key=None, **extra):
    body: dict = {"answers": answers}
    if language is not None:
        body["language"] = language
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        applications_url(code, slug), json.dumps(body, ensure_ascii=False), content_type="application/json", **extra
    )


def identity_copy(name: str = "本人確認書類.pdf"):
    """A copy of photo ID: what an unsigned 住民票の写し request attaches (``unsigned_requires``)."""
    return pdf_upload(name)


def post_with_id(client, answers, files=None, *, code="082015", slug="juminhyo-copy", language=None, key=None, **extra):
    """POST an unsigned application as multipart with a copy of photo ID, which JSON cannot carry."""
    parts = {**({"language": language} if language is not None else {}), **extra.pop("parts", {})}
    files = {"identity_document": identity_copy(), **(files or {})}
    return post_multipart(client, answers, files, code=code, slug=slug, key=key, parts=parts, **extra)


# A procedure that takes no signature and needs no file, so a JSON body alone is a whole application.
JSON_ONLY_SLUG = "sodai-gomi"


def json_only_answers(client, **changes) -> dict:
    """The catalog's example answers for JSON_ONLY_SLUG, with ``changes``."""
    return {**client.get(procedure_url(slug=JSON_ONLY_SLUG)).json()["example"]["answers"], **changes}


def post_raw(
    client, body: bytes | str, content_type="application/json", *, code="082015", slug="juminhyo-copy", **extra
):
    return client.post(applications_url(code, slug), body, content_type=content_type, **extra)


def post_multipart(client, answers, files=None, *, code="082015", slug="juminhyo-copy", key=None, parts=None, **extra):
    """POST ``answers`` as the part 'answers' with ``files`` ({field id: upload or [uploads]})."""
    data: dict = {"answers": json.dumps(answers, ensure_ascii=False), **(parts or {})}
    data.update(files or {})
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(applications_url(code, slug), data, **extra)


def pdf_upload(name: str = "委任状.pdf", content: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type=content_type)


def png_upload(name: str = "photo.png", content: bytes | None = None, content_type: str = "image/png"):
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def body_of(response) -> dict:
    return json.loads(response.content)


def assert_problem(response, status: int, kind: str) -> dict:
    """Assert ``response`` is an RFC 9457 problem of ``kind``; return its body."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = body_of(response)
    assert body["type"] == PROBLEM_TYPE + kind
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"].strip()
    return body


def error_codes(response) -> list[tuple[str, str]]:
    """Return the (field, code) pairs of a validation problem, asserting it is one."""
    body = assert_problem(response, 422, "validation-error")
    return [(error["field"], error["code"]) for error in body["errors"]]


def stored_case(municipality, receipt_number: str) -> Case:
    return Case.objects.for_municipality(municipality).get(receipt_number=receipt_number)
