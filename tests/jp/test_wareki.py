import itertools
from datetime import date, datetime

import pytest

from madoguchi.jp.text import JapaneseInputError
from madoguchi.jp.wareki import ERAS, Era, era_for, fiscal_year, parse_date, to_wareki


def test_eras_are_chronological_and_contiguous():
    assert [era.name for era in ERAS] == ["明治", "大正", "昭和", "平成", "令和"]
    assert [era.letter for era in ERAS] == ["M", "T", "S", "H", "R"]
    assert [era.romaji for era in ERAS] == ["meiji", "taisho", "showa", "heisei", "reiwa"]
    for era, following in itertools.pairwise(ERAS):
        assert (following.start - era.end).days == 1
    assert ERAS[-1].end is None


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("明治", date(1868, 1, 25), date(1912, 7, 29)),
        ("大正", date(1912, 7, 30), date(1926, 12, 24)),
        ("昭和", date(1926, 12, 25), date(1989, 1, 7)),
        ("平成", date(1989, 1, 8), date(2019, 4, 30)),
        ("令和", date(2019, 5, 1), None),
    ],
)
def test_era_dates(name, start, end):
    era = next(era for era in ERAS if era.name == name)
    assert (era.start, era.end) == (start, end)


def test_era_is_frozen():
    with pytest.raises(AttributeError):
        ERAS[0].name = "x"  # type: ignore[misc]
    assert isinstance(ERAS[0], Era)


# parse_date: western calendar


@pytest.mark.parametrize(
    "value",
    [
        "2026-04-01",
        "2026-4-1",
        "2026/04/01",
        "2026/4/1",
        "2026.4.1",
        "2026年4月1日",
        "2026年04月01日",
        "2026 年 4 月 1 日",
        "西暦2026年4月1日",
        "20260401",
        "２０２６年４月１日",
        "２０２６／４／１",
        "２０２６０４０１",
        " 2026-04-01\u3000",
    ],
)
def test_parse_date_accepts_western_formats(value):
    assert parse_date(value) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
        ("1868-01-24", date(1868, 1, 24)),
        ("1600-10-21", date(1600, 10, 21)),
        ("0001-01-01", date(1, 1, 1)),
        ("9999-12-31", date(9999, 12, 31)),
    ],
)
def test_parse_date_accepts_any_western_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "0000-01-01",
        "00000101",
        "2026-02-30",
        "2023-02-29",
        "1900-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-04-00",
        "2026-04-31",
        "2026年2月30日",
        "20261301",
        "2026041",
        "202604011",
        "26-04-01",
        "2026-04",
        "2026/04-01",
        "2026-04-01 10:00",
        "2026年4月1",
        "4月1日",
        "2026.4.1.",
        "٢٠٢٦-٠٤-٠١",
    ],
)
def test_parse_date_rejects_invalid_western_dates(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        parse_date(value)
    assert excinfo.value.code == "invalid_date"


# parse_date: Japanese calendar


@pytest.mark.parametrize(
    "value",
    [
        "令和8年4月1日",
        "令和08年04月01日",
        "令和 8 年 4 月 1 日",
        "令和\u30008年4月1日",
        "令和８年４月１日",
        "R8.4.1",
        "R08/04/01",
        "R8-4-1",
        "r8-4-1",
        "r8.4.1",
        "Ｒ８．４．１",
        "令和8.4.1",
        "㋿8年4月1日",
    ],
)
def test_parse_date_accepts_wareki_formats(value):
    assert parse_date(value) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("令和 元 年 5 月 1 日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("明治元年1月25日", date(1868, 1, 25)),
    ],
)
def test_parse_date_accepts_gannen(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # first and last day of each era
        ("明治1年1月25日", date(1868, 1, 25)),
        ("M1.1.25", date(1868, 1, 25)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("大正1年7月30日", date(1912, 7, 30)),
        ("T1.7.30", date(1912, 7, 30)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和1年12月25日", date(1926, 12, 25)),
        ("S1.12.25", date(1926, 12, 25)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("S64.1.7", date(1989, 1, 7)),
        ("平成1年1月8日", date(1989, 1, 8)),
        ("H1.1.8", date(1989, 1, 8)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("H31.4.30", date(2019, 4, 30)),
        ("㍻31年4月30日", date(2019, 4, 30)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("令和99年12月31日", date(2117, 12, 31)),
        # other era ligatures
        ("㍼64年1月7日", date(1989, 1, 7)),
        ("㍽15年12月24日", date(1926, 12, 24)),
        ("㍾45年7月29日", date(1912, 7, 29)),
        # leap years
        ("令和6年2月29日", date(2024, 2, 29)),
        ("R6.2.29", date(2024, 2, 29)),
        ("平成12年2月29日", date(2000, 2, 29)),
        ("昭和63年2月29日", date(1988, 2, 29)),
    ],
)
def test_parse_date_accepts_era_boundaries(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        # the day before each era starts
        "明治1年1月1日",
        "明治1年1月24日",
        "大正1年7月29日",
        "昭和1年12月24日",
        "平成1年1月7日",
        "令和1年4月30日",
        "R1.4.30",
        # the day after each era ends
        "明治45年7月30日",
        "大正15年12月25日",
        "昭和64年1月8日",
        "S64.1.8",
        "平成31年5月1日",
        "H31.5.1",
        # years past the end of the era
        "昭和65年1月1日",
        "平成32年1月1日",
        "大正16年1月1日",
        "明治46年1月1日",
    ],
)
def test_parse_date_rejects_dates_outside_the_era(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        parse_date(value)
    assert excinfo.value.code == "out_of_era"


@pytest.mark.parametrize(
    "value",
    [
        "令和0年5月1日",
        "R0.5.1",
        "令和00年5月1日",
        "令和5年2月29日",
        "R5.2.29",
        "令和8年13月1日",
        "令和8年0月1日",
        "令和8年2月30日",
        "令和8年4月31日",
        "令和8年4月0日",
        "令和100年1月1日",
        "令和8年4月",
        "令和8年",
        "令和",
        "令和八年四月一日",
        "R8.4/1",
        "R8年4/1",
        "X8.4.1",
        "RR8.4.1",
        "R84.1",
        "慶応4年1月1日",
        "元年5月1日",
    ],
)
def test_parse_date_rejects_invalid_wareki(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        parse_date(value)
    assert excinfo.value.code == "invalid_date"


# era_for


@pytest.mark.parametrize(
    ("d", "name"),
    [
        (date(1868, 1, 25), "明治"),
        (date(1912, 7, 29), "明治"),
        (date(1912, 7, 30), "大正"),
        (date(1926, 12, 24), "大正"),
        (date(1926, 12, 25), "昭和"),
        (date(1989, 1, 7), "昭和"),
        (date(1989, 1, 8), "平成"),
        (date(2019, 4, 30), "平成"),
        (date(2019, 5, 1), "令和"),
        (date(9999, 12, 31), "令和"),
        (datetime(2019, 4, 30, 23, 59), "平成"),
        (datetime(2019, 5, 1, 0, 0), "令和"),
    ],
)
def test_era_for(d, name):
    assert era_for(d).name == name


@pytest.mark.parametrize("d", [date(1868, 1, 24), date(1, 1, 1), datetime(1800, 1, 1)])
def test_era_for_rejects_dates_before_meiji(d):
    with pytest.raises(ValueError) as excinfo:
        era_for(d)
    assert isinstance(excinfo.value, JapaneseInputError)
    assert excinfo.value.code == "out_of_era"


# to_wareki


@pytest.mark.parametrize(
    ("d", "kanji", "letter"),
    [
        (date(2026, 4, 1), "令和8年4月1日", "R8.4.1"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (date(2019, 12, 31), "令和元年12月31日", "R1.12.31"),
        (date(2020, 1, 1), "令和2年1月1日", "R2.1.1"),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (date(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
        (date(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
        (date(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
        (date(1868, 1, 25), "明治元年1月25日", "M1.1.25"),
        (date(2024, 2, 29), "令和6年2月29日", "R6.2.29"),
        (datetime(2026, 4, 1, 9, 30), "令和8年4月1日", "R8.4.1"),
    ],
)
def test_to_wareki(d, kanji, letter):
    assert to_wareki(d) == kanji
    assert to_wareki(d, style="kanji") == kanji
    assert to_wareki(d, style="letter") == letter


@pytest.mark.parametrize("style", ["kanji", "letter"])
def test_to_wareki_rejects_dates_before_meiji(style):
    with pytest.raises(ValueError):
        to_wareki(date(1868, 1, 24), style=style)


@pytest.mark.parametrize("style", ["", "Kanji", "romaji", "western"])
def test_to_wareki_rejects_unknown_style(style):
    with pytest.raises(ValueError, match="style"):
        to_wareki(date(2026, 4, 1), style=style)


@pytest.mark.parametrize(
    "value",
    [
        "令和8年4月1日",
        "令和元年5月1日",
        "平成31年4月30日",
        "平成元年1月8日",
        "昭和64年1月7日",
        "昭和元年12月25日",
        "大正15年12月24日",
        "大正元年7月30日",
        "明治45年7月29日",
        "明治元年1月25日",
        "令和6年2月29日",
    ],
)
def test_to_wareki_round_trips_kanji(value):
    assert to_wareki(parse_date(value)) == value


@pytest.mark.parametrize(
    "value",
    ["R8.4.1", "R1.5.1", "H31.4.30", "H1.1.8", "S64.1.7", "S1.12.25", "T15.12.24", "M1.1.25"],
)
def test_to_wareki_round_trips_letter(value):
    assert to_wareki(parse_date(value), style="letter") == value


@pytest.mark.parametrize(
    "d",
    [
        date(1868, 1, 25),
        date(1912, 7, 29),
        date(1912, 7, 30),
        date(1926, 12, 24),
        date(1926, 12, 25),
        date(1989, 1, 7),
        date(1989, 1, 8),
        date(2019, 4, 30),
        date(2019, 5, 1),
        date(2024, 2, 29),
        date(2026, 4, 1),
    ],
)
def test_parse_date_round_trips_to_wareki(d):
    assert parse_date(to_wareki(d)) == d
    assert parse_date(to_wareki(d, style="letter")) == d
    assert parse_date(d.isoformat()) == d


# fiscal_year


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 4, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
        (date(2026, 3, 31), 2025),
        (date(2024, 2, 29), 2023),
        (datetime(2027, 3, 31, 23, 59), 2026),
    ],
)
def test_fiscal_year(d, expected):
    assert fiscal_year(d) == expected
