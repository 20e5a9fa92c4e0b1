"""The page a resident sees while the database cannot serve: 503, their language, accessible.

The live server's database refuses writes for real. PostgreSQL: the database defaults to
read-only and the server's sessions are ended, so they reconnect read-only. SQLite (the test
database is in memory, shared by the server's connections): the test holds the write lock, as
a long write by another process would. A status look-up then cannot remember the case in the
session and the resident gets the "temporarily unavailable" page, not an error or a 429.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from django.db import connection
from playwright.sync_api import expect
from tests.cases.test_submit import INKAN
from tests.e2e.conftest import axe_check
from tests.e2e.resident import switch_language
from tests.resident_signing import case_submit_as_resident

from madoguchi.procedures.selectors import procedure_get


def _end_other_sessions(cursor, name: str) -> None:
    cursor.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
    )


@contextmanager
def writes_refused_for_the_server():
    if connection.vendor == "sqlite":
        # A connection of its own: the server may share the test's connection or have its own.
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        _end_other_sessions(cursor, name)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
            _end_other_sessions(cursor, name)


def submitted_case(municipalities) -> tuple[str, str]:
    aoba = municipalities[0]
    version = procedure_get(municipality=aoba, slug="inkan-certificate").current_version
    result = case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key="e2e-outage")
    return result.case.receipt_number, result.access_code


def look_up(page, receipt_number: str, access_code: str):
    page.locator("#receipt_number").fill(receipt_number)
    page.locator("#access_code").fill(access_code)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("main form button[type=submit]").click()
    return answer.value


def test_a_resident_sees_an_accessible_unavailable_page_in_their_language(page, municipalities):
    receipt_number, access_code = submitted_case(municipalities)
    page.goto("/status/")
    with writes_refused_for_the_server():
        response = look_up(page, receipt_number, access_code)
        assert response.status == 503
        assert response.headers["retry-after"] == "30"
        expect(page.locator("h1")).to_have_text("一時的にご利用いただけません")
        expect(page.locator("main")).to_contain_text("入力された内容は送信されていません")
        axe_check(page)

    page.goto("/status/")
    switch_language(page, "en")
    with writes_refused_for_the_server():
        response = look_up(page, receipt_number, access_code)
        assert response.status == 503
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("Temporarily unavailable")
        axe_check(page)
