"""The public verification page in a browser: an authentic upload, a modified one, and no axe violations."""

from __future__ import annotations

from playwright.sync_api import expect
from tests.e2e.conftest import axe_violations, format_violations
from tests.signatures.conftest import (  # noqa: F401 (fixtures shared with tests/signatures)
    document_pki,
    documents_configured,
    flip_byte_in_signed_range,
    signed_pdf,
    unsigned_pdf,
)


def _upload(page, data: bytes) -> None:
    page.goto("/verify/")
    page.set_input_files("#document", files=[{"name": "通知書.pdf", "mimeType": "application/pdf", "buffer": data}])
    page.get_by_role("button", name="検証する", exact=True).click()


def test_the_verification_page_tells_an_authentic_from_a_modified_document(page, documents_configured, signed_pdf):  # noqa: F811
    page.goto("/verify/")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    _upload(page, signed_pdf)
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "authentic")
    expect(verdict.get_by_role("heading")).to_have_text("真正で、改変されていません")
    expect(verdict).to_contain_text("青葉市")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    _upload(page, flip_byte_in_signed_range(signed_pdf))
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "modified")
    expect(verdict.get_by_role("heading")).to_have_text("署名後に改変されています")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
