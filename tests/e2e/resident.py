"""What a resident does in the portal, as Playwright steps.

Elements are found by ids, names and data-testid, or by texts from the catalog YAML (which is
bilingual), never by UI chrome text: the translations of the chrome change independently.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from playwright.sync_api import Page, expect
from tests.samples import ADDRESS, NAME, png_bytes

from madoguchi.demo.pki import SOFTWARE_CARD_PIN

CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"
AOBA = "082015"
RECEIPT_NUMBER = re.compile(r"^\d{6}-\d{4}-\d{6}$")
ACCESS_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")


def procedure_yaml(slug: str) -> dict:
    return yaml.safe_load((CATALOG_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))


def today_jst() -> date:
    """The server validates dates against its local date (Asia/Tokyo), not the test host's."""
    return datetime.now(ZoneInfo("Asia/Tokyo")).date()


def days_ago(days: int) -> date:
    return today_jst() - timedelta(days=days)


def reiwa_kanji(d: date) -> str:
    """Return ``d`` as typed on a Japanese form, e.g. 令和8年4月1日 (an independent oracle)."""
    year = d.year - 2018
    return f"令和{'元' if year == 1 else year}年{d.month}月{d.day}日"


def reiwa_letter(d: date) -> str:
    """Return ``d`` in the short era form, e.g. R8.4.1."""
    return f"R{d.year - 2018}.{d.month}.{d.day}"


def switch_language(page: Page, language: str) -> None:
    """Press the header's language button and wait for the page to come back in ``language``."""
    page.locator(f'.language-switch button[name="language"][value="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def next_step(page: Page) -> None:
    """Press the form's primary button (Next / Next: confirm)."""
    page.locator("form.application-form button[type=submit]").click()


def submit_confirmation(page: Page) -> None:
    page.locator("main form button[type=submit]").click()


def fill_name(page: Page, field_id: str, name: dict[str, str] = NAME) -> None:
    for part, value in name.items():
        page.locator(f"#f-{field_id}-{part}").fill(value)


def fill_address(page: Page, field_id: str, address: dict[str, str] = ADDRESS) -> None:
    for part, value in address.items():
        locator = page.locator(f"#f-{field_id}-{part}")
        if part == "prefecture":
            locator.select_option(value)
        else:
            locator.fill(value)


def choose(page: Page, field_id: str, value: str) -> None:
    page.locator(f"#f-{field_id}-{value}").check()


def start_application(page: Page, slug: str, language: str, *, code: str = AOBA) -> None:
    """Go from the catalog to the procedure page by its title, then to the first form step."""
    title = procedure_yaml(slug)["title"][language]
    page.goto(f"/{code}/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
    page.locator(f'main a[href$="/procedures/{slug}/apply/{procedure_yaml(slug)["steps"][0]["id"]}/"]').click()
    expect(page.locator("form.application-form")).to_be_visible()


def fill_dog_registration(page: Page, tmp_path) -> None:
    """inu-toroku's three steps, up to the confirmation page."""
    certificate = tmp_path / "chushazumisho.png"
    certificate.write_bytes(png_bytes())
    start_application(page, "inu-toroku", "ja")
    fill_name(page, "owner_name")
    fill_address(page, "address")
    page.locator("#f-phone").fill("029-200-1234")
    next_step(page)
    page.locator("#f-dog_name").fill("ポチ")
    page.locator("#f-breed").fill("柴犬")
    page.locator("#f-coat_color").fill("赤")
    choose(page, "sex", "female")
    choose(page, "microchip", "no")
    next_step(page)
    page.locator("#f-rabies_vaccination_date").fill(reiwa_letter(days_ago(10)))
    page.locator("#f-vaccination_certificate").set_input_files(certificate)
    page.locator("#f-consent").check()
    next_step(page)
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))


def fill_inkan_certificate(
    page: Page, *, language: str = "ja", copies: int = 1, birth_date: str = "昭和55年1月2日"
) -> None:
    """印鑑登録証明書's three steps (collected at the counter), up to the confirmation page."""
    start_application(page, "inkan-certificate", language)
    fill_name(page, "applicant_name")
    page.locator("#f-birth_date").fill(birth_date)
    fill_address(page, "address")
    next_step(page)
    page.locator("#f-copies").fill(str(copies))
    page.locator("#f-purpose").select_option("real_estate")
    next_step(page)
    choose(page, "delivery_method", "counter")
    page.locator("#f-phone").fill("029-200-1234")
    page.locator("#f-consent").check()
    next_step(page)
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))


def sign_with_demo_card(page: Page, card: Path) -> None:
    """Sign the application on the confirmation page with the demo software card (``demo_card``)."""
    page.locator("#software-card-file").set_input_files(card)
    page.locator("#software-card-pin").fill(SOFTWARE_CARD_PIN)
    page.locator("[data-software-card-sign]").click()
    expect(page.locator('[name="signature_value"]')).not_to_have_value("")


def answers(page: Page) -> dict[str, str]:
    """Return the confirmation or status page's answers as {label: text}."""
    labels = page.locator(".answers dt").all_inner_texts()
    texts = page.locator(".answers dd").all_inner_texts()
    return dict(zip(labels, texts, strict=True))


def read_receipt(page: Page) -> tuple[str, str]:
    receipt = page.get_by_test_id("receipt-number")
    expect(receipt).to_have_text(RECEIPT_NUMBER)
    access_code = page.get_by_test_id("access-code")
    expect(access_code).to_have_text(ACCESS_CODE)
    return receipt.inner_text().strip(), access_code.inner_text().strip()


def look_up_status(page: Page, receipt_number: str, access_code: str) -> None:
    page.goto("/status/")
    page.locator("#receipt_number").fill(receipt_number)
    page.locator("#access_code").fill(access_code)
    page.locator("main form button[type=submit]").click()
