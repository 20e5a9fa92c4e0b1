"""The pages API problem types point at: a client following a problem's ``type`` reads, in
Japanese or English, what it means and what to do."""

from __future__ import annotations

from playwright.sync_api import expect
from tests.e2e.conftest import axe_check


def test_a_problem_type_page_explains_the_problem_and_passes_axe(page):
    page.goto("/problems/validation-error")

    expect(page.locator("h1")).to_have_text("申請の入力内容に誤りがあります。")
    expect(page.get_by_role("heading", name="対処方法")).to_be_visible()
    axe_check(page)


def test_the_list_of_problem_types_links_to_each_page_and_passes_axe(page):
    page.goto("/problems/")

    page.get_by_role("link", name="rate-limited").click()

    expect(page).to_have_url(page.url.split("/problems/")[0] + "/problems/rate-limited")
    axe_check(page)
