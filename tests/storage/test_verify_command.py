"""``madoguchi files verify``: every attachment and issued document re-hashed against its row."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.backoffice.casework import submit_jido_teate
from tests.samples import pdf_bytes

from madoguchi.cases.models import Attachment
from madoguchi.signatures.documents.services import document_issue
from madoguchi.signatures.models import DocumentKind
from madoguchi.storage.sources import stored_file_sources


def verify(*args) -> str:
    out = StringIO()
    call_command("files", "verify", *args, stdout=out)
    return out.getvalue()


def verify_failing(*args) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("files", "verify", *args, stdout=out)
    return out.getvalue(), str(raised.value)


@pytest.fixture
def stored(aoba, minatogawa, version_of, now, documents_configured):
    """A 児童手当 case with an attachment and a 受理証明書 in 青葉市, one attachment in 港川市."""
    case = submit_jido_teate(aoba, version_of, now=now, content=pdf_bytes("保険証"))
    document = document_issue(case=case, kind=DocumentKind.RECEIPT, actor="resident", now=now)
    other = submit_jido_teate(minatogawa, version_of, now=now, content=pdf_bytes("港川"))
    return case, Attachment.objects.for_municipality(aoba).get(case=case), document, other


def test_sources_list_attachments_and_documents():
    assert set(stored_file_sources()) == {"attachment", "document"}


def test_verify_passes_when_every_file_matches(stored):
    output = verify()
    assert "OK 082015 2 files (2 references)" in output
    assert "OK 082023 1 files (1 references)" in output


def test_a_file_shared_by_two_cases_is_read_once(stored, aoba, version_of, now):
    submit_jido_teate(aoba, version_of, now=now, content=pdf_bytes("保険証"))  # the same bytes again
    assert "OK 082015 2 files (3 references)" in verify("--municipality", "082015")


@pytest.mark.parametrize("damage", ["truncate", "remove", "replace"])
def test_verify_fails_naming_the_case_and_file_when_an_attachment_is_damaged(stored, damage):
    case, attachment, _document, _other = stored
    path = Path(settings.MEDIA_ROOT) / attachment.storage_name
    if damage == "truncate":
        path.write_bytes(b"")
    elif damage == "remove":
        path.unlink()
    else:
        path.write_bytes(b"x" * attachment.size)
    output, error = verify_failing()
    problem = {"truncate": f"0 bytes, expected {attachment.size}", "remove": "missing", "replace": "SHA-256 differs"}
    assert f"FAIL 082015 attachment {case.receipt_number} {attachment.storage_name}: {problem[damage]}" in output
    assert "OK 082023" in output
    assert error == "stored files missing or changed: 082015"


def test_verify_fails_when_an_issued_document_was_changed(stored):
    case, _attachment, document, _other = stored
    path = Path(settings.MEDIA_ROOT) / document.storage_name
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOX"))
    output, _error = verify_failing("--municipality", "082015")
    assert f"FAIL 082015 document {case.receipt_number} {document.storage_name}: SHA-256 differs" in output


def test_verify_of_an_unknown_municipality_is_an_error(municipalities):
    with pytest.raises(CommandError, match="Unknown municipality 999999"):
        verify("--municipality", "999999")
