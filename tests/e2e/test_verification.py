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


def test_the_result_pages_of_the_strict_verifier_name_what_was_added_without_axe_violations(
    page,
    documents_configured,  # noqa: F811
    signed_pdf,  # noqa: F811
):
    """Issue #12: appended bytes are a change and are named; validation data is a permitted addition;
    the signer is shown by name with the certificate's DN on request; in Japanese and English."""
    from tests.e2e.resident import switch_language
    from tests.signatures.test_strict_verifier import _with_validation_info

    _upload(page, signed_pdf + b"\n% appended after signing\n")
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "modified")
    expect(verdict.get_by_test_id("changes")).to_contain_text("署名された文書の末尾より後ろに付け加えられたデータ")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    _upload(page, _with_validation_info(signed_pdf, documents_configured))
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "authentic")
    expect(verdict.get_by_test_id("permitted-additions")).to_contain_text("長期検証用の検証情報")
    expect(verdict.get_by_test_id("signer")).to_have_text("青葉市 青葉市長")
    verdict.locator("summary").click()
    expect(verdict.locator("details code")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    switch_language(page, "en")
    page.set_input_files(
        "#document", files=[{"name": "notice.pdf", "mimeType": "application/pdf", "buffer": signed_pdf + b"\nx\n"}]
    )
    page.get_by_role("button", name="Verify", exact=True).click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict.get_by_role("heading")).to_have_text("Modified after signing")
    expect(verdict.get_by_test_id("changes")).to_contain_text("Data appended after the end of the signed document")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
