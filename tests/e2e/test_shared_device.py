"""A shared library computer shows the next person nothing (issue 12, item 5), in Chromium.

Closing a browser drops the cookies that have no expiry date and keeps the others: the test
closes the context, keeps only the persistent cookies of its storage state and opens a new
context with them, as a reopened browser would. Idle time is moved on through the resident
view's clock, never by sleeping.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from tests.cases.test_submit import INKAN
from tests.e2e.conftest import axe_check, close_browser, open_browser
from tests.e2e.resident import assert_shows_nothing_personal, look_up_status, switch_language
from tests.portal.test_apply_views import APPLICANT
from tests.resident_signing import case_submit_as_resident

from madoguchi.portal import form_device, resident_view

PERSONAL = ("山田", "ヤマダ", "029-200-1234", "中央一丁目")


@pytest.fixture
def application(site, aoba, version_of):
    """A committed 印鑑登録証明書 request and its access code."""
    result = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="shared-device",
    )
    return result.case.receipt_number, result.access_code


def test_after_closing_and_reopening_the_browser_nothing_personal_is_shown(browser, site, application):
    receipt_number, access_code = application
    context, page = open_browser(browser, site)
    look_up_status(page, receipt_number, access_code)
    expect(page.locator("main")).to_contain_text("ヤマダ ハナコ")
    expect(page.get_by_test_id("shared-device")).to_contain_text("共用のパソコン")
    axe_check(page)
    page.goto("/status/")  # the view is open on this browser: a new visit still shows it
    expect(page.locator("main")).to_contain_text("ヤマダ ハナコ")
    kept = close_browser(context)
    assert {cookie["name"] for cookie in kept} >= {"sessionid"}
    assert resident_view.VIEW_COOKIE not in {cookie["name"] for cookie in kept}
    context, page = open_browser(browser, site, cookies=kept)
    page.goto("/status/")
    assert_shows_nothing_personal(page, *PERSONAL, receipt_number)
    axe_check(page)
    context.close()


def test_after_15_idle_minutes_the_view_is_gone(browser, site, application, monkeypatch):
    receipt_number, access_code = application
    context, page = open_browser(browser, site)
    look_up_status(page, receipt_number, access_code)
    expect(page.locator("main")).to_contain_text("ヤマダ ハナコ")

    later = timezone.now() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(resident_view, "clock", lambda: later)
    page.goto("/status/")

    expect(page.get_by_test_id("view-expired")).to_be_visible()
    assert_shows_nothing_personal(page, *PERSONAL, receipt_number)
    axe_check(page)
    context.close()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_finish_ends_the_view_at_once(browser, site, application, language):
    receipt_number, access_code = application
    context, page = open_browser(browser, site, language=language)
    page.goto("/status/")
    if language != "ja":
        switch_language(page, language)
    look_up_status(page, receipt_number, access_code)
    finish = page.get_by_test_id("finish").first
    with translation.override(language):
        expect(finish).to_have_text(gettext("Finish"))
        closed = gettext("The application is closed on this device.")
    axe_check(page)
    finish.click()

    expect(page.locator("main [role=status]")).to_contain_text(closed)
    assert_shows_nothing_personal(page, *PERSONAL, receipt_number)
    axe_check(page)
    page.go_back()  # no-store, and the look-up redirected: Back fetches the page again
    assert_shows_nothing_personal(page, *PERSONAL, receipt_number)
    context.close()


def test_a_half_typed_form_is_gone_after_closing_and_reopening_the_browser(browser, site):
    """The next person at the computer opens the same form and finds it empty."""
    form = "/082015/procedures/inkan-certificate/apply/applicant/"
    context, page = open_browser(browser, site)
    page.goto(form)
    expect(page.get_by_test_id("draft-privacy")).to_contain_text("ブラウザを閉じる")
    axe_check(page)
    for name, value in APPLICANT.items():
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.locator("form.application-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/apply/request/$"))
    page.goto(form)  # Back to step 1 on the same browser: the answers are there
    expect(page.locator('[name="applicant_name.family"]')).to_have_value("山田")
    kept = close_browser(context)
    assert "sessionid" in {cookie["name"] for cookie in kept}
    assert form_device.FORM_COOKIE not in {cookie["name"] for cookie in kept}
    context, page = open_browser(browser, site, cookies=kept)
    page.goto(form)
    expect(page.locator('[name="applicant_name.family"]')).to_have_value("")
    text = page.locator("main").inner_text()
    for value in ("山田", "やまだ", "中央一丁目"):
        assert value not in text
    assert page.locator('[name="address.town"]').input_value() == ""
    axe_check(page)
    context.close()
