"""Importing a city's FAQ as it is (issue 13, item 4): its own categories or none, the shapes of
municipal CMS exports with a column mapping, HTML answers cleaned, UTF-8 with BOM and CP932."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.backoffice.casework import log_in_verified, user

from madoguchi.assistant.answering import assistant_ask
from madoguchi.assistant.categories import category_labels
from madoguchi.assistant.csvio import FaqImportError, read_faq_csv
from madoguchi.assistant.importing import faq_import
from madoguchi.assistant.models import FaqCategory, FaqEntry, FaqTranslation
from madoguchi.assistant.selectors import faq_export_rows
from madoguchi.audit.models import AuditEntry

# As a municipal CMS exports its FAQ page: Japanese headers, no id, no language, HTML answers,
# a column the import does not need (閲覧数), categories of its own, one entry without.
CMS_CSV = (
    "質問,回答,分類,URL,更新日,閲覧数\r\n"
    "住民票の写しはどこで取れますか,"
    '"<div class=""faq-body""><h3>窓口</h3><p style=""color:red"">市民課で<span>取れます</span>。</p>'
    "<div>持ち物:<ul><li>本人確認書類</li><li>手数料300円</li></ul></div>"
    '<script>alert(1)</script><table><tr><th>受付</th><td>平日8時30分から</td></tr></table></div>",'
    "届出・証明,https://www.city.example.jp/faq/1.html,2024年4月1日 10:00,120\r\n"
    "粗大ごみの出し方を教えてください,電話で申し込んでください。,くらし・ごみ,https://www.city.example.jp/faq/2.html,"
    "2024/03/15,33\r\n"
    "市役所の駐車場はありますか,あります。,,,,5\r\n"
)
MAPPING = {"question": "質問", "answer": "回答", "category": "分類", "url": "URL", "updated": "更新日"}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_a_cms_export_in_bom_utf8_or_cp932_is_imported_with_a_column_mapping(aoba, encoding):
    rows = read_faq_csv(CMS_CSV.encode(encoding), columns=MAPPING)
    assert [row.line for row in rows] == [2, 3, 4]
    assert {row.language for row in rows} == {"ja"}
    result = faq_import(municipality=aoba, rows=rows, actor="test")
    assert len(result.created) == 3
    entries = {e.source_url: e for e in FaqEntry.objects.for_municipality(aoba)}
    first = entries["https://www.city.example.jp/faq/1.html"]
    assert first.category == "届出・証明"
    assert first.source_updated == datetime.date(2024, 4, 1)
    assert entries["https://www.city.example.jp/faq/2.html"].source_updated == datetime.date(2024, 3, 15)
    assert entries[""].category == ""  # no category is allowed
    # the city's categories were created, labelled in Japanese by the file's own text
    labels = category_labels(municipality=aoba, language="en")
    assert labels["届出・証明"] == "届出・証明" and labels["くらし・ごみ"] == "くらし・ごみ"


def test_html_answers_are_cleaned_to_paragraphs_and_lists_not_refused(aoba):
    faq_import(municipality=aoba, rows=read_faq_csv(CMS_CSV.encode("utf-8-sig"), columns=MAPPING), actor="test")
    html = FaqTranslation.objects.for_municipality(aoba).get(question__startswith="住民票").answer_html
    assert html == (
        "<p><strong>窓口</strong></p><p>市民課で取れます。</p><p>持ち物:</p>"
        "<ul><li>本人確認書類</li><li>手数料300円</li></ul><p>受付 平日8時30分から </p>"
    )
    exported = {row["question"]: row for row in faq_export_rows(municipality=aoba)}
    assert exported["住民票の写しはどこで取れますか"]["answer"] == (
        "窓口\n\n市民課で取れます。\n\n持ち物:\n\n・本人確認書類\n・手数料300円\n\n受付 平日8時30分から"
    )
    assert exported["住民票の写しはどこで取れますか"]["updated"] == "2024-04-01"


def test_a_long_html_answer_is_measured_by_its_text_not_its_markup(aoba):
    padded = '<div style="' + "x" * 6000 + '"><p>短い回答です。</p></div>'
    data = "question,answer\n" + 'q?,"' + padded.replace('"', '""') + '"\n'
    faq_import(municipality=aoba, rows=read_faq_csv(data.encode()), actor="test")
    assert FaqTranslation.objects.for_municipality(aoba).get().answer_html == "<p>短い回答です。</p>"


def test_common_japanese_headers_are_recognised_without_a_mapping(aoba):
    data = "質問,回答,カテゴリ,最終更新日\n開庁時間は？,平日です。,市役所,令和6年4月1日\n"
    (row,) = read_faq_csv(data.encode("cp932"))
    assert (row.question, row.category, row.updated, row.id) == ("開庁時間は？", "市役所", "令和6年4月1日", row.id)
    faq_import(municipality=aoba, rows=[row], actor="test")
    assert FaqEntry.objects.for_municipality(aoba).get().source_updated == datetime.date(2024, 4, 1)


def test_reimporting_a_file_without_ids_updates_the_same_entries(aoba):
    rows = read_faq_csv(CMS_CSV.encode(), columns=MAPPING)
    faq_import(municipality=aoba, rows=rows, actor="test")
    again = faq_import(municipality=aoba, rows=read_faq_csv(CMS_CSV.encode(), columns=MAPPING), actor="test")
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], 3)
    assert FaqCategory.objects.for_municipality(aoba).filter(key="届出・証明").count() == 1


def test_a_category_named_by_its_japanese_label_is_the_existing_one(aoba):
    # 青葉市 has the demo categories: 「税金」 is the label of "tax"
    data = "question,answer,category\n住民税は？,年4回です。,税金\n"
    faq_import(municipality=aoba, rows=read_faq_csv(data.encode()), actor="test")
    assert FaqEntry.objects.for_municipality(aoba).get().category == "tax"
    assert not FaqCategory.objects.for_municipality(aoba).filter(key="税金").exists()


def test_a_mapping_naming_a_header_the_file_lacks_is_refused_on_line_1():
    with pytest.raises(FaqImportError) as caught:
        read_faq_csv(CMS_CSV.encode(), columns={**MAPPING, "category": "カテゴリ"})
    assert [(line, e.field, e.code, e.params) for line, e in caught.value.errors] == [
        (1, "header", "missing_columns", {"columns": "カテゴリ"})
    ]


def test_real_errors_are_still_all_or_nothing_with_line_numbers(aoba):
    data = CMS_CSV + "税の質問,,税,,2024年13月1日,1\r\n"
    with pytest.raises(FaqImportError) as caught:
        faq_import(municipality=aoba, rows=read_faq_csv(data.encode("cp932"), columns=MAPPING), actor="test")
    assert [(line, e.field, e.code) for line, e in caught.value.errors] == [
        (5, "updated", "invalid_date"),
        (5, "answer", "required"),
    ]
    with translation.override("ja"):
        assert "「2024年13月1日」は日付ではありません" in str(caught.value)
    assert not FaqEntry.objects.for_municipality(aoba).exists()
    assert not FaqCategory.objects.for_municipality(aoba).filter(key="届出・証明").exists()


def test_the_command_takes_a_column_mapping(aoba, tmp_path):
    path = tmp_path / "faq.csv"
    path.write_bytes(CMS_CSV.encode("cp932"))
    out = io.StringIO()
    call_command(
        "assistant",
        "import",
        "--municipality",
        aoba.code,
        str(path),
        "--async",
        "--columns",
        "question=質問,answer=回答,category=分類,url=URL,updated=更新日",
        stdout=out,
    )
    assert f"{aoba.code}: 3 created, 0 updated, 0 unchanged" in out.getvalue()
    path.write_bytes(CMS_CSV.encode("cp932"))
    with pytest.raises(CommandError) as caught:
        call_command("assistant", "import", "--municipality", aoba.code, str(path), "--async", stdout=io.StringIO())
    assert "line 1: header:" in str(caught.value) and "閲覧数" in str(caught.value)


def test_the_answer_shows_the_category_label_in_the_residents_language(faq):
    from madoguchi.assistant.categories import category_labels_update

    category_labels_update(municipality=faq, key="tax", labels={"ja": "税金", "vi": "Thuế"}, actor="test")
    answer = assistant_ask(municipality=faq, question="住民税はいつ払いますか", language="vi").answers[0]
    assert (answer.category, answer.category_label) == ("tax", "Thuế")
    answer = assistant_ask(municipality=faq, question="住民税はいつ払いますか", language="ko").answers[0]
    assert answer.category_label == "税金"
    event = AuditEntry.objects.for_municipality(faq).filter(event="assistant.category.updated").get()
    assert event.payload == {"languages": ["ja", "vi"]}


def as_staff(username: str) -> Client:
    client = Client()
    log_in_verified(client, user(username))
    return client


def test_staff_label_the_categories_in_the_back_office(aoba):
    client = as_staff("aoba-admin")
    url = reverse("backoffice:assistant_categories")
    page = client.get(url)
    assert page.status_code == 200 and "引越し・住所変更" in page.content.decode()
    refused = client.post(url, {"key": "tax", "label-ja": "", "label-en": "Taxes"})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.content.decode()
    saved = client.post(url, {"key": "tax", "label-ja": "税・保険料", "label-en": "Taxes", "label-vi": "Thuế"})
    assert saved.status_code == 302
    labels = FaqCategory.objects.for_municipality(aoba).get(key="tax").labels
    assert labels == {"ja": "税・保険料", "en": "Taxes", "vi": "Thuế"}
    clerk = as_staff("aoba-clerk")
    assert clerk.post(url, {"key": "tax", "label-ja": "x"}).status_code == 404
    assert FaqCategory.objects.for_municipality(aoba).get(key="tax").labels["ja"] == "税・保険料"


def test_another_municipalitys_staff_label_only_their_own_categories(aoba, minatogawa):
    url = reverse("backoffice:assistant_categories")
    response = as_staff("minatogawa-admin").post(url, {"key": "tax", "label-ja": "港川の税"})
    assert response.status_code == 302
    assert FaqCategory.objects.for_municipality(minatogawa).get(key="tax").labels["ja"] == "港川の税"
    assert FaqCategory.objects.for_municipality(aoba).get(key="tax").labels["ja"] == "税金"
    # a category only 青葉市 has is "not found" for 港川市's staff
    faq_import(municipality=aoba, rows=read_faq_csv("question,answer,category\nq,a,青葉だけ\n".encode()), actor="t")
    assert as_staff("minatogawa-admin").post(url, {"key": "青葉だけ", "label-ja": "x"}).status_code == 404
