"""The staff queue (/staff/): filters, search, department restriction, keyset pagination,
due-date badges, and a page cost that does not grow with the number of cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.backoffice.casework import (
    log_in_verified,
    staff,
    submit_inkan,
    submit_jido_teate,
    submit_sodai_gomi,
    user,
)

from madoguchi.cases import workflow
from madoguchi.cases.selectors import QueueFilters, case_queue
from madoguchi.tenants.models import Role, StaffMembership

URL = "/staff/"
RECEIPT = re.compile(r"\d{6}-\d{4}-\d{6}")
KATO = {"family": "加藤", "given": "一郎", "family_kana": "カトウ", "given_kana": "イチロウ"}


def receipts(page: str) -> list[str]:
    """Return the receipt numbers in the queue table, in order."""
    table = page.split('data-testid="queue"', 1)[1] if 'data-testid="queue"' in page else ""
    return list(dict.fromkeys(RECEIPT.findall(table)))


def queue(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def clerk(client, aoba, login_staff):
    login_staff(client, "aoba-clerk")
    return staff("aoba-clerk")


def test_the_queue_lists_cases_newest_first_with_procedure_status_due_date_and_assignee(
    client, aoba, version_of, clerk, now
):
    older = submit_inkan(aoba, version_of, now=now - timedelta(days=1))
    newer = submit_jido_teate(aoba, version_of, now=now)
    workflow.case_assign(staff=clerk, case=older, assignee_id=clerk.user_id)
    page = queue(client)
    assert receipts(page) == [newer.receipt_number, older.receipt_number]
    assert f'href="/staff/cases/{older.receipt_number}/"' in page
    assert "印鑑登録証明書の交付請求" in page and "児童手当" in page
    assert "審査中" in page and "受付済み" in page
    assert older.due_date.isoformat() in page
    assert "<td>aoba-clerk</td>" in page  # the assignee
    assert "未割当" in page
    assert "2026-06-14 10:00" in page  # submitted, in Japan time


def test_the_queue_never_shows_the_applicants_name(client, aoba, version_of, clerk, now):
    submit_inkan(aoba, version_of, now=now)
    page = queue(client)
    assert "山田" not in page and "ヤマダ" not in page


def test_the_queue_shows_procedure_titles_in_english_on_request(client, aoba, version_of, clerk, now):
    submit_inkan(aoba, version_of, now=now)
    page = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "Request for a certificate of registered seal" in page
    assert '<html lang="en">' in page


def test_a_clerk_sees_only_cases_of_their_departments(client, aoba, minatogawa, version_of, clerk, now):
    inkan = submit_inkan(aoba, version_of, now=now)
    jido = submit_jido_teate(aoba, version_of, now=now)
    gomi = submit_sodai_gomi(aoba, version_of, now=now)
    other_city = submit_inkan(minatogawa, version_of, now=now)
    page = queue(client)
    assert sorted(receipts(page)) == sorted([inkan.receipt_number, jido.receipt_number])
    assert gomi.receipt_number not in page and other_city.receipt_number not in page
    assert "粗大ごみ" not in page  # not even among the procedures to filter by


def test_an_admin_sees_every_department_of_their_municipality(client, aoba, minatogawa, version_of, now, login_staff):
    login_staff(client, "aoba-admin")
    gomi = submit_sodai_gomi(aoba, version_of, now=now)
    inkan = submit_inkan(aoba, version_of, now=now)
    submit_inkan(minatogawa, version_of, now=now)
    assert sorted(receipts(queue(client))) == sorted([gomi.receipt_number, inkan.receipt_number])


def test_the_queue_filters_by_procedure(client, aoba, version_of, clerk, now):
    inkan = submit_inkan(aoba, version_of, now=now)
    submit_jido_teate(aoba, version_of, now=now)
    page = queue(client, procedure="inkan-certificate")
    assert receipts(page) == [inkan.receipt_number]
    assert '<option value="inkan-certificate" selected>' in page


def test_the_queue_filters_by_status_and_open(client, aoba, version_of, clerk, now):
    submitted = submit_inkan(aoba, version_of, now=now)
    in_review = workflow.case_start_review(staff=clerk, case=submit_inkan(aoba, version_of, now=now))
    withdrawn = workflow.case_withdraw(staff=clerk, case=submit_inkan(aoba, version_of, now=now))
    assert receipts(queue(client, status="in_review")) == [in_review.receipt_number]
    assert receipts(queue(client, status="withdrawn")) == [withdrawn.receipt_number]
    assert sorted(receipts(queue(client, status="open"))) == sorted(
        [submitted.receipt_number, in_review.receipt_number]
    )
    assert len(receipts(queue(client, status="nonsense"))) == 3


def test_the_queue_filters_by_assignee(client, aoba, version_of, clerk, now):
    reviewer = user("aoba-reviewer")
    mine = workflow.case_assign(staff=clerk, case=submit_inkan(aoba, version_of, now=now), assignee_id=clerk.user_id)
    workflow.case_assign(staff=clerk, case=submit_inkan(aoba, version_of, now=now), assignee_id=reviewer.pk)
    nobodys = submit_inkan(aoba, version_of, now=now)
    assert receipts(queue(client, assignee="me")) == [mine.receipt_number]
    assert receipts(queue(client, assignee="none")) == [nobodys.receipt_number]
    assert len(receipts(queue(client))) == 3


def test_overdue_and_due_soon_cases_are_badged_and_filtered(client, aoba, version_of, clerk):
    today = timezone.now()
    overdue = submit_inkan(aoba, version_of, now=today - timedelta(days=30))
    closed_overdue = workflow.case_withdraw(
        staff=clerk, case=submit_inkan(aoba, version_of, now=today - timedelta(days=30))
    )
    soon = submit_inkan(aoba, version_of, now=today)  # 3 business days: due soon
    later = submit_jido_teate(aoba, version_of, now=today)  # 30 business days
    page = queue(client)
    rows = {number: row for number, row in re.findall(r'(\d{6}-\d{4}-\d{6})/"(.*?)</tr>', page, re.S)}
    assert 'data-testid="overdue"' in rows[overdue.receipt_number]
    assert 'data-testid="due-soon"' in rows[soon.receipt_number]
    for quiet in (closed_overdue, later):
        assert "data-testid" not in rows[quiet.receipt_number].replace('data-testid="queue"', "")
    assert receipts(queue(client, due="overdue")) == [overdue.receipt_number]
    assert receipts(queue(client, due="soon")) == [soon.receipt_number]


@pytest.fixture
def named_cases(aoba, version_of, now):
    yamada = submit_inkan(aoba, version_of, now=now)
    kato = submit_inkan(aoba, version_of, now=now, name=KATO)
    return yamada, kato


@pytest.mark.parametrize(
    "query",
    ["山田", "山田 花子", "山田花子", "やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "やまだ　はなこ", "ハナコ", "ﾊﾅｺ"],
)
def test_search_by_name_or_furigana_in_any_kana_or_width(client, named_cases, clerk, query):
    yamada, _kato = named_cases
    assert receipts(queue(client, q=query)) == [yamada.receipt_number]


def test_search_by_receipt_number_in_any_width(client, named_cases, clerk):
    _yamada, kato = named_cases
    assert receipts(queue(client, q=kato.receipt_number)) == [kato.receipt_number]
    full_width = kato.receipt_number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert receipts(queue(client, q=f" {full_width} ")) == [kato.receipt_number]


def test_search_by_the_end_of_a_receipt_number_finds_the_case(client, named_cases, clerk):
    """Issue 12: 「000008」 (the sequence, as read off a letter) finds the case."""
    yamada, kato = named_cases
    sequence = kato.receipt_number.rsplit("-", 1)[1]
    assert receipts(queue(client, q=sequence)) == [kato.receipt_number]
    assert receipts(queue(client, q=str(int(sequence)))) == [kato.receipt_number]
    year_and_sequence = kato.receipt_number.split("-", 1)[1]
    assert receipts(queue(client, q=year_and_sequence)) == [kato.receipt_number]
    assert receipts(queue(client, q=f"{kato.fiscal_year - 1}-{sequence}")) == []
    assert yamada.receipt_number not in receipts(queue(client, q=sequence))


def test_search_that_matches_nothing_says_so(client, named_cases, clerk):
    page = queue(client, q="佐藤")
    assert receipts(page) == []
    assert "条件に合う申請はありません。" in page


def test_case_queue_pages_through_every_case_once(aoba, version_of, now):
    clerk = staff("aoba-clerk")
    expected = []
    for i in range(11):
        # Pairs share a submission time, so the id must break the tie.
        expected.append(submit_inkan(aoba, version_of, now=now + timedelta(minutes=i // 2)).receipt_number)
    seen, cursor = [], ""
    for _page in range(10):
        page = case_queue(staff=clerk, filters=QueueFilters(), cursor=cursor, today=now.date(), size=3)
        seen += [case.receipt_number for case in page.cases]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(expected))


def test_case_queue_pages_through_filtered_cases(aoba, version_of, now):
    clerk = staff("aoba-clerk")
    inkan = [submit_inkan(aoba, version_of, now=now + timedelta(minutes=i)) for i in range(5)]
    for _ in range(3):
        submit_jido_teate(aoba, version_of, now=now)
    filters = QueueFilters(procedure="inkan-certificate")
    first = case_queue(staff=clerk, filters=filters, today=now.date(), size=2)
    second = case_queue(staff=clerk, filters=filters, cursor=first.next_cursor, today=now.date(), size=2)
    third = case_queue(staff=clerk, filters=filters, cursor=second.next_cursor, today=now.date(), size=2)
    assert [c.pk for c in first.cases + second.cases + third.cases] == [c.pk for c in reversed(inkan)]
    assert third.next_cursor is None


def test_the_queue_view_pages_with_a_next_link_without_duplicates_or_gaps(client, aoba, version_of, clerk, now):
    expected = {submit_inkan(aoba, version_of, now=now + timedelta(seconds=i)).receipt_number for i in range(53)}
    page = queue(client, status="open")
    first = receipts(page)
    assert len(first) == 50
    next_url = re.search(r'href="(\?[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "status=open" in next_url and "cursor=" in next_url
    page = client.get(URL + next_url).content.decode()
    second = receipts(page)
    assert len(second) == 3
    assert 'rel="next"' not in page
    assert set(first) | set(second) == expected and not set(first) & set(second)
    assert "最初のページ" in page


def test_a_damaged_cursor_shows_the_first_page(client, aoba, version_of, clerk, now):
    case = submit_inkan(aoba, version_of, now=now)
    assert receipts(queue(client, cursor="not-a-cursor")) == [case.receipt_number]


def test_the_queue_page_does_not_cost_more_queries_with_more_cases(
    client, aoba, version_of, clerk, now, django_assert_max_num_queries
):
    reviewer = user("aoba-reviewer")

    def add(count):
        for i in range(count):
            case = submit_inkan(aoba, version_of, now=now) if i % 2 else submit_jido_teate(aoba, version_of, now=now)
            if i % 3 == 0:
                assignee = clerk.user_id if i % 2 else reviewer.pk
                workflow.case_assign(staff=clerk, case=case, assignee_id=assignee)

    add(5)
    queue(client)  # the session settles
    with CaptureQueriesContext(connection) as five:
        assert len(receipts(queue(client))) == 5
    add(25)
    with django_assert_max_num_queries(len(five)):
        assert len(receipts(queue(client))) == 30


def test_the_page_shows_the_staff_member_and_their_municipality(client, aoba, clerk):
    page = queue(client)
    assert "Madoguchi 職員" in page
    assert 'data-testid="municipality">青葉市<' in page
    assert 'data-testid="staff-name">aoba-clerk<' in page
    assert 'action="/staff/logout/" method="post"' in page
    assert 'href="#main"' in page and '<main id="main"' in page


def test_a_user_with_memberships_in_two_municipalities_is_not_let_in(client, aoba, minatogawa, staff_member):
    member = staff_member("aoba-and-minatogawa", aoba)
    StaffMembership.objects.for_municipality(minatogawa).create(municipality=minatogawa, user=member, role=Role.ADMIN)
    log_in_verified(client, member)
    assert client.get(URL).status_code == 302
