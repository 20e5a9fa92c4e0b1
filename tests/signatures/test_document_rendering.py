"""Rendering issued documents: names with rare kanji are drawn, characters the font lacks are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.signatures.conftest import NAME_WITH_RARE_KANJI, pdftotext, sample_content

from madoguchi.signatures.documents import fonts
from madoguchi.signatures.documents.render import UnprintableCharacters, render_pdf

CREATED = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


def test_a_name_with_jis_x_0213_and_ibm_extension_kanji_is_drawn_and_extractable(unsigned_pdf, tmp_path):
    text = pdftotext(unsigned_pdf, tmp_path)

    assert f"{NAME_WITH_RARE_KANJI} 様" in text  # 𠮷 U+20BB7 (outside the BMP), 髙 and 﨑
    assert "道路占用許可書" in text
    assert "令和8年6月15日" in text


def test_the_pdf_embeds_only_the_characters_it_uses(unsigned_pdf):
    assert unsigned_pdf.startswith(b"%PDF-")
    assert len(unsigned_pdf) < 100_000  # the whole font would be 16 MB


@pytest.mark.parametrize(
    ("character", "named"),
    [("\U000f0000", "U+F0000"), ("\U0001f600", "U+1F600"), ("\U00020000", "U+20000")],
    ids=["private-use", "emoji", "extension-b-kanji-outside-the-font"],
)
def test_a_character_the_font_cannot_draw_refuses_the_document_and_is_named(character, named):
    assert ord(character) not in fonts.master().cmap

    with pytest.raises(UnprintableCharacters) as refused:
        render_pdf(sample_content(applicant=f"山田 花{character}"), created=CREATED)

    assert refused.value.characters == [character]
    assert named in str(refused.value)


def test_the_font_is_parsed_once_per_process():
    assert fonts.master() is fonts.master()
