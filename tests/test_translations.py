"""The UI translation catalogues: Japanese first and complete, English consistent with it.

Msgids are English; ``ja`` must translate every one of them (LANGUAGE_CODE is "ja"),
``en`` may leave msgstr empty (English falls back to the msgid) except for plurals.
After changing UI text run ``make messages``, translate, and compile.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

import madoguchi

LOCALE_DIR = Path(madoguchi.__file__).resolve().parent / "locale"
PO = {lang: LOCALE_DIR / lang / "LC_MESSAGES" / "django.po" for lang in ("ja", "en")}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def read_po(path: Path) -> list[dict]:
    """Return the entries of a .po file: msgid, msgid_plural, msgstr / msgstr[n], flags."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _sep, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def messages(lang: str) -> list[dict]:
    return [e for e in read_po(PO[lang]) if e["msgid"]]


def header(lang: str) -> str:
    return next(e for e in read_po(PO[lang]) if e["msgid"] == "")["msgstr"]


def msgfmt_statistics(path: Path) -> str:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext (msgfmt) is needed to check the translation catalogues"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_catalogue_is_valid_and_has_no_fuzzy_entries(lang):
    stats = msgfmt_statistics(PO[lang])
    assert "fuzzy" not in stats
    assert "#, fuzzy" not in PO[lang].read_text(encoding="utf-8")
    assert all("fuzzy" not in e["flags"] for e in read_po(PO[lang]))


def test_japanese_translates_every_message():
    stats = msgfmt_statistics(PO["ja"])
    assert "untranslated" not in stats, stats
    match = re.search(r"(\d+) translated message", stats)
    assert match and int(match.group(1)) == len(messages("ja"))
    for entry in messages("ja"):
        if "msgid_plural" in entry:
            assert entry.get("msgstr[0]"), entry["msgid"]
            assert "msgstr[1]" not in entry, f"Japanese has one plural form: {entry['msgid']}"
        else:
            assert entry.get("msgstr"), entry["msgid"]


def test_headers_declare_language_and_plural_forms():
    assert "Language: ja\n" in header("ja")
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header("ja")
    assert "Language: en\n" in header("en")
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header("en")


def test_english_fills_plural_forms():
    plurals = [e for e in messages("en") if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert entry.get("msgstr[0]") == entry["msgid"]
        assert entry.get("msgstr[1]") == entry["msgid_plural"]


def test_both_catalogues_have_the_same_msgids():
    def ids(lang):
        return {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in messages(lang)}

    assert ids("ja") == ids("en")


def test_translations_keep_placeholders():
    for entry in messages("ja"):
        # Japanese has one plural form, so it may use the plural's placeholders (e.g. a count).
        expected = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        translated = entry.get("msgstr") or entry.get("msgstr[0]", "")
        assert set(PLACEHOLDER.findall(translated)) == expected, entry["msgid"]


@pytest.mark.parametrize(
    ("msgid", "japanese"),
    [
        ("This item is required.", "この項目は必須です。"),
        ("Required", "必須"),
        ("Optional", "任意"),
        ("Receipt number", "受付番号"),
        ("Access code", "アクセスコード"),
        ("Confirm your answers", "入力内容の確認"),
        ("Submit", "申請する"),
        ("Next", "次へ"),
        ("Back", "戻る"),
        ("Standard processing period", "標準処理期間"),
        ("Skip to main content", "本文へ移動"),
        ("Check an application", "申請状況の確認"),
        ("Fee", "手数料"),
        ("free", "無料"),
        ("yen", "円"),
        ("Who may apply", "申請できる方"),
        ("What you need", "必要なもの"),
    ],
)
def test_key_strings_in_japanese(msgid, japanese):
    with translation.override("ja"):
        assert gettext(msgid) == japanese


def test_status_labels_and_field_errors_follow_the_language():
    from madoguchi.cases.models import CaseStatus
    from madoguchi.procedures.errors import FieldError

    with translation.override("ja"):
        labels = ["受付済み", "審査中", "補正依頼中", "承認", "却下", "完了", "取下げ"]
        assert [str(s.label) for s in CaseStatus] == labels
        assert FieldError("note", "too_long", {"limit": 10}).message == "10文字以内で入力してください。"
        assert ngettext("%(days)s business day", "%(days)s business days", 5) % {"days": 5} == "5開庁日"
    with translation.override("en"):
        assert FieldError("note", "required").message == "This item is required."
        assert ngettext("%(days)s business day", "%(days)s business days", 1) % {"days": 1} == "1 business day"
        assert ngettext("%(days)s business day", "%(days)s business days", 5) % {"days": 5} == "5 business days"


def test_pages_are_japanese_by_default_and_english_on_request(client, db):
    page = client.get("/status/").content.decode()
    assert '<html lang="ja">' in page
    assert "本文へ移動" in page and "申請状況の確認" in page and "受付番号" in page
    page = client.get("/status/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in page
    assert "Skip to main content" in page and "Receipt number" in page
