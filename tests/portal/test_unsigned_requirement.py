"""住民票の写し on the portal: the page states 「署名するか、本人確認書類の写しを添付」 before the form, the
confirmation page says what is missing, and an unsigned request without the copy is refused there."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.samples import pdf_bytes

from madoguchi.cases.models import Case
from madoguchi.demo import pki as demo
from madoguchi.signatures.models import ResidentSignature
from madoguchi.signatures.signing import sign_cms
from madoguchi.tenants.models import Municipality

PAGE = "/082015/procedures/juminhyo-copy/"
BASE = f"{PAGE}apply"
REQUESTER = {
    "requester_name.family": "山田",
    "requester_name.given": "花子",
    "requester_name.family_kana": "やまだ",
    "requester_name.given_kana": "はなこ",
    "relationship": "self",
}
TARGET = {
    "target_address.postal_code": "310-0015",
    "target_address.prefecture": "茨城県",
    "target_address.city": "青葉市",
    "target_address.town": "中央一丁目",
    "target_address.block": "2番3号",
    "target_address.building": "",
    "target_birth_date": "昭和55年1月2日",
    "scope": "individual",
    "copies": "1",
    "purpose": "employment",
}
DELIVERY = {"delivery_method": "counter", "phone": "029-200-1234", "consent": "true"}
MESSAGE_JA = "マイナンバーカードで電子署名するか、本人確認書類の写しを添付してください。"


def fill(client, *, with_copy: bool, **headers):
    requester = dict(REQUESTER)
    if with_copy:
        requester["identity_document"] = SimpleUploadedFile("本人確認書類.pdf", pdf_bytes(), "application/pdf")
    assert client.post(f"{BASE}/requester/", requester, **headers).status_code == 302
    assert client.post(f"{BASE}/target/", TARGET, **headers).status_code == 302
    assert client.post(f"{BASE}/delivery/", DELIVERY, **headers)["Location"].endswith("/apply/confirm/")


def cases() -> list[Case]:
    return list(Case.objects.for_municipality(Municipality.objects.get(code="082015")))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", MESSAGE_JA),
        ("en", "Sign the application with your My Number Card, or attach copy of photo ID."),
    ],
)
def test_the_procedure_page_states_the_rule_before_the_form(client, municipalities, language, expected):
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    stated = page.index(expected)
    assert stated < page.index(f'href="{BASE}/requester/"')  # before the way into the form


def test_the_confirmation_page_says_what_is_missing_and_links_to_the_step(client, municipalities):
    fill(client, with_copy=False)

    page = client.get(f"{BASE}/confirm/").content.decode()

    assert 'data-testid="unsigned-requirement"' in page
    assert MESSAGE_JA in page
    assert f'href="{BASE}/requester/?return=confirm#f-identity_document"' in page


def test_with_the_copy_attached_the_confirmation_page_asks_for_nothing_more(client, municipalities):
    fill(client, with_copy=True)

    page = client.get(f"{BASE}/confirm/").content.decode()

    assert 'data-testid="unsigned-requirement"' not in page


def test_an_unsigned_request_without_the_copy_is_refused_with_the_way_to_fix_it(client, municipalities):
    fill(client, with_copy=False)

    response = client.post(f"{BASE}/confirm/", {})

    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('class="error-summary"') :]
    assert f'<a href="{BASE}/requester/?return=confirm#f-identity_document">{MESSAGE_JA}</a>' in summary
    assert cases() == []


def test_the_refusal_is_in_english_on_request(client, municipalities):
    fill(client, with_copy=False, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(f"{BASE}/confirm/", {}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Sign the application with your My Number Card, or attach copy of photo ID." in response.content.decode()
    assert cases() == []


def test_the_copy_attached_after_the_refusal_lets_the_request_through(client, municipalities):
    fill(client, with_copy=False)
    assert client.post(f"{BASE}/confirm/", {}).status_code == 400

    copy = SimpleUploadedFile("本人確認書類.pdf", pdf_bytes(), "application/pdf")
    back = client.post(f"{BASE}/requester/?return=confirm", {**REQUESTER, "identity_document": copy})
    assert back["Location"].endswith("/apply/confirm/")
    response = client.post(f"{BASE}/confirm/", {})

    assert response.status_code == 302, response.content[:2000]
    (case,) = cases()
    assert [item["name"] for item in case.answers["identity_document"]] == ["本人確認書類.pdf"]


def test_a_signed_request_without_the_copy_is_accepted(client, municipalities, signatures_configured):
    fill(client, with_copy=False)
    content = client.get(f"{BASE}/signing-content/").content
    p7s = SimpleUploadedFile("application.p7s", sign_cms(content, *demo.software_card_load(signatures_configured)))

    response = client.post(f"{BASE}/confirm/", {"signature_file": p7s})

    assert response.status_code == 302, response.content[:2000]
    (case,) = cases()
    assert "identity_document" not in case.answers
    assert ResidentSignature.objects.for_municipality(case.municipality).filter(case=case).exists()
