"""The document font: Noto Sans CJK JP 2.x from Debian's fonts-noto-cjk, its Japanese face, under the OFL."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from fontTools.ttLib import TTFont
from tests.signatures.conftest import NAME_WITH_RARE_KANJI, pdftotext, require_tool

from madoguchi.conf import assets
from madoguchi.signatures.documents import fonts

REPO = Path(__file__).resolve().parents[2]
DEBIAN_FONT = Path(assets.SYSTEM_PDF_FONT)


@pytest.fixture
def other_font(settings):
    """Forget the parsed font before and after a test that points the settings elsewhere."""
    fonts._master.cache_clear()
    yield settings
    fonts._master.cache_clear()


def test_the_font_is_debians_noto_sans_cjk_jp_2(settings):
    assert settings.MADOGUCHI_PDF_FONT == DEBIAN_FONT
    assert DEBIAN_FONT.is_file(), "install Debian's fonts-noto-cjk"
    name = fonts.master().font["name"]
    assert name.getDebugName(4) == "Noto Sans CJK JP"
    major = int(name.getDebugName(5).removeprefix("Version ").split(".")[0])
    assert major >= 2


def test_the_japanese_face_of_the_collection_draws_the_japanese_forms():
    # 直 has different designs in Japan and China; the collection's Chinese face maps it elsewhere.
    chinese = TTFont(str(DEBIAN_FONT), fontNumber=fonts._face_number(DEBIAN_FONT, "Noto Sans CJK SC"), lazy=True)
    try:
        assert fonts.master().cmap[ord("直")] != chinese.getBestCmap()[ord("直")]
    finally:
        chinese.close()


def test_rare_kanji_are_in_the_font_and_read_back_from_the_pdf(unsigned_pdf, tmp_path):
    for character in "𠮷髙﨑":
        assert ord(character) in fonts.master().cmap
    text = pdftotext(unsigned_pdf, tmp_path)
    assert f"{NAME_WITH_RARE_KANJI} 様" in text


def test_the_embedded_subset_is_renamed_and_carries_the_copyright_and_the_ofl(unsigned_pdf, tmp_path):
    with pikepdf.open(io.BytesIO(unsigned_pdf)) as pdf:
        [descriptor] = [
            obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        ]
        embedded = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
    name = embedded["name"]
    # The OFL reserves "Source"; "Noto" is Google's trademark: the modified font bears neither.
    assert "Noto" not in str(descriptor.FontName) and "Source" not in str(descriptor.FontName)
    assert str(descriptor.FontName).endswith("MadoguchiDocument")
    # fpdf2's own subsetting keeps the copyright record (and drops the licence records).
    assert name.getDebugName(0) == "© 2014-2021 Adobe (http://www.adobe.com/)."
    require_tool("pdffonts", "poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(unsigned_pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    [row] = [line for line in listing.splitlines() if "MadoguchiDocument" in line]
    assert row.split()[-5:-3] == ["yes", "yes"]  # embedded, subset


def test_the_subset_font_names_the_original_copyright_and_licence():
    subset = TTFont(io.BytesIO(fonts.font_for("山田")))
    name = subset["name"]
    assert name.getDebugName(1) == fonts.FAMILY
    assert "Adobe" in name.getDebugName(0)
    assert "SIL Open Font License, Version 1.1" in name.getDebugName(13)
    assert name.getDebugName(14)


def test_a_missing_font_file_is_a_clear_error_naming_the_debian_package(other_font, tmp_path):
    other_font.MADOGUCHI_PDF_FONT = tmp_path / "absent.ttc"

    with pytest.raises(fonts.DocumentFontMissing) as caught:
        fonts.missing_characters("山田")

    assert "apt-get install fonts-noto-cjk" in str(caught.value)
    assert caught.value.status == 503  # a door answers "try later", never a 500
    assert "フォント" in str(caught.value.message) or "font" in str(caught.value.message)


def test_a_collection_without_the_face_is_a_clear_error(other_font):
    other_font.MADOGUCHI_PDF_FONT_FACE = "Noto Sans CJK XX"

    with pytest.raises(fonts.DocumentFontMissing, match=r"has no face named 'Noto Sans CJK XX'.*Noto Sans CJK JP"):
        fonts.master()


def test_the_system_check_reports_a_missing_font(other_font, tmp_path, capsys):
    other_font.MADOGUCHI_PDF_FONT = tmp_path / "absent.ttc"

    call_command("check")
    assert "signatures.W001" in capsys.readouterr().err
    with pytest.raises(SystemCheckError, match=r"signatures\.E001"):
        call_command("check", deploy=True, tags=["signatures"])


def test_the_ofl_is_shipped_with_the_fonts_copyright():
    text = (REPO / "licenses" / "NotoSansCJK-OFL-1.1.txt").read_text(encoding="utf-8")
    assert "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'." in text
    assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in text
    assert "5) The Font Software, modified or unmodified, in part or in whole, must" in text
    assert "fonts-noto-cjk" in text
