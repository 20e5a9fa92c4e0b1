"""The resident's form flow through Django's test client (no JavaScript), step by step."""

import re

import pytest
from tests.resident_signing import post_signed_confirmation

from madoguchi.cases.models import Case
from madoguchi.tenants.models import Municipality

BASE = "/082015/procedures/inkan-certificate/apply"
APPLICANT = {
    "applicant_name.family": "山田",
    "applicant_name.given": "花子",
    "applicant_name.family_kana": "やまだ",
    "applicant_name.given_kana": "はなこ",
    "birth_date": "昭和55年1月2日",
    "address.postal_code": "310-0015",
    "address.prefecture": "茨城県",
    "address.city": "青葉市",
    "address.town": "中央一丁目",
    "address.block": "2番3号",
    "address.building": "",
}
REQUEST = {"copies": "１", "purpose": "real_estate"}
DELIVERY = {"delivery_method": "counter", "phone": "029-200-1234", "consent": "true"}


def fill_all_steps(client, **delivery):
    assert client.post(f"{BASE}/applicant/", APPLICANT).status_code == 302
    assert client.post(f"{BASE}/request/", REQUEST).status_code == 302
    response = client.post(f"{BASE}/delivery/", {**DELIVERY, **delivery})
    assert response["Location"].endswith("/apply/confirm/")


def cases():
    return list(Case.objects.for_municipality(Municipality.objects.get(code="082015")))


def test_catalog_lists_procedures_and_searches_in_hiragana(client, municipalities):
    page = client.get("/082015/", {"q": "いんかん"}).content.decode()
    assert "印鑑登録証明書" in page
    assert "住民票" not in page


def test_catalog_of_an_unknown_municipality_is_404(client, municipalities):
    assert client.get("/999999/").status_code == 404


def test_a_procedure_of_one_municipality_is_not_offered_by_the_other(client, municipalities):
    assert client.get("/082015/procedures/doro-senyo/").status_code == 200
    assert client.get("/082023/procedures/doro-senyo/").status_code == 404


def test_a_step_with_errors_shows_a_summary_and_keeps_the_answers(client, municipalities):
    response = client.post(f"{BASE}/applicant/", {**APPLICANT, "birth_date": "平成31年5月1日"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page
    assert 'href="#f-birth_date"' in page
    assert 'id="f-birth_date" name="birth_date" type="text" value="平成31年5月1日"' in page
    assert 'aria-invalid="true"' in page


def test_the_confirmation_page_shows_clean_answers_and_nothing_is_stored_yet(client, municipalities):
    fill_all_steps(client)
    page = client.get(f"{BASE}/confirm/").content.decode()
    assert "ヤマダ ハナコ" in page
    assert "昭和55年1月2日" in page
    assert "〒310-0015" in page
    assert cases() == []


def test_the_confirmation_page_sends_a_resident_back_to_an_unfinished_step(client, municipalities):
    client.post(f"{BASE}/applicant/", APPLICANT)
    response = client.get(f"{BASE}/confirm/")
    assert response["Location"].endswith("/apply/request/")


def test_submitting_shows_the_receipt_and_access_code_once_stored(client, municipalities):
    fill_all_steps(client)
    response = post_signed_confirmation(client, BASE, follow=True)
    page = response.content.decode()
    [case] = cases()
    assert case.receipt_number in page
    code = re.search(r'data-testid="access-code">([A-Z0-9-]+)<', page).group(1)
    status = client.post("/status/", {"receipt_number": case.receipt_number, "access_code": code}, follow=True)
    assert status.status_code == 200
    assert "ヤマダ ハナコ" in status.content.decode()


def test_submitting_twice_creates_one_case(client, municipalities):
    fill_all_steps(client)
    session_draft = dict(client.session)
    post_signed_confirmation(client, BASE)
    # The resident presses "back" and submits the same draft again (e.g. a double click).
    session = client.session
    session.update(session_draft)
    session.save()
    post_signed_confirmation(client, BASE)
    assert len(cases()) == 1


def test_the_status_page_refuses_a_wrong_code_without_telling_which_part_was_wrong(client, municipalities):
    fill_all_steps(client)
    post_signed_confirmation(client, BASE)
    [case] = cases()
    wrong_code = client.post("/status/", {"receipt_number": case.receipt_number, "access_code": "AAAA-BBBB-CCCC"})
    wrong_number = client.post("/status/", {"receipt_number": "082015-2026-999999", "access_code": "AAAA-BBBB-CCCC"})
    assert wrong_code.status_code == wrong_number.status_code == 404


def test_answers_are_shown_escaped(client, municipalities):
    fill_all_steps(client)
    client.post(f"{BASE}/applicant/", {**APPLICANT, "address.building": "<script>alert(1)</script>"})
    page = client.get(f"{BASE}/confirm/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_pages_are_served_in_english_when_asked(client, municipalities):
    client.cookies["madoguchi_language"] = "en"
    page = client.get("/082015/procedures/inkan-certificate/").content.decode()
    assert '<html lang="en">' in page
    assert "Certificate of Registered Seal" in page or "seal" in page.lower()


@pytest.mark.parametrize(
    "path", ["/082015/procedures/inkan-certificate/apply/nonexistent/", "/082015/procedures/nope/"]
)
def test_unknown_steps_and_procedures_are_404_pages(client, municipalities, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<html" in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(client, municipalities):
    policy = client.get("/082015/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
