"""The completion page says what happens next, in the same words as the 受付 e-mail (issue 12, item 4)."""

from __future__ import annotations

import html
import re

from tests.portal.test_apply_views import BASE, fill_all_steps
from tests.resident_signing import post_signed_confirmation

from madoguchi.cases.models import Case
from madoguchi.notifications.models import Notification
from madoguchi.tenants.models import Municipality


def next_steps_on(page: str) -> list[str]:
    section = re.search(r'data-testid="next-steps">(.*?)</section>', page, re.S).group(1)
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", section, re.S)]


def submit_with(client, **delivery) -> str:
    fill_all_steps(client, **delivery)
    return post_signed_confirmation(client, BASE, follow=True).content.decode()


def test_the_completion_page_and_the_receipt_email_tell_the_same_next_steps(client, municipalities):
    page = submit_with(client, email="hanako@example.jp")
    aoba = Municipality.objects.get(code="082015")
    [case] = Case.objects.for_municipality(aoba)
    [receipt] = Notification.objects.for_municipality(aoba).filter(kind="submitted")
    steps = next_steps_on(page)
    assert steps[0].startswith("これから担当課でお申し込みの内容を審査します。標準処理期間は3開庁日です。")
    due = case.due_date
    assert f"{due.year}年{due.month}月{due.day}日までに結果をお知らせする予定です。" in steps[0]
    assert "メールと申請状況の確認ページでお知らせします" in steps[1]
    for line in steps:
        assert line in receipt.body
    assert "受付のお知らせをお送りします" in page
    assert case.receipt_number in receipt.body


def test_without_an_address_the_completion_page_promises_no_email(client, municipalities):
    page = submit_with(client)
    steps = next_steps_on(page)
    assert "申請状況の確認ページでお知らせします" in steps[1]
    assert "メール" not in " ".join(steps)
    assert "受付のお知らせをお送りします" not in page
    assert not Notification.objects.for_municipality(Municipality.objects.get(code="082015")).exists()


def test_the_completion_page_tells_the_next_steps_in_english(client, municipalities):
    client.cookies["madoguchi_language"] = "en"
    steps = next_steps_on(submit_with(client, email="hanako@example.jp"))
    assert steps[0].startswith("The office in charge will now review your application. ")
    assert "The standard processing period is 3 business days." in steps[0]
    assert "by e-mail and on the status page" in steps[1]


def test_the_expected_decision_date_reads_as_every_other_date_in_english(client, municipalities):
    """Issue 12: day, month name and year, as the status page writes dates, not Django's "Dec. 10, 2026"."""
    client.cookies["madoguchi_language"] = "en"
    steps = next_steps_on(submit_with(client, email="hanako@example.jp"))
    aoba = Municipality.objects.get(code="082015")
    [case] = Case.objects.for_municipality(aoba)
    [receipt] = Notification.objects.for_municipality(aoba).filter(kind="submitted")
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]  # fmt: skip
    due = case.due_date
    expected = f"We expect to decide by {due.day} {months[due.month - 1]} {due.year}."
    assert expected in steps[0]
    assert expected in receipt.body
