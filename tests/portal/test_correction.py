"""A resident answers a correction request (補正) through the status page (issue #3), with a reply,
a confirmation step and their own notation kept (issue 12, item 8)."""

import pytest
from django.contrib.auth import get_user_model
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.cases.models import AnswerVersion, Case, CaseStatus
from madoguchi.cases.workflow import case_request_correction
from madoguchi.tenants.access import StaffContext


@pytest.fixture
def submitted(aoba, version_of, now):
    return case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="c1",
        now=now,
    )


@pytest.fixture
def staff(aoba, db):
    user = get_user_model().objects.create_user("clerk-x", password="x-long-password-1")
    return StaffContext(user_id=user.pk, username="clerk-x", municipality=aoba, grants=frozenset({(None, "admin")}))


def look_up(client, result):
    return client.post(
        "/status/", {"receipt_number": result.case.receipt_number, "access_code": result.access_code}, follow=True
    )


def form_data(**changes):
    data = {
        "applicant_name.family": "山田",
        "applicant_name.given": "花子",
        "applicant_name.family_kana": "ヤマダ",
        "applicant_name.given_kana": "ハナコ",
        "birth_date": "1980-01-02",
        "address.postal_code": "3100015",
        "address.prefecture": "茨城県",
        "address.city": "青葉市",
        "address.town": "中央一丁目",
        "address.block": "2番3号",
        "copies": "1",
        "purpose": "real_estate",
        "delivery_method": "counter",
        "phone": "029-200-1234",
        "consent": "true",
    }
    return {**data, **changes}


def test_the_resident_sees_the_request_and_corrects_the_application(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="電話番号をご確認ください。")
    page = look_up(client, submitted).content.decode()
    assert "電話番号をご確認ください。" in page
    assert "/status/correct/" in page
    response = client.post("/status/correct/", form_data(phone="090-1111-2222"))
    assert response.status_code == 302 and response["Location"] == "/status/correct/confirm/"
    assert client.post("/status/correct/confirm/").status_code == 302
    case = Case.objects.for_municipality(submitted.case.municipality).get(pk=submitted.case.pk)
    [old] = AnswerVersion.objects.for_municipality(case.municipality).filter(case=case)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.receipt_number == submitted.case.receipt_number
    assert case.answers["phone"] == "090-1111-2222"
    assert (old.number, old.answers["phone"]) == (1, "029-200-1234")
    assert case.answers_version == 2


def test_a_correction_with_errors_is_shown_again_and_changes_nothing(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="確認してください。")
    look_up(client, submitted)
    response = client.post("/status/correct/", form_data(birth_date="令和0年1月1日"))
    assert response.status_code == 400
    assert 'href="#f-birth_date"' in response.content.decode()
    assert (
        Case.objects.for_municipality(submitted.case.municipality).get(pk=submitted.case.pk).status
        == CaseStatus.CORRECTION_REQUESTED
    )


def test_the_correction_page_needs_a_looked_up_case(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="確認してください。")
    assert client.get("/status/correct/").status_code == 404


def test_nothing_can_be_corrected_unless_a_correction_was_requested(client, submitted):
    look_up(client, submitted)
    assert client.get("/status/correct/").status_code == 404


def test_an_attached_file_can_be_kept_when_correcting(client, aoba, version_of, now, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.samples import pdf_bytes

    from madoguchi.procedures.schema_export import example_answers

    version = version_of(aoba, "jido-teate")
    upload = SimpleUploadedFile("保険証.pdf", pdf_bytes(), "application/pdf")
    result = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version,
        answers=example_answers(version.definition),
        files={"health_insurance_copy": [upload]},
        idempotency_key="c9",
        now=now,
    )
    case_request_correction(staff=staff, case=result.case, message="口座を確認してください。")
    look_up(client, result)
    page = client.get("/status/correct/")
    assert page.status_code == 200
    form = {}
    for key, value in result.case.answers.items():
        if isinstance(value, dict):
            form.update({f"{key}.{part}": v for part, v in value.items()})
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            continue
        elif value is True:
            form[key] = "true"
        else:
            form[key] = value
    form["health_insurance_copy.keep"] = "1"
    response = client.post("/status/correct/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.post("/status/correct/confirm/").status_code == 302
    case = Case.objects.for_municipality(result.case.municipality).get(pk=result.case.pk)
    assert case.answers["health_insurance_copy"] == result.case.answers["health_insurance_copy"]


def current(submitted) -> Case:
    return Case.objects.for_municipality(submitted.case.municipality).get(pk=submitted.case.pk)


def test_the_request_and_the_correct_button_stand_together_above_the_documents(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="電話番号をご確認ください。")
    page = look_up(client, submitted).content.decode()
    panel = page.split('data-testid="correction-request"', 1)[1].split("</section>", 1)[0]
    assert "電話番号をご確認ください。" in panel and 'href="/status/correct/"' in panel
    assert page.index('data-testid="correction-request"') < page.index('id="documents-title"')


def test_nothing_is_stored_before_the_resident_confirms(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="電話番号をご確認ください。")
    look_up(client, submitted)
    client.post("/status/correct/", form_data(phone="090-1111-2222", reply="番号を直しました。"))
    page = client.get("/status/correct/confirm/").content.decode()
    assert current(submitted).status == CaseStatus.CORRECTION_REQUESTED
    changes = page.split('data-testid="correction-changes"', 1)[1].split("</section>", 1)[0]
    assert "029-200-1234" in changes and "090-1111-2222" in changes
    assert "番号を直しました。" in page


def test_the_reply_reaches_the_timeline_and_the_audit_says_what_changed(client, submitted, staff):
    from madoguchi.audit.models import AuditEntry
    from madoguchi.cases.models import CaseEvent

    case_request_correction(staff=staff, case=submitted.case, message="電話番号をご確認ください。")
    look_up(client, submitted)
    client.post("/status/correct/", form_data(phone="090-1111-2222", reply="番号を直しました。"))
    client.post("/status/correct/confirm/")
    case = current(submitted)
    event = CaseEvent.objects.for_municipality(case.municipality).get(case=case, kind="corrected")
    assert event.message == "番号を直しました。" and event.data["changed"] == ["phone"]
    entry = AuditEntry.objects.for_municipality(case.municipality).filter(event="cases.case.corrected").get()
    assert entry.payload == {"version": 2, "changed": ["phone"], "has_reply": True}


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def test_the_residents_own_reply_is_not_shown_as_a_message_from_the_municipality(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="電話番号をご確認ください。")
    look_up(client, submitted)
    client.post("/status/correct/", form_data(phone="090-1111-2222", reply="番号を直しました。"))
    client.post("/status/correct/confirm/")
    page = client.get("/status/").content.decode()
    notices, own = section(page, "notices"), section(page, "own-messages")
    assert "自治体からの連絡" in notices and "電話番号をご確認ください。" in notices
    assert "番号を直しました。" not in notices and "申請者による補正" not in notices
    assert "あなたから自治体への連絡" in own and "申請者による補正" in own and "番号を直しました。" in own
    english = client.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your messages to the municipality" in english


def test_a_staff_member_called_resident_still_writes_as_the_municipality(client, submitted, aoba):
    user = get_user_model().objects.create_user("resident", password="x-long-password-1")
    named = StaffContext(user_id=user.pk, username="resident", municipality=aoba, grants=frozenset({(None, "admin")}))
    case_request_correction(staff=named, case=submitted.case, message="氏名をご確認ください。")
    page = look_up(client, submitted).content.decode()
    assert "氏名をご確認ください。" in section(page, "notices")
    assert 'data-testid="own-messages"' not in page


def test_a_withdrawal_reason_is_the_residents_own_too(client, submitted):
    from madoguchi.cases.workflow import case_resident_withdraw

    case_resident_withdraw(case=submitted.case, message="別の窓口で申請しました。")
    page = look_up(client, submitted).content.decode()
    assert "別の窓口で申請しました。" in section(page, "own-messages")
    assert 'data-testid="notices"' not in page


def test_going_back_from_the_confirmation_keeps_what_was_typed(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="確認してください。")
    look_up(client, submitted)
    client.post("/status/correct/", form_data(phone="090-1111-2222", reply="直しました"))
    page = client.get("/status/correct/").content.decode()
    assert 'value="090-1111-2222"' in page and ">直しました</textarea>" in page


def test_wareki_and_full_width_brackets_come_back_as_typed(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="住所を確認してください。")
    look_up(client, submitted)
    client.post("/status/correct/", form_data(birth_date="昭和55年1月2日", **{"address.building": "青葉荘（2階）"}))
    confirm = client.get("/status/correct/confirm/").content.decode()
    assert "青葉荘（2階）" in confirm
    client.post("/status/correct/confirm/")
    case = current(submitted)
    assert case.answers["birth_date"] == "1980-01-02"
    assert "（" not in case.answers["address"]["building"]  # stored clean for staff and search
    case_request_correction(staff=staff, case=case, message="もう一度確認してください。")
    form = client.get("/status/correct/").content.decode()
    assert 'value="昭和55年1月2日"' in form and 'value="青葉荘（2階）"' in form
    status = client.get("/status/").content.decode()
    assert "青葉荘（2階）" in status


def test_a_notation_is_kept_only_when_it_means_the_stored_answer(aoba):
    from datetime import date

    from madoguchi.procedures.notation import notation_entered
    from madoguchi.procedures.selectors import procedure_get

    definition = procedure_get(municipality=aoba, slug="inkan-certificate").current_version.definition
    kept = notation_entered(
        definition,
        {"birth_date": "昭和55年1月2日", "phone": "029-200-1234"},
        {"birth_date": "1980-01-02", "phone": "029-200-1234"},
        today=date(2026, 6, 1),
    )
    assert kept == {"birth_date": "昭和55年1月2日"}
    hidden = notation_entered(
        definition,
        {"birth_date": "昭和55年1月2日\u202e"},
        {"birth_date": "1980-01-02"},
        today=date(2026, 6, 1),
    )
    assert hidden == {"birth_date": "昭和55年1月2日"}  # the bidi control is never kept
    other = notation_entered(
        definition, {"birth_date": "昭和55年1月3日"}, {"birth_date": "1980-01-02"}, today=date(2026, 6, 1)
    )
    assert other == {}


def test_the_confirmation_page_needs_a_looked_up_case_and_a_checked_correction(client, submitted, staff):
    case_request_correction(staff=staff, case=submitted.case, message="確認してください。")
    assert client.get("/status/correct/confirm/").status_code == 404
    assert client.post("/status/correct/confirm/").status_code == 404
    look_up(client, submitted)
    response = client.post("/status/correct/confirm/")  # nothing checked yet: back to the form
    assert response.status_code == 302 and response["Location"] == "/status/correct/"
    assert current(submitted).status == CaseStatus.CORRECTION_REQUESTED
