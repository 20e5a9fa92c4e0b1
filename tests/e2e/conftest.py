"""Browser tests: the resident portal in headless Chromium against pytest-django's live server.

Debian's chromium is used instead of Playwright's downloaded browsers, so the suite runs on
the same browser build the operators' CI image ships. Missing chromium skips the suite on a
workstation, but fails it in CI: a skipped browser test there would hide a broken portal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API drives an event loop in the main thread; Django's ORM refuses to run
# there unless told that this process knows what it is doing.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Served by page.route from the live server's own origin, so the strict CSP
# (script-src 'self') allows it without weakening the policy under test.
AXE_PATH = "/__e2e__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    filter_warnings = config.pluginmanager.has_plugin("warnings")
    for item in items:
        if Path(str(item.path)).is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)
            if filter_warnings:
                # WhiteNoise warns that STATIC_ROOT is not collected; the live server serves static
                # files from the finders instead.
                item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db, municipalities) -> str:
    """Return the live server's base URL once the demo municipalities and catalogs are loaded.

    ``transactional_db`` comes before ``municipalities`` so the data is committed and the
    server thread sees it.
    """
    return live_server.url


def _new_page(browser, site: str, **options):
    options.setdefault("locale", "ja-JP")
    context = browser.new_context(base_url=site, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE_SOURCE, content_type="text/javascript"))
    return context, page


def open_browser(browser, site: str, *, cookies: list | None = None, language: str = "ja"):
    """Open a browser whose only cookies are ``cookies`` (a reopened one keeps its persistent cookies)."""
    return _new_page(
        browser,
        site,
        locale="ja-JP" if language == "ja" else "en-US",
        storage_state={"cookies": cookies or [], "origins": []},
    )


def close_browser(context) -> list[dict]:
    """Close the browser and return the cookies a real one keeps: those with an expiry date."""
    state = context.storage_state()
    context.close()
    return [cookie for cookie in state["cookies"] if cookie["expires"] != -1]


@pytest.fixture
def page(browser, site) -> Iterator:
    """A fresh browser tab (own cookies, Japanese by default) for one resident."""
    context, page = _new_page(browser, site)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, site) -> Iterator:
    """A tab with JavaScript disabled: the portal must work without portal.js."""
    context, page = _new_page(browser, site, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def software_card(signatures_configured, settings) -> Path:
    """The demo software card (a .p12 of the demo JPKI CA), offered on the confirmation page."""
    settings.MADOGUCHI_DEMO_SOFTWARE_CARD = True
    return signatures_configured / "software-card.p12"



def axe_violations(page) -> list[dict]:
    """Return axe-core's WCAG 2.1 A/AA violations on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
                summaries: v.nodes.map(n => n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for target, summary in zip(v["targets"], v["summaries"], strict=True):
            lines.append(f"    {target}: {' '.join((summary or '').split())}")
    return "\n".join(lines)


def axe_check(page) -> None:
    """Assert that axe-core finds no WCAG 2.1 A/AA violation on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe violations on {page.url}:\n{format_violations(violations)}"

