"""The form's details through Django's test client (issue 12, item 7): 変更 returns to the
confirmation, Back after sending, the status page pre-filled from the open view, the step
counter, and fees in the resident's language."""

import re

from tests.portal.test_apply_views import APPLICANT, BASE, fill_all_steps
from tests.resident_signing import post_signed_confirmation


def test_change_returns_to_the_confirmation_page_after_the_changed_step(client, municipalities):
    fill_all_steps(client)
    confirm = client.get(f"{BASE}/confirm/").content.decode()
    assert f'href="{BASE}/applicant/?return=confirm"' in confirm

    step = client.get(f"{BASE}/applicant/?return=confirm").content.decode()
    assert f'href="{BASE}/confirm/"' in step  # Back goes to the confirmation too
    response = client.post(f"{BASE}/applicant/?return=confirm", {**APPLICANT, "address.building": "ハイツ1"})
    assert response["Location"] == f"{BASE}/confirm/"
    assert "ハイツ1" in client.get(f"{BASE}/confirm/").content.decode()


def test_without_return_the_form_goes_on_to_the_next_step(client, municipalities):
    fill_all_steps(client)
    response = client.post(f"{BASE}/applicant/", APPLICANT)
    assert response["Location"] == f"{BASE}/request/"


def test_back_after_sending_shows_the_receipt_not_an_empty_form(client, municipalities):
    fill_all_steps(client)
    post_signed_confirmation(client, BASE)
    receipt = re.search(r'data-testid="receipt-number">([^<]+)<', client.get(f"{BASE}/done/").content.decode())[1]

    for path in ("confirm/", "delivery/", "applicant/"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 200
        page = response.content.decode()
        assert "この申請は送信済みです" in page
        assert receipt in page
        assert 'name="applicant_name.family"' not in page

    fresh = client.get(f"{BASE}/applicant/?new=1").content.decode()
    assert 'name="applicant_name.family"' in fresh
    assert client.get(f"{BASE}/request/").status_code == 200
    assert "この申請は送信済みです" not in client.get(f"{BASE}/request/").content.decode()


def test_the_status_page_is_prefilled_with_the_receipt_number_from_the_open_view(client, municipalities):
    fill_all_steps(client)
    post_signed_confirmation(client, BASE)
    done = client.get(f"{BASE}/done/").content.decode()
    receipt = re.search(r'data-testid="receipt-number">([^<]+)<', done)[1]
    assert 'href="/status/"' in done  # the link carries nothing: no receipt, no access code

    status = client.get("/status/").content.decode()
    assert f'id="receipt_number" name="receipt_number" type="text" value="{receipt}"' in status
    assert re.search(r'<input id="access_code"[^>]*data-autofocus', status)
    assert "value=" not in re.search(r'<input id="access_code"[^>]*>', status)[0]


def test_a_new_browser_gets_an_empty_status_form(client, municipalities):
    status = client.get("/status/").content.decode()
    assert 'id="receipt_number" name="receipt_number" type="text" value=""' in status


def test_the_step_counter_counts_the_step_bar(client, municipalities):
    page = client.get(f"{BASE}/applicant/").content.decode()
    bar = re.search(r'<nav aria-label="[^"]+" class="steps"><ol>(.*?)</ol></nav>', page, re.S)[1]
    items = bar.count("<li")
    assert items == 4  # 3 steps of 印鑑登録証明書 and 確認
    assert f"全{items}ステップ中1ステップ目" in page


def test_fees_are_written_for_the_language(client, municipalities):
    assert "300円" in client.get("/082015/procedures/inkan-certificate/").content.decode()
    english = client.get("/082015/procedures/inkan-certificate/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥300" in english
    assert "300yen" not in english


def test_the_english_status_page_writes_dates_day_month_year(client, municipalities):
    fill_all_steps(client)
    post_signed_confirmation(client, BASE)
    done = client.get(f"{BASE}/done/").content.decode()
    receipt = re.search(r'data-testid="receipt-number">([^<]+)<', done)[1]
    access_code = re.search(r'data-testid="access-code">([^<]+)<', done)[1]
    client.post("/status/", {"receipt_number": receipt, "access_code": access_code})

    page = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    assert re.search(rf"<dd>\d{{1,2}} ({months}) \d{{4}}, \d\d:\d\d</dd>", page)  # submitted at
    assert re.search(rf"\d{{1,2}} ({months}) \d{{4}} \(S55\.1\.2\)", page)  # the birth date answer
    assert "Ibaraki, 青葉市" in page
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", page.split("<main", 1)[1])
