"""A shared computer shows the next person nothing (issue 12, item 5): the status view lives
as long as the browser and at most 15 idle minutes, 終了する ends it, and pages with personal
data are never stored by the browser."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from tests.portal.test_apply_views import BASE, fill_all_steps
from tests.resident_signing import post_signed_confirmation

from madoguchi.portal import resident_view
from madoguchi.portal.resident_view import VIEW_COOKIE

NAME = "ヤマダ ハナコ"


@pytest.fixture
def clock(monkeypatch):
    """Move the resident view's time on without waiting: ``clock.advance(minutes=…)``."""

    class Clock:
        offset = timedelta()

        def advance(self, **delta):
            self.offset += timedelta(**delta)

        def __call__(self):
            return timezone.now() + self.offset

    fake = Clock()
    monkeypatch.setattr(resident_view, "clock", fake)
    return fake


def apply_and_look_up(client):
    fill_all_steps(client)
    done = post_signed_confirmation(client, BASE, follow=True).content.decode()
    receipt = re.search(r'data-testid="receipt-number">([0-9-]+)<', done).group(1)
    code = re.search(r'data-testid="access-code">([A-Z0-9-]+)<', done).group(1)
    response = client.post("/status/", {"receipt_number": receipt, "access_code": code})
    assert response.status_code == 302
    assert NAME in client.get(response["Location"]).content.decode()
    return response


def close_browser(client):
    """What closing the browser does to cookies: those without an expiry date are gone."""
    for name, morsel in list(client.cookies.items()):
        if not morsel["expires"] and not morsel["max-age"]:
            del client.cookies[name]


def test_pages_with_personal_data_are_never_stored(client, municipalities):
    fill_all_steps(client)
    assert "no-store" in client.get(f"{BASE}/confirm/")["Cache-Control"]
    assert "no-store" in client.get(f"{BASE}/applicant/")["Cache-Control"]
    submitted = post_signed_confirmation(client, BASE, follow=True)
    assert "no-store" in submitted["Cache-Control"]
    receipt = re.search(r'data-testid="receipt-number">([0-9-]+)<', submitted.content.decode()).group(1)
    code = re.search(r'data-testid="access-code">([A-Z0-9-]+)<', submitted.content.decode()).group(1)
    status = client.post("/status/", {"receipt_number": receipt, "access_code": code}, follow=True)
    assert "ヤマダ ハナコ" in status.content.decode()
    assert "no-store" in status["Cache-Control"]
    assert "no-store" in client.get("/status/")["Cache-Control"]


def test_the_view_cookie_ends_with_the_browser_while_the_session_cookie_is_kept(client, municipalities):
    response = apply_and_look_up(client)
    view = response.cookies[VIEW_COOKIE]
    assert (view["expires"], view["max-age"]) == ("", "")
    assert view["httponly"] and view["samesite"] == "Lax"
    assert client.cookies["sessionid"]["max-age"] or client.cookies["sessionid"]["expires"]


def test_after_the_browser_is_closed_the_status_page_shows_nothing_personal(client, municipalities):
    apply_and_look_up(client)
    close_browser(client)
    assert "sessionid" in client.cookies  # the session (and a form draft) outlives the browser
    page = client.get("/status/").content.decode()
    assert NAME not in page
    assert 'id="access_code"' in page
    assert resident_view.SESSION_KEY not in client.session


def test_after_the_browser_is_closed_the_receipt_page_does_not_show_the_access_code_again(client, municipalities):
    fill_all_steps(client)
    post_signed_confirmation(client, BASE)
    close_browser(client)
    response = client.get(f"{BASE}/done/")
    assert response.status_code == 302
    assert response["Location"].endswith("/082015/procedures/inkan-certificate/")


def test_the_view_stays_open_while_the_resident_keeps_using_it(client, municipalities, clock):
    apply_and_look_up(client)
    for _ in range(3):
        clock.advance(minutes=14)
        assert NAME in client.get("/status/").content.decode()


def test_the_view_closes_after_15_idle_minutes(client, municipalities, clock):
    apply_and_look_up(client)
    clock.advance(minutes=15, seconds=1)
    page = client.get("/status/").content.decode()
    assert NAME not in page
    assert 'data-testid="view-expired"' in page
    clock.advance(minutes=-15)  # an earlier clock cannot bring a forgotten view back
    assert NAME not in client.get("/status/").content.decode()


def test_the_receipt_page_closes_after_15_idle_minutes(client, municipalities, clock):
    fill_all_steps(client)
    post_signed_confirmation(client, BASE)
    clock.advance(minutes=16)
    assert client.get(f"{BASE}/done/").status_code == 302


def test_finish_ends_the_view_and_clears_its_cookie(client, municipalities):
    apply_and_look_up(client)
    response = client.post("/status/", {"finish": "1"})
    assert response.status_code == 302
    assert response.cookies[VIEW_COOKIE]["max-age"] == 0
    page = client.get("/status/").content.decode()
    assert NAME not in page
    assert "この端末での表示を終了しました。" in page


def test_the_status_page_offers_finish_and_a_note_on_shared_computers(client, municipalities):
    apply_and_look_up(client)
    page = client.get("/status/").content.decode()
    assert 'data-testid="finish"' in page and "終了する" in page
    assert "共用のパソコン" in page and "15分" in page


def test_a_session_cookie_copied_without_the_view_cookie_shows_nothing(client, municipalities):
    apply_and_look_up(client)
    client.cookies[VIEW_COOKIE] = "guessed-token"
    assert NAME not in client.get("/status/").content.decode()
