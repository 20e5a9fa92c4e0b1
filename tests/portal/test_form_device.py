"""A form draft belongs to the browser that typed it, and only while it is in use
(portal.form_device): a shared computer's next user finds nothing typed by the last."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from tests.portal.test_apply_views import APPLICANT, BASE

from madoguchi.cases import drafts
from madoguchi.portal import form_device


def typed_step_one(client) -> None:
    assert client.post(f"{BASE}/applicant/", APPLICANT).status_code == 302
    assert form_device.FORM_COOKIE in client.cookies


def test_the_draft_stays_while_the_same_browser_goes_on(client, municipalities):
    typed_step_one(client)
    page = client.get(f"{BASE}/applicant/").content.decode()
    assert 'value="山田"' in page
    assert 'data-testid="draft-privacy"' in page


def test_a_reopened_browser_without_the_form_cookie_finds_no_draft(client, municipalities):
    typed_step_one(client)
    (key,) = drafts.drafts_held(client.session)
    typed = client.session[key]
    assert typed["values"]
    del client.cookies[form_device.FORM_COOKIE]  # what closing the browser drops

    page = client.get(f"{BASE}/applicant/").content.decode()
    assert "山田" not in page
    assert 'data-testid="draft-expired"' not in page  # nothing said about someone else's typing
    fresh = client.session[key]  # the form starts a new, empty draft under a new token
    assert fresh["token"] != typed["token"]
    assert fresh["values"] == {}


def test_after_the_idle_limit_the_draft_is_cleared_and_the_form_says_so(client, municipalities, monkeypatch, settings):
    settings.MADOGUCHI_DRAFT_IDLE_MINUTES = 60
    typed_step_one(client)
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(form_device, "clock", lambda: later)

    page = client.get(f"{BASE}/applicant/").content.decode()
    assert "山田" not in page
    assert 'data-testid="draft-expired"' in page
    assert "60分以上操作がなかったため" in page
    again = client.get(f"{BASE}/applicant/").content.decode()
    assert 'data-testid="draft-expired"' not in again  # said once


def test_within_the_idle_limit_each_request_moves_the_deadline_on(client, municipalities, monkeypatch):
    typed_step_one(client)
    now = timezone.now()
    for minutes in (50, 100, 150):  # each request 50 minutes after the last
        moment = now + timedelta(minutes=minutes)
        monkeypatch.setattr(form_device, "clock", lambda moment=moment: moment)
        assert 'value="山田"' in client.get(f"{BASE}/applicant/").content.decode()


def test_forgetting_drafts_deletes_their_uploaded_files(municipalities):
    session: dict = {}
    token = "t" * 32
    session[f"{drafts.SESSION_PREFIX}:082015:juminhyo-copy"] = {"token": token, "version_id": 1}
    path = default_storage.save(f"{drafts.DRAFTS_DIR}/{token}/{'a' * 64}", ContentFile(b"%PDF-1.4 copy of an ID"))
    assert default_storage.exists(path)

    assert drafts.drafts_forget(session) == 1
    assert session == {}
    assert not default_storage.exists(path)
