from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.audit import tamper
from tests.resident_signing import case_submit_as_resident
from tests.samples import ADDRESS, NAME, pdf_bytes

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases.access import format_access_code
from madoguchi.cases.errors import IdempotencyConflict
from madoguchi.cases.models import Attachment, Case, CaseStatus
from madoguchi.cases.selectors import case_get_for_resident
from madoguchi.procedures.errors import AnswersInvalid
from madoguchi.procedures.services import procedure_load_definition

JST = ZoneInfo("Asia/Tokyo")
INKAN = {
    "applicant_name": NAME,
    "birth_date": "昭和55年1月2日",
    "address": ADDRESS,
    "copies": "1",
    "purpose": "real_estate",
    "delivery_method": "counter",
    "phone": "029-200-1234",
    "consent": True,
}


def submit(municipality, version, *, key="key-1", answers=None, now, files=None):
    return case_submit_as_resident(
        municipality=municipality,
        procedure_version=version,
        answers=answers or INKAN,
        files=files,
        idempotency_key=key,
        now=now,
    )


def test_a_submission_is_stored_with_receipt_number_status_and_answers(aoba, version_of, now):
    result = submit(aoba, version_of(aoba, "inkan-certificate"), now=now)
    case = Case.objects.for_municipality(aoba).get()
    assert result.case == case
    assert case.receipt_number == "082015-2026-000001"
    assert case.status == CaseStatus.SUBMITTED
    assert case.answers["birth_date"] == "1980-01-02"
    assert case.answers["applicant_name"]["family_kana"] == "ヤマダ"
    assert case.procedure_version.number == 1
    assert not result.replayed


def test_receipt_numbers_count_per_municipality_and_fiscal_year(aoba, minatogawa, version_of, now):
    a = [submit(aoba, version_of(aoba, "inkan-certificate"), key=f"a{i}", now=now).case for i in range(2)]
    b = submit(minatogawa, version_of(minatogawa, "inkan-certificate"), key="b0", now=now).case
    march = submit(
        aoba, version_of(aoba, "inkan-certificate"), key="march", now=datetime(2027, 3, 31, 23, 59, tzinfo=JST)
    ).case
    april = submit(
        aoba, version_of(aoba, "inkan-certificate"), key="april", now=datetime(2027, 4, 1, 0, 0, tzinfo=JST)
    ).case
    assert [c.receipt_number for c in a] == ["082015-2026-000001", "082015-2026-000002"]
    assert b.receipt_number == "082023-2026-000001"
    assert march.receipt_number == "082015-2026-000003"
    assert april.receipt_number == "082015-2027-000001"


def test_the_same_key_and_answers_return_the_same_receipt_and_access_code(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    first = submit(aoba, version, now=now)
    again = submit(aoba, version, answers={**INKAN, "phone": "０２９－２００－１２３４"}, now=now)
    assert again.replayed
    assert again.case.pk == first.case.pk
    assert again.access_code == first.access_code
    assert Case.objects.for_municipality(aoba).count() == 1


def test_the_same_key_with_different_answers_is_refused(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    submit(aoba, version, now=now)
    with pytest.raises(IdempotencyConflict):
        submit(aoba, version, answers={**INKAN, "copies": 2}, now=now)
    assert Case.objects.for_municipality(aoba).count() == 1


def test_invalid_answers_store_nothing(aoba, version_of, now):
    with pytest.raises(AnswersInvalid):
        submit(aoba, version_of(aoba, "inkan-certificate"), answers={**INKAN, "birth_date": "令和0年1月1日"}, now=now)
    assert Case.objects.for_municipality(aoba).count() == 0
    assert AuditEntry.objects.for_municipality(aoba).count() == 0


def test_a_version_of_another_municipality_is_refused(aoba, minatogawa, version_of, now):
    with pytest.raises(ValueError):
        submit(aoba, version_of(minatogawa, "inkan-certificate"), now=now)


def test_each_submission_writes_an_intact_audit_chain_entry(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    cases = [submit(aoba, version, key=f"k{i}", now=now).case for i in range(3)]
    entries = list(AuditEntry.objects.for_municipality(aoba).order_by("sequence"))
    assert [e.object_id for e in entries] == [c.receipt_number for c in cases]
    assert {e.event for e in entries} == {"cases.case.submitted"}
    assert entries[1].previous_hash == entries[0].hash
    assert audit_verify(municipality=aoba) is None


def test_audit_verify_finds_an_edited_entry(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    for i in range(3):
        submit(aoba, version, key=f"k{i}", now=now)
    tamper.edit(aoba, 2, actor="someone else")  # as the table owner could, past the PostgreSQL trigger
    assert audit_verify(municipality=aoba).sequence == 2


def test_audit_verify_finds_a_deleted_entry(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    for i in range(3):
        submit(aoba, version, key=f"k{i}", now=now)
    tamper.delete(aoba, 2)
    assert audit_verify(municipality=aoba).sequence == 3


def test_attachments_are_stored_under_their_sha256(aoba, version_of, now):
    version = version_of(aoba, "jido-teate")
    answers = {field: value for field, value in version.definition and _jido_answers().items()}
    upload = SimpleUploadedFile("保険証.pdf", pdf_bytes(), "application/pdf")
    case = submit(aoba, version, answers=answers, files={"health_insurance_copy": [upload]}, now=now).case
    [attachment] = Attachment.objects.for_municipality(aoba).filter(case=case)
    assert attachment.storage_name == f"attachments/082015/{attachment.sha256[:2]}/{attachment.sha256}"
    with default_storage.open(attachment.storage_name, "rb") as handle:
        assert handle.read() == pdf_bytes()


def _jido_answers():
    from madoguchi.procedures.schema_export import example_answers
    from madoguchi.procedures.selectors import procedure_get
    from madoguchi.tenants.models import Municipality

    aoba = Municipality.objects.get(code="082015")
    return example_answers(procedure_get(municipality=aoba, slug="jido-teate").current_version.definition)


def test_a_changed_definition_never_changes_old_applications(aoba, version_of, now):
    old_version = version_of(aoba, "inkan-certificate")
    case = submit(aoba, old_version, now=now).case
    changed = {**old_version.definition, "title": {"ja": "印鑑登録証明書の交付申請（新）", "en": "New"}}
    result = procedure_load_definition(municipality=aoba, definition=changed)
    assert result.version == 2
    case.refresh_from_db()
    assert case.procedure_version.number == 1
    assert case.procedure_version.definition["title"]["en"] != "New"
    assert version_of(aoba, "inkan-certificate").number == 2


def test_loading_an_unchanged_definition_keeps_the_version(aoba, version_of):
    version = version_of(aoba, "inkan-certificate")
    result = procedure_load_definition(municipality=aoba, definition=version.definition)
    assert (result.version, result.created) == (1, False)


def test_a_resident_finds_the_case_with_receipt_number_and_access_code(aoba, version_of, now):
    result = submit(aoba, version_of(aoba, "inkan-certificate"), now=now)
    code = result.access_code
    assert case_get_for_resident(receipt_number=result.case.receipt_number, access_code=code) == result.case
    typed = format_access_code(code).lower()
    assert (
        case_get_for_resident(receipt_number="０８２０１５－２０２６－０００００１", access_code=typed) == result.case
    )


@pytest.mark.parametrize("receipt", ["082015-2026-000002", "", "082015-2026-00000１x", "' OR 1=1 --"])
def test_a_wrong_receipt_number_finds_nothing(aoba, version_of, now, receipt):
    result = submit(aoba, version_of(aoba, "inkan-certificate"), now=now)
    assert case_get_for_resident(receipt_number=receipt, access_code=result.access_code) is None


def test_a_wrong_access_code_finds_nothing(aoba, version_of, now):
    result = submit(aoba, version_of(aoba, "inkan-certificate"), now=now)
    assert case_get_for_resident(receipt_number=result.case.receipt_number, access_code="AAAA-BBBB-CCCC") is None
