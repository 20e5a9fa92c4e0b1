"""A full disk as a resident meets it: a translated 503 page (no stack trace, no receipt), accessible,
with a way back to the step; once space is freed the same step goes through."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import AOBA, choose, fill_name, next_step
from tests.samples import pdf_bytes
from tests.storage.conftest import small_disk  # noqa: F401 (fixture: a 1 MiB tmpfs as MEDIA_ROOT)

REQUESTER_STEP = f"/{AOBA}/procedures/juminhyo-copy/apply/requester/"


def fill_requester_as_agent(page, letter) -> None:
    fill_name(page, "requester_name")
    choose(page, "relationship", "agent")
    page.locator("#f-power_of_attorney").set_input_files(letter)


def test_a_full_disk_shows_the_storage_page_and_the_step_works_once_freed(page, small_disk, tmp_path):  # noqa: F811
    letter = tmp_path / "ininjo.pdf"
    letter.write_bytes(pdf_bytes("委任状"))
    page.goto(REQUESTER_STEP)
    fill_requester_as_agent(page, letter)
    small_disk.fill()
    next_step(page)

    expect(page.locator("h1")).to_have_text("一時的にご利用いただけません")
    expect(page.locator("main")).to_contain_text("申請や変更は行われていません")
    axe_check(page)
    assert small_disk.files() == []

    small_disk.free()
    page.get_by_role("link", name="元のページに戻る").click()
    expect(page).to_have_url(re.compile(re.escape(REQUESTER_STEP) + "$"))
    fill_requester_as_agent(page, letter)
    next_step(page)
    expect(page).to_have_url(re.compile(r"/apply/target/$"))
    assert len(small_disk.files()) == 1
