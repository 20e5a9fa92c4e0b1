"""Scrubbing personal data, language detection, answer HTML (issue 4)."""

from __future__ import annotations

import pytest

from madoguchi.assistant.content import answer_html_from_text, answer_text_from_html, sanitise_html
from madoguchi.assistant.language import detect_language, supported_language
from madoguchi.assistant.scrub import scrub
from madoguchi.assistant.text import get_analyser


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電話は090-1234-5678です", "電話は[PHONE]です"),
        ("電話は０９０－１２３４－５６７８です", "電話は[PHONE]です"),  # full-width digits and dash
        ("０２９（２００）１２３４に電話", "[PHONE]に電話"),
        ("市役所 029-200-1234", "市役所 [PHONE]"),
        ("call +81-90-1234-5678 please", "call [PHONE] please"),
        ("メールはtaro.yamada@example.jpです", "メールは[EMAIL]です"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "[EMAIL]"),
        ("マイナンバーは123456789012です", "マイナンバーは[NUMBER]です"),
        ("個人番号 １２３４ ５６７８ ９０１２", "個人番号 [NUMBER]"),
        ("〒310-0011 水戸市", "[POSTAL] 水戸市"),
        ("郵便番号は３１０－００１１", "郵便番号は[POSTAL]"),
        ("口座番号1234567", "口座番号[NUMBER]"),
        ("田中太郎です。住民票がほしい", "[NAME]です。住民票がほしい"),
        ("佐藤さんに聞きました", "[NAME]さんに聞きました"),
        ("山本様の件で", "[NAME]様の件で"),
        ("グエン・ヴァン・アンさんの在留カード", "[NAME]さんの在留カード"),
        ("私の名前はマリアです", "私の名前は[NAME]です"),
        ("My name is John Smith and I moved", "My name is [NAME] and I moved"),
    ],
)
def test_scrub_removes_personal_data(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "皆さんこんにちは",
        "お客様の手続き",
        "住民票の写しは300円ですか",
        "2026年4月1日に引っ越しました",
        "子どもさんの予防接種",
    ],
)
def test_scrub_keeps_ordinary_questions(text):
    assert scrub(text) == text


def test_analyser_normalises_spelling_variants():
    analyser = get_analyser()
    assert set(analyser.terms("引越しの手続き")) & set(analyser.terms("引っ越しの手続き")) >= {"引っ越し"}
    assert "の" not in analyser.terms("引越しの手続き")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("住民票の写しはどこで取れますか", "ja"),
        ("ごみ", "ja"),
        ("住民票", "ja"),
        ("Where can I get a residence certificate?", "en"),
        ("tax", "en"),
        ("Tôi muốn lấy bản sao phiếu cư trú", "vi"),
        ("怎么申请儿童津贴？", "zh-Hans"),
        ("如何申請兒童津貼？", "zh-Hant"),
        ("주민표를 어디서 받을 수 있나요?", "ko"),
        ("Onde posso pedir o atestado de residência?", "pt-BR"),
        ("Saan ako kukuha ng kopya ng residence certificate?", "tl"),
        ("बाल भत्ताको लागि कसरी आवेदन दिने?", "ne"),
        ("Di mana saya bisa mendapatkan salinan surat keterangan tinggal?", "id"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("ja", "ja"), ("EN", "en"), ("en-US", "en"), ("pt", "pt-BR"), ("zh-TW", "zh-Hant"), ("zh", "zh-Hans"),
     ("ja-x-easy", "ja-x-easy"), ("fil", "tl"), ("xx", None), ("fr", None)],
)  # fmt: skip
def test_supported_language(tag, expected):
    assert supported_language(tag) == expected


def test_answer_html_from_text_makes_paragraphs_breaks_and_lists():
    html = answer_html_from_text("一行目\n二行目\n\n持ち物：\n・本人確認書類\n・印鑑\n\n<b>最後</b>")
    assert html == (
        "<p>一行目<br>二行目</p><p>持ち物：</p><ul><li>本人確認書類</li><li>印鑑</li></ul><p>&lt;b&gt;最後&lt;/b&gt;</p>"
    )
    assert answer_html_from_text(answer_text_from_html(html)) == html


def test_sanitise_html_keeps_only_the_allowlist():
    html = sanitise_html(
        '<div><p style="x">a<img src=x><a href="https://e.jp" target="_blank">b</a></p><h1>c</h1></div>'
    )
    # a heading stays a line of its own (bold), not run into the paragraph before it
    assert html == '<p>a<a href="https://e.jp" rel="noopener noreferrer">b</a></p><p><strong>c</strong></p>'
