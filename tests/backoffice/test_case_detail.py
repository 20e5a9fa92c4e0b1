"""A case's page (/staff/cases/<receipt>/): answers, earlier answers, attachments, timeline
and the actions, each through the views as a signed-in staff member would use them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone
from tests.backoffice.casework import (
    INKAN,
    complete_route,
    log_in_verified,
    staff,
    submit,
    submit_inkan,
    submit_jido_teate,
    submit_sodai_gomi,
    user,
)
from tests.samples import pdf_bytes, png_bytes

from madoguchi.audit.models import AuditEntry
from madoguchi.cases import workflow
from madoguchi.cases.models import Attachment, Case, CaseStatus

S = CaseStatus


def url(case) -> str:
    return f"/staff/cases/{case.receipt_number}/"


def action_url(case, action: str) -> str:
    return f"{url(case)}actions/{action}/"


def attachment_of(case) -> Attachment:
    return Attachment.objects.for_municipality(case.municipality).get(case=case)


def reload(case) -> Case:
    return Case.objects.for_municipality(case.municipality).get(pk=case.pk)


def audit_events(case) -> list[str]:
    return list(
        AuditEntry.objects.for_municipality(case.municipality)
        .filter(object_id=case.receipt_number)
        .order_by("sequence")
        .values_list("event", flat=True)
    )


@pytest.fixture
def case(aoba, version_of, now):
    return submit_inkan(aoba, version_of, now=now)


@pytest.fixture
def clerk(client, aoba, login_staff):
    login_staff(client, "aoba-clerk")
    return staff("aoba-clerk")


@pytest.fixture
def approver(client, aoba, login_staff):
    login_staff(client, "aoba-approver")
    return staff("aoba-approver")


def test_the_case_page_shows_the_current_answers(client, case, clerk):
    response = client.get(url(case))
    page = response.content.decode()
    assert response.status_code == 200
    assert "印鑑登録証明書の交付請求" in page
    assert "山田 花子（ヤマダ ハナコ）" in page
    assert "昭和55年1月2日" in page
    assert "〒310-0015 茨城県青葉市中央一丁目2番3号" in page
    assert 'data-testid="status">受付済み<' in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_opening_the_case_page_is_audited(client, case, clerk):
    client.get(url(case))
    client.get(url(case))
    assert audit_events(case) == ["cases.case.submitted", "backoffice.case.viewed", "backoffice.case.viewed"]
    entry = AuditEntry.objects.for_municipality(case.municipality).order_by("-sequence").first()
    assert entry.actor == "staff:aoba-clerk" and entry.payload == {}


def test_a_full_width_receipt_number_in_the_address_finds_the_case(client, case, clerk):
    full_width = case.receipt_number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert client.get(f"/staff/cases/{full_width}/").status_code == 200


def test_after_a_correction_the_page_shows_the_new_answers_and_lists_the_earlier_ones(client, case, clerk, now):
    workflow.case_request_correction(staff=clerk, case=case, message="電話番号を確認してください。", now=now)
    workflow.case_correct(case=reload(case), answers={**INKAN, "phone": "029-200-9999"}, now=now)
    page = client.get(url(case)).content.decode()
    current = page.split('data-testid="corrections"', 1)[0]
    earlier = page.split('id="h-versions"', 1)[1]
    assert "029-200-9999" in current and "029-200-1234" not in current
    assert "<summary>第1版" in earlier
    assert "029-200-1234" in earlier
    assert "電話番号を確認してください。" in page  # the request, on the timeline


def test_the_page_shows_what_each_correction_changed_and_the_reply(client, case, clerk, now):
    """Issue 12, item 8: field by field, old → new, with the applicant's reply."""
    workflow.case_request_correction(staff=clerk, case=case, message="電話番号を確認してください。", now=now)
    workflow.case_correct(
        case=reload(case), answers={**INKAN, "phone": "029-200-9999"}, reply="番号が違っていました。", now=now
    )
    page = client.get(url(case)).content.decode()
    section = page.split('data-testid="corrections"', 1)[1].split("</section>", 1)[0]
    row = section.split('data-testid="change-phone"', 1)[1].split("</tr>", 1)[0]
    assert "<del>029-200-1234</del>" in row and "<ins>029-200-9999</ins>" in row
    assert section.count('data-testid="change-') == 1  # only what changed
    assert "番号が違っていました。" in section
    assert "第1版 → 第2版" in section


def test_the_page_shows_the_timeline(client, case, clerk, now):
    workflow.case_assign(staff=clerk, case=case, assignee_id=clerk.user_id, now=now)
    workflow.case_comment(staff=clerk, case=case, message="窓口で本人確認済み", now=now)
    timeline = client.get(url(case)).content.decode().split('data-testid="timeline"', 1)[1]
    assert timeline.index("受付済み") < timeline.index("窓口で本人確認済み")
    assert "aoba-clerk" in timeline
    assert "受付済み → 審査中" in timeline


def test_attachments_are_listed_with_view_and_download_links(client, aoba, version_of, now, clerk):
    case = submit_jido_teate(aoba, version_of, now=now)
    attachment = attachment_of(case)
    page = client.get(url(case)).content.decode()
    assert "保険証.pdf" in page
    assert f'href="{url(case)}attachments/{attachment.pk}/"' in page
    assert f'href="{url(case)}attachments/{attachment.pk}/?download=1"' in page


def test_viewing_an_attachment_serves_its_bytes_inline_and_is_audited(client, aoba, version_of, now, clerk):
    content = pdf_bytes("inline view")
    case = submit_jido_teate(aoba, version_of, now=now, content=content)
    attachment = attachment_of(case)
    response = client.get(f"{url(case)}attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E4%BF%9D%E9%99%BA%E8%A8%BC.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert audit_events(case)[-1] == "backoffice.attachment.viewed"


def test_downloading_an_attachment_serves_it_as_a_file_and_is_audited(client, aoba, version_of, now, clerk):
    content = pdf_bytes("download")
    case = submit_jido_teate(aoba, version_of, now=now, content=content)
    response = client.get(f"{url(case)}attachments/{attachment_of(case).pk}/", {"download": "1"})
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert audit_events(case)[-1] == "backoffice.attachment.downloaded"


def test_an_image_attachment_is_served_with_its_type(client, aoba, version_of, now, login_staff):
    login_staff(client, "aoba-admin")  # 粗大ごみ is 環境課's
    photo = png_bytes(3, 3)
    case = submit_sodai_gomi(aoba, version_of, now=now, photo=photo)
    response = client.get(f"{url(case)}attachments/{attachment_of(case).pk}/")
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == photo
    assert response["Content-Disposition"].startswith("inline;")


def test_an_attachment_of_another_case_is_not_found_through_this_case(client, aoba, version_of, now, clerk, case):
    other = submit_jido_teate(aoba, version_of, now=now)
    assert client.get(f"{url(case)}attachments/{attachment_of(other).pk}/").status_code == 404
    assert client.get(f"{url(case)}attachments/999999/").status_code == 404
    assert audit_events(other) == ["cases.case.submitted"]


def test_a_clerk_sees_the_forms_for_a_new_case_but_not_the_decision(client, case, clerk):
    page = client.get(url(case)).content.decode()
    for action in ("assign", "comment", "start_review", "request_correction", "withdraw"):
        assert f'action="{action_url(case, action)}"' in page
    for action in ("approve", "reject", "complete"):
        assert f'action="{action_url(case, action)}"' not in page


def test_an_approver_sees_the_decision_forms_once_the_route_is_complete(client, case, approver):
    workflow.case_start_review(staff=approver, case=case)
    assert f'action="{action_url(case, "approve")}"' not in client.get(url(case)).content.decode()
    complete_route(case, now=timezone.now())
    page = client.get(url(case)).content.decode()
    assert f'action="{action_url(case, "approve")}"' in page
    assert f'action="{action_url(case, "reject")}"' in page
    assert f'action="{action_url(case, "start_review")}"' not in page


def test_starting_the_review_redirects_back_with_a_message(client, case, clerk):
    response = client.post(action_url(case, "start_review"))
    assert response.status_code == 302 and response["Location"] == url(case)
    assert reload(case).status == S.IN_REVIEW
    page = client.get(url(case)).content.decode()
    assert "審査を開始しました。" in page
    assert 'data-testid="status">審査中<' in page


def test_assigning_to_oneself_and_to_a_colleague(client, case, clerk):
    client.post(action_url(case, "assign"), {"assignee": "me"})
    assert reload(case).assignee_id == clerk.user_id
    reviewer = user("aoba-reviewer")
    assert f'<option value="{reviewer.pk}">aoba-reviewer</option>' in client.get(url(case)).content.decode()
    client.post(action_url(case, "assign"), {"assignee": str(reviewer.pk)})
    assert reload(case).assignee == reviewer
    client.post(action_url(case, "assign"), {"assignee": "none"})
    assert reload(case).assignee is None


def test_assigning_to_someone_outside_the_department_shows_an_error(client, aoba, case, clerk, staff_member):
    outsider = staff_member("aoba-kankyo", aoba, department="kankyo")
    assert f'value="{outsider.pk}"' not in client.get(url(case)).content.decode()
    response = client.post(action_url(case, "assign"), {"assignee": str(outsider.pk)})
    assert response.status_code == 400
    assert 'id="f-assign-error"' in response.content.decode()
    assert reload(case).assignee is None


def test_a_correction_request_without_a_message_is_shown_again_with_an_error(client, case, clerk):
    response = client.post(action_url(case, "request_correction"), {"message": "  "})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page and 'href="#f-request_correction-message"' in page
    assert 'id="f-request_correction-error"' in page and 'aria-invalid="true"' in page
    assert reload(case).status == S.SUBMITTED


def test_a_correction_request_with_a_message_is_sent(client, case, clerk):
    response = client.post(action_url(case, "request_correction"), {"message": "住所の番地を確認してください。"})
    assert response.status_code == 302
    assert reload(case).status == S.CORRECTION_REQUESTED


def test_a_rejection_without_a_reason_keeps_the_case_in_review(client, case, approver):
    workflow.case_start_review(staff=approver, case=case)
    complete_route(case, now=timezone.now())
    response = client.post(action_url(case, "reject"), {"message": ""})
    assert response.status_code == 400
    assert 'id="f-reject-error"' in response.content.decode()
    assert reload(case).status == S.IN_REVIEW


def test_approve_complete_through_the_views(client, case, approver):
    client.post(action_url(case, "start_review"))
    complete_route(case, now=timezone.now())
    assert client.post(action_url(case, "approve"), {"message": ""}).status_code == 302
    assert reload(case).status == S.APPROVED
    assert client.post(action_url(case, "complete")).status_code == 302
    assert reload(case).status == S.COMPLETED
    assert reload(case).closed_at is not None


def test_reject_with_a_reason_through_the_view(client, case, approver):
    client.post(action_url(case, "start_review"))
    complete_route(case, now=timezone.now())
    client.post(action_url(case, "reject"), {"message": "対象外の申請です。"})
    assert reload(case).status == S.REJECTED


def test_withdraw_and_comment_through_the_views(client, case, clerk):
    assert client.post(action_url(case, "comment"), {"message": "電話あり"}).status_code == 302
    assert client.post(action_url(case, "withdraw"), {"message": "電話で取下げ"}).status_code == 302
    assert reload(case).status == S.WITHDRAWN
    page = client.get(url(case)).content.decode()
    assert "電話あり" in page and "電話で取下げ" in page


def test_an_approval_by_a_clerk_is_not_found(client, case, clerk):
    workflow.case_start_review(staff=clerk, case=case)
    assert client.post(action_url(case, "approve")).status_code == 404
    assert reload(case).status == S.IN_REVIEW


def test_an_action_the_status_does_not_allow_is_a_conflict(client, case, approver):
    response = client.post(action_url(case, "approve"))
    page = response.content.decode()
    assert response.status_code == 409
    assert "受付済み" in page and f'href="{url(case)}"' in page
    assert reload(case).status == S.SUBMITTED


def test_an_unknown_action_is_not_found_and_actions_are_post_only(client, case, clerk):
    assert client.post(action_url(case, "delete")).status_code == 404
    assert client.get(action_url(case, "start_review")).status_code == 405
    assert reload(case).status == S.SUBMITTED


def test_actions_need_the_csrf_token(aoba, case):
    client = Client(enforce_csrf_checks=True)
    log_in_verified(client, user("aoba-clerk"))
    assert client.post(action_url(case, "start_review")).status_code == 403
    assert reload(case).status == S.SUBMITTED
    page = client.get(url(case)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(action_url(case, "start_review"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert reload(case).status == S.IN_REVIEW


def test_the_case_page_shows_the_fee_of_the_copies_asked_for(client, aoba, version_of, now, clerk):
    case = submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers={**INKAN, "copies": "2"})

    page = client.get(url(case)).content.decode()

    assert "合計 600円" in page
    assert "300円 × 2" in page
    assert "受け取るときに窓口で支払う" in page
