"""The notifications app's own translation catalogue (src/madoguchi/notifications/locale).

It holds the labels staff see (kinds, delivery states, field names); the e-mails themselves
are whole templates per language. Japanese must translate every message, as for the main
catalogue (tests/test_translations.py).
"""

from pathlib import Path

import pytest
from django.utils import translation
from tests.test_translations import msgfmt_statistics, read_po

import madoguchi.notifications
from madoguchi.notifications.models import NotificationKind, NotificationStatus
from madoguchi.notifications.services import CASE_KINDS

LOCALE = Path(madoguchi.notifications.__file__).resolve().parent / "locale"
PO = {lang: LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("ja", "en")}
TEMPLATES = Path(madoguchi.notifications.__file__).resolve().parent / "templates" / "notifications" / "email"


def msgids(lang):
    return {entry["msgid"] for entry in read_po(PO[lang]) if entry["msgid"]}


def test_japanese_translates_every_label_and_english_has_the_same_msgids():
    stats = msgfmt_statistics(PO["ja"])
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    assert msgids("ja") == msgids("en")


def test_labels_are_japanese_by_default():
    with translation.override("ja"):
        assert [str(s.label) for s in NotificationStatus] == ["送信待ち", "送信済み", "送信失敗"]
        assert str(NotificationKind.CORRECTION_REQUESTED.label) == "補正のお願い"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_kind_has_a_subject_and_body_template(lang):
    # the kinds about a case; a message kind (an inquiry's) is rendered by the domain that sends it
    for kind in CASE_KINDS:
        assert (TEMPLATES / lang / f"{kind}_subject.txt").is_file()
        assert (TEMPLATES / lang / f"{kind}_body.txt").is_file()
