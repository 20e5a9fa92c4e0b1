"""Text that cannot deceive (issue 12, item 11): bidirectional controls typed into a name or
any other answer are removed before the case is stored, so staff pages show what was stored."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.backoffice.casework import INKAN
from tests.resident_signing import case_submit_as_resident
from tests.samples import ADDRESS

from madoguchi.jp.text import INVISIBLE_CHARACTERS, normalize_text
from madoguchi.procedures.person_fields import clean_person_text

BIDI_CONTROLS = [
    *map(chr, range(0x202A, 0x202F)),  # LRE RLE PDF LRO RLO
    *map(chr, range(0x2066, 0x206A)),  # LRI RLI FSI PDI
    "\u200e",  # LRM
    "\u200f",  # RLM
    "\u061c",  # ALM
]
RLO, PDF = "\u202e", "\u202c"


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_controls_are_removed_from_names_and_other_text(control):
    assert ord(control) in INVISIBLE_CHARACTERS
    assert clean_person_text(f"山{control}田") == "山田"
    assert normalize_text(f"中央{control}一丁目") == "中央一丁目"
    assert normalize_text(f"一行目{control}\n二行目", multiline=True) == "一行目\n二行目"


def test_names_keep_their_variant_characters_while_losing_bidi_controls():
    assert clean_person_text(f"{RLO}髙﨑𠮷\U000e0100{PDF}") == "髙﨑𠮷\U000e0100"


@pytest.fixture
def reversed_name_case(aoba, version_of, now):
    """An application whose name would show as 「田山」 and whose building as "101 ツイハ" if stored as typed."""
    answers = {
        **INKAN,
        "applicant_name": {"family": f"{RLO}田山{PDF}", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"},
        "address": {**ADDRESS, "building": "ハイツ\u2067101\u2069\u200f"},
    }
    return case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=answers,
        idempotency_key="bidi-1",
        now=now,
    ).case


def test_a_name_with_a_right_to_left_override_is_stored_without_it(reversed_name_case):
    answers = reversed_name_case.answers
    assert answers["applicant_name"]["family"] == "田山"
    assert answers["address"]["building"] == "ハイツ101"
    assert RLO not in reversed_name_case.search_name


def test_staff_pages_show_the_name_as_stored_without_direction_controls(client, login_staff, reversed_name_case):
    login_staff(client, "aoba-clerk")
    page = client.get(reverse("backoffice:case", args=[reversed_name_case.receipt_number])).content.decode()
    assert "田山" in page and "ハイツ101" in page
    assert not any(control in page for control in BIDI_CONTROLS)


def test_staff_find_the_case_by_the_name_as_it_is_shown(client, login_staff, reversed_name_case):
    login_staff(client, "aoba-clerk")
    page = client.get(reverse("backoffice:queue"), {"q": "田山"}).content.decode()
    assert reversed_name_case.receipt_number in page
