"""Hand-over that reaches the resident (issue 13, item 6): an optional e-mail address, a reference
on screen and in an acknowledgement, and staff's answer e-mailed through the notifications outbox
in the resident's language — delivered to a real SMTP server, the same from the API (the chat)
and from the page without JavaScript; the address kept only until it is no longer needed."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from tests.backoffice.casework import log_in_verified, user
from tests.notifications.conftest import smtp_down, smtp_server  # noqa: F401 - fixtures

from madoguchi.assistant.inquiries import INQUIRY_EMAIL_DAYS, inquiry_create, inquiry_emails_expire
from madoguchi.assistant.models import Inquiry, InquiryStatus
from madoguchi.audit.models import AuditEntry
from madoguchi.notifications.delivery import notifications_send_due
from madoguchi.notifications.models import Notification, NotificationStatus

REFERENCE = re.compile(r"^Q-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def subject(message) -> str:
    # a long non-ASCII subject is folded into encoded words; the parser keeps the fold's space
    return str(message["Subject"]).strip()


def as_staff(username: str) -> Client:
    client = Client()
    log_in_verified(client, user(username))
    return client


def staff_answers(inquiry: Inquiry, text: str) -> None:
    response = as_staff("aoba-admin").post(f"/staff/assistant/inquiries/{inquiry.public_id}/", {"answer": text})
    assert response.status_code == 302


def ask_by_api(client, municipality, body: dict) -> dict:
    url = f"/api/v1/municipalities/{municipality.code}/assistant/inquiries"
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_chat_path_acknowledges_with_a_reference_and_emails_the_answer_in_vietnamese(
    client,
    aoba,
    smtp_server,  # noqa: F811
):
    created = ask_by_api(
        client, aoba, {"question": "Tôi muốn hỏi về thuế cư trú", "email": "lan@example.jp", "language": "vi"}
    )
    assert REFERENCE.match(created["reference"]) and created["email_given"] is True
    assert notifications_send_due().sent == 1
    (ack,) = smtp_server.messages
    assert ack["To"] == "lan@example.jp"
    assert ack["Content-Language"] == "vi"
    assert subject(ack) == f"[Aoba City] Chúng tôi đã nhận câu hỏi của bạn (mã số {created['reference']})"
    assert "Tôi muốn hỏi về thuế cư trú" in ack.get_content()

    inquiry = Inquiry.objects.for_municipality(aoba).get(reference=created["reference"])
    staff_answers(inquiry, "Thuế cư trú được thanh toán 4 lần một năm.")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED
    assert inquiry.email == "" and inquiry.email_given  # the address is gone once the answer is queued
    assert notifications_send_due().sent == 1
    answer = smtp_server.messages[1]
    assert answer["To"] == "lan@example.jp"
    assert subject(answer) == f"[Aoba City] Câu trả lời cho câu hỏi của bạn (mã số {created['reference']})"
    body = answer.get_content().replace("\r\n", "\n")
    assert "Câu trả lời:\nThuế cư trú được thanh toán 4 lần một năm." in body
    # delivered: the outbox forgets the address too
    rows = Notification.objects.for_municipality(aoba).filter(reference=f"inquiry:{inquiry.public_id}")
    assert [(n.kind, n.status, n.to_address) for n in rows.order_by("created_at", "id")] == [
        ("inquiry_received", NotificationStatus.SENT, ""),
        ("inquiry_answered", NotificationStatus.SENT, ""),
    ]
    answered = AuditEntry.objects.for_municipality(aoba).get(event="assistant.inquiry.answered")
    assert answered.payload == {"emailed": True}


def test_the_page_without_javascript_behaves_the_same(aoba, smtp_server):  # noqa: F811
    page = Client().post(
        f"/{aoba.code}/assistant/",
        {"action": "inquiry", "question": "空き家の草刈りを頼みたい", "email": "taro@example.jp", "lang": "ja"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    inquiry = Inquiry.objects.for_municipality(aoba).get()
    assert REFERENCE.match(inquiry.reference)
    assert f'<strong data-testid="inquiry-reference">{inquiry.reference}</strong>' in html
    assert "質問を市役所に送りました" in html and "受付のお知らせをメールでお送りしました。" in html
    assert "ご意見ありがとうございました" not in html
    assert notifications_send_due().sent == 1
    assert subject(smtp_server.messages[0]) == f"【青葉市】お問い合わせを受け付けました（受付番号 {inquiry.reference}）"
    staff_answers(inquiry, "環境課が所有者の方にご連絡します。")
    notifications_send_due()
    body = smtp_server.messages[1].get_content().replace("\r\n", "\n")
    assert "■回答\n環境課が所有者の方にご連絡します。" in body
    assert f"受付番号：{inquiry.reference}" in body


def test_without_an_address_nothing_is_sent_and_the_resident_is_told_so(client, aoba, smtp_server):  # noqa: F811
    created = ask_by_api(client, aoba, {"question": "市長の好きな食べ物は？", "language": "ja"})
    assert created["email_given"] is False and REFERENCE.match(created["reference"])
    page = Client().post(f"/{aoba.code}/assistant/", {"action": "inquiry", "question": "同じ質問", "email": ""})
    assert "メールアドレスの入力がないため、回答はお送りできません。" in page.content.decode()
    for inquiry in Inquiry.objects.for_municipality(aoba):
        staff_answers(inquiry, "お電話でお伝えしました。")
    assert not Notification.objects.for_municipality(aoba).exists()
    assert notifications_send_due().sent == 0 and smtp_server.messages == []


def test_a_bad_address_is_refused_on_the_page_and_nothing_is_created(aoba):
    page = Client().post(
        f"/{aoba.code}/assistant/", {"action": "inquiry", "question": "質問です", "email": "not-an-address"}
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "メールアドレスを入力する場合は、正しい形式で入力してください。" in html
    assert 'value="not-an-address"' in html  # kept to correct
    assert not Inquiry.objects.for_municipality(aoba).exists()


def test_the_address_of_an_inquiry_never_answered_expires(aoba):
    inquiry = inquiry_create(municipality=aoba, question="q", email="a@example.jp")
    assert inquiry_emails_expire(municipality=aoba) == 0
    call_command("assistant", "expire-emails", stdout=io.StringIO())
    inquiry.refresh_from_db()
    assert inquiry.email == "a@example.jp"  # not yet 90 days
    later = timezone.now() + timedelta(days=INQUIRY_EMAIL_DAYS + 1)
    assert inquiry_emails_expire(municipality=aoba, now=later) == 1
    inquiry.refresh_from_db()
    assert inquiry.email == "" and inquiry.email_given


@pytest.mark.parametrize(
    "language", ["ja", "ja-x-easy", "en", "zh-Hans", "zh-Hant", "ko", "vi", "pt-BR", "tl", "ne", "id"]
)
def test_every_language_has_both_messages(aoba, language):
    from madoguchi.assistant.mail import MAIL_TEXTS, inquiry_mail

    assert set(MAIL_TEXTS[language]) == set(MAIL_TEXTS["ja"])
    for kind in ("received", "answered"):
        subject, body = inquiry_mail(
            kind=kind, language=language, municipality="M", reference="Q-AAAA-BBBB", question="QQ", answer="ANSWERTEXT"
        )
        assert "Q-AAAA-BBBB" in subject and "QQ" in body
        assert ("ANSWERTEXT" in body) == (kind == "answered")


def test_an_undeliverable_answer_keeps_its_address_and_is_shown_to_staff(aoba, smtp_down, settings):  # noqa: F811
    settings.MADOGUCHI_NOTIFY_MAX_ATTEMPTS = 1
    inquiry_create(municipality=aoba, question="質問", email="gone@example.jp")
    report = notifications_send_due()
    assert report.failed == 1 and report.unreachable
    failed = Notification.objects.for_municipality(aoba).get()
    assert (failed.status, failed.to_address) == (NotificationStatus.FAILED, "gone@example.jp")  # kept to retry
    page = as_staff("aoba-admin").get("/staff/notifications/")
    assert page.status_code == 200
    assert "お問い合わせの受付" in page.content.decode()
