import pytest

from madoguchi.jp.text import (
    JapaneseInputError,
    format_postal_code,
    normalize_email,
    normalize_kana,
    normalize_phone,
    normalize_postal_code,
    normalize_text,
    parse_amount,
    to_katakana,
)


def test_japanese_input_error_is_a_value_error_with_a_code():
    error = JapaneseInputError("invalid_date", "bad")
    assert isinstance(error, ValueError)
    assert error.code == "invalid_date"
    assert str(error) == "bad"


def test_japanese_input_error_message_defaults_to_code():
    assert str(JapaneseInputError("invalid_phone")) == "invalid_phone"


# normalize_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１２３ＡＢＣａｂｃ", "123ABCabc"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
        ("ﾊﾟﾝ", "パン"),
        ("①", "1"),
        ("～", "~"),
        ("㍻", "平成"),
        ("〜", "〜"),
        ("ＡＢＣ＠ｅｘａｍｐｌｅ．ｊｐ", "ABC@example.jp"),
    ],
)
def test_normalize_text_applies_nfkc(value, expected):
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  山田  太郎  ", "山田 太郎"),
        ("山田\u3000太郎", "山田 太郎"),
        ("山田\u3000\u3000太郎", "山田 太郎"),
        ("山田\u00a0太郎", "山田 太郎"),
        ("山田\t太郎", "山田 太郎"),
        ("山田\n太郎", "山田 太郎"),
        ("山田\r\n太郎", "山田 太郎"),
        ("\u3000山田\u3000", "山田"),
        ("\u2003山田\u202f太郎", "山田 太郎"),
        ("", ""),
        (" \u3000\t\n", ""),
    ],
)
def test_normalize_text_collapses_whitespace_to_one_ascii_space(value, expected):
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("山田\x00太郎", "山田太郎"),
        ("山田\x07太郎\x7f", "山田太郎"),
        ("山田\x9b太郎", "山田太郎"),
        ("山\u200b田", "山田"),
        ("山\u200c田\u200d", "山田"),
        ("\ufeff山田", "山田"),
        ("山田 \u200b 太郎", "山田 太郎"),
        ("山田 \x01 太郎", "山田 太郎"),
    ],
)
def test_normalize_text_removes_control_and_zero_width_characters(value, expected):
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "𠮷田",
        "髙橋",
        "辻\U000e0100",  # ideographic variation sequence
        "葛\U000e0101飾",
        "禰\ufe00",  # standardized variation sequence
        "\ufa10",  # CJK compatibility ideograph 塚, kept as typed
        "\ufa19",  # CJK compatibility ideograph 神
        "﨑",
    ],
)
def test_normalize_text_preserves_name_characters(value):
    assert normalize_text(value) == value


def test_normalize_text_does_not_fold_compatibility_ideograph_into_unified():
    assert normalize_text("\ufa10") != "\u585a"
    assert normalize_text("ｶ\ufa10ﾀﾞ") == "カ\ufa10ダ"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("か゛", "が"),
        ("ハ゜", "パ"),
        ("ウ゛ァ", "ヴァ"),
    ],
)
def test_normalize_text_composes_standalone_sound_marks(value, expected):
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("a　　b  c", "a b c"),
        ("a   \nb\u3000\n", "a\nb"),
        ("a\n\nb", "a\n\nb"),
        ("a\n\n\nb", "a\n\n\nb"),
        ("a\n\n\n\nb", "a\n\n\nb"),
        ("a\n\n\n\n\n\n\nb", "a\n\n\nb"),
        ("a\n \n\u3000\n\t\n\nb", "a\n\n\nb"),
        ("\n\n  \na\nb\n\n \n", "a\nb"),
        ("\u3000字下げ", " 字下げ"),
        ("a\x00b\n\x07c", "ab\nc"),
        ("a\tb", "a b"),
        ("", ""),
        ("\n \n", ""),
    ],
)
def test_normalize_text_multiline(value, expected):
    assert normalize_text(value, multiline=True) == expected


def test_normalize_text_multiline_keeps_name_characters():
    assert normalize_text("𠮷田\n髙橋\U000e0100", multiline=True) == "𠮷田\n髙橋\U000e0100"


@pytest.mark.parametrize(
    "value",
    ["１２３", "  a\u3000b ", "ｶﾞ", "a\n\n\n\n\nb", "\ufa10\U000e0100", "か゛"],
)
def test_normalize_text_is_idempotent(value):
    for multiline in (False, True):
        once = normalize_text(value, multiline=multiline)
        assert normalize_text(once, multiline=multiline) == once


# to_katakana / normalize_kana


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ たろう", "ヤマダ タロウ"),
        ("やまだ\u3000たろう", "ヤマダ タロウ"),
        ("ぁぃぅぇぉゃゅょっゎゕゖ", "ァィゥェォャュョッヮヵヶ"),
        ("ゔ", "ヴ"),
        ("ゝゞ", "ヽヾ"),
        ("らーめん・すーぷ", "ラーメン・スープ"),
        ("ﾔﾏﾀﾞ", "ヤマダ"),
        ("ヤマダ", "ヤマダ"),
        ("山田abc", "山田abc"),
        ("", ""),
    ],
)
def test_to_katakana(value, expected):
    assert to_katakana(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("やまだ", "ヤマダ"),
        ("ヤマダ", "ヤマダ"),
        ("ﾔﾏﾀﾞ", "ヤマダ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("やまだ　たろう", "ヤマダタロウ"),
        (" ヤマダ ", "ヤマダ"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"),
        ("ヴァイオリン", "ヴァイオリン"),
        ("ヵヶ", "ヵヶ"),
        ("ヷヸヹヺ", "ヷヸヹヺ"),
        ("らーめん", "ラーメン"),
        ("ﾗｰﾒﾝ", "ラーメン"),
        ("", ""),
        ("\u3000 ", ""),
    ],
)
def test_normalize_kana_accepts_katakana(value, expected):
    assert normalize_kana(value) == expected


@pytest.mark.parametrize(
    "value",
    ["山田", "yamada", "ヤマダ1", "ヤマダ-タロウ", "ヤマダ、タロウ", "サヽキ", "ア゛", "ヤマダ!"],
)
def test_normalize_kana_rejects_non_katakana(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        normalize_kana(value)
    assert excinfo.value.code == "not_katakana"


# postal codes


@pytest.mark.parametrize(
    "value",
    [
        "1000001",
        "100-0001",
        "〒100-0001",
        "〒 100-0001",
        "〒1000001",
        "１００－０００１",
        "〒１００－０００１",
        "１０００００１",
        "100ー0001",
        "100ｰ0001",
        "100‐0001",
        "100‑0001",
        "100–0001",
        "100—0001",
        "100−0001",
        "100―0001",
        "100 0001",
        " 100-0001 ",
        "\u3036100-0001",
    ],
)
def test_normalize_postal_code_accepts(value):
    assert normalize_postal_code(value) == "1000001"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "100001",
        "10000011",
        "10-00001",
        "1000-001",
        "100--0001",
        "abc-defg",
        "100-000a",
        "〒",
        "100_0001",
        "٣٣٣-٣٣٣٣",  # non-ASCII digits that NFKC leaves alone
    ],
)
def test_normalize_postal_code_rejects(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        normalize_postal_code(value)
    assert excinfo.value.code == "invalid_postal_code"


@pytest.mark.parametrize("value", ["1000001", "100-0001", "〒１００－０００１"])
def test_format_postal_code(value):
    assert format_postal_code(value) == "〒100-0001"


def test_format_postal_code_rejects_invalid():
    with pytest.raises(JapaneseInputError) as excinfo:
        format_postal_code("12345")
    assert excinfo.value.code == "invalid_postal_code"


# phone numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03-1234-5678", "0312345678"),
        ("0312345678", "0312345678"),
        ("03(1234)5678", "0312345678"),
        ("(03)1234-5678", "0312345678"),
        ("03 1234 5678", "0312345678"),
        ("０３－１２３４－５６７８", "0312345678"),
        ("０３ー１２３４ー５６７８", "0312345678"),
        ("03−1234−5678", "0312345678"),
        ("011-123-4567", "0111234567"),
        ("0123-45-6789", "0123456789"),
        ("01234-5-6789", "0123456789"),
        ("090-1234-5678", "09012345678"),
        ("080-1234-5678", "08012345678"),
        ("070-1234-5678", "07012345678"),
        ("050-1234-5678", "05012345678"),
        ("020-1234-5678", "02012345678"),
        ("0120-123-456", "0120123456"),
        ("0800-123-4567", "08001234567"),
        ("0570-123-456", "0570123456"),
        ("+81-3-1234-5678", "0312345678"),
        ("+81 90 1234 5678", "09012345678"),
        ("+81(0)90-1234-5678", "09012345678"),
        ("＋８１　９０－１２３４－５６７８", "09012345678"),
    ],
)
def test_normalize_phone_accepts(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "03-1234-567",  # 9 digits
        "03-1234-56789",  # landline with 11 digits
        "090-1234-567",  # mobile with 10 digits
        "090-1234-56789",  # 12 digits
        "0120-123-4567",  # toll-free 0120 is 10 digits
        "0800-123-456",  # toll-free 0800 is 11 digits
        "00-1234-5678",
        "001-1234-5678",
        "010-1234-5678",  # international call prefix
        "3-1234-5678",
        "12-3456-7890",
        "+1-202-555-0100",
        "81-3-1234-5678",
        "03-1234-5678 内線123",
        "03.1234.5678",
        "abc",
        "+81",
    ],
)
def test_normalize_phone_rejects(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        normalize_phone(value)
    assert excinfo.value.code == "invalid_phone"


# email


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("taro@example.jp", "taro@example.jp"),
        ("Taro.Yamada@Example.CO.JP", "Taro.Yamada@example.co.jp"),
        ("  taro@example.jp\u3000", "taro@example.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("taro+tag@mail.example.jp", "taro+tag@mail.example.jp"),
        ("t_a-r.o@sub-domain.example.jp", "t_a-r.o@sub-domain.example.jp"),
        ("x@xn--wgv71a119e.jp", "x@xn--wgv71a119e.jp"),
        ("a" * 64 + "@example.jp", "a" * 64 + "@example.jp"),
    ],
)
def test_normalize_email_accepts(value, expected):
    assert normalize_email(value) == expected


def test_normalize_email_accepts_254_characters():
    address = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".jp"
    assert len(address) == 254
    assert normalize_email(address) == address


@pytest.mark.parametrize(
    "value",
    [
        "",
        "taro",
        "taro@",
        "@example.jp",
        "taro@example",
        "taro@@example.jp",
        "ta@ro@example.jp",
        "taro yamada@example.jp",
        "taro@exa mple.jp",
        ".taro@example.jp",
        "taro.@example.jp",
        "ta..ro@example.jp",
        "taro@-example.jp",
        "taro@example-.jp",
        "taro@example..jp",
        "taro@.example.jp",
        "taro@example.jp.",
        "taro@example.123",
        "taro@exam_ple.jp",
        "たろう@example.jp",
        "taro@例え.jp",
        "a" * 65 + "@example.jp",
        "a@" + "b" * 64 + ".jp",
    ],
)
def test_normalize_email_rejects(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        normalize_email(value)
    assert excinfo.value.code == "invalid_email"


def test_normalize_email_rejects_more_than_254_characters():
    address = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 59 + ".jp"
    assert len(address) == 255
    with pytest.raises(JapaneseInputError) as excinfo:
        normalize_email(address)
    assert excinfo.value.code == "invalid_email"


# amounts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (1000, 1000),
        (-5, -5),
        ("1000", 1000),
        ("1,000", 1000),
        ("１，０００円", 1000),
        ("１０００", 1000),
        ("¥1000", 1000),
        ("￥1,000", 1000),
        ("\\1,000", 1000),
        ("¥ 1,000", 1000),
        ("1000 円", 1000),
        ("1000円", 1000),
        ("1,234,567", 1234567),
        ("  42  ", 42),
        ("0", 0),
        ("007", 7),
        ("-5", -5),
        ("－５", -5),
        ("−5", -5),
        ("-¥500", -500),
        ("¥-500", -500),
        ("-1,000円", -1000),
    ],
)
def test_parse_amount_accepts(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        1.0,
        1.5,
        None,
        b"100",
        "",
        " ",
        "abc",
        "1.5",
        "1.0",
        "1,000.00",
        "1e3",
        "1,00",
        "10,00,000",
        ",100",
        "100,",
        "1 000",
        "--5",
        "-¥-5",
        "+5",
        "¥",
        "円",
        "1万円",
        "百円",
        "٣٣",
        "9" * 5000,
    ],
)
def test_parse_amount_rejects(value):
    with pytest.raises(JapaneseInputError) as excinfo:
        parse_amount(value)
    assert excinfo.value.code == "invalid_integer"
