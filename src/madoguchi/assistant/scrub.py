"""Remove personal data from a resident's question before it is stored in the question log.

Residents write what they would say at the counter: "田中花子です、090-1234-5678に電話ください".
The log keeps the question for improving the FAQ, not the person, so before storage this
replaces e-mail addresses, phone numbers, postal codes, 12-digit numbers (My Number,
個人番号) and other long digit runs, and names that can be detected: words Sudachi tags
as person names (固有名詞・人名), a word before さん/様/さま/くん/ちゃん/殿, and names
introduced by "名前は…" or "my name is …". Text is NFKC-normalised first, so full-width
digits (０９０…) are caught like ASCII ones. This is best effort: the log is still treated
as personal data (scoped to the municipality, never exported).
"""

from __future__ import annotations

import re

from madoguchi.assistant.text import get_analyser, normalise

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
POSTAL = "[POSTAL]"
NUMBER = "[NUMBER]"
NAME = "[NAME]"

_DASH = r"[-‐‑‒–—―−ー ]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_POSTAL = re.compile(r"〒\s*\d{3}" + _DASH + r"?\d{4}|(?<!\d)\d{3}" + _DASH + r"\d{4}(?!\d)")
_PHONE = re.compile(
    r"(?:\+81" + _DASH + r"?\(?0?\)?|\(?(?<!\d)0)\d{1,4}\)?" + _DASH + r"?\(?\d{1,4}\)?" + _DASH + r"?\d{3,4}(?!\d)"
)
_MY_NUMBER = re.compile(r"(?<!\d)\d{4}" + _DASH + r"?\d{4}" + _DASH + r"?\d{4}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{7,}(?!\d)")
_HONORIFICS = ("さん", "様", "さま", "くん", "君", "ちゃん", "殿", "氏")
# Words before an honorific that are not names (皆さん, お客様, 担当者様 …).
_NOT_NAMES = {
    "皆",
    "みな",
    "みんな",
    "お客",
    "客",
    "奥",
    "お子",
    "子",
    "子供",
    "子ども",
    "こども",
    "赤ちゃん",
    "担当",
    "担当者",
    "職員",
    "市民",
    "住民",
    "お父",
    "お母",
    "父",
    "母",
    "兄",
    "姉",
    "弟",
    "妹",
    "お兄",
    "お姉",
    "おじい",
    "おばあ",
    "祖父",
    "祖母",
    "大家",
    "お医者",
    "医者",
    "先生",
    "お隣",
    "隣",
    "相手",
    "家族",
    "ご家族",
    "皆様",
    "みなさま",
}
_INTRODUCED = re.compile(
    r"(?:(?:私の)?(?:名前|氏名)は\s*|(?i:my name is)\s+|(?i:i am|i'm)\s+(?=[A-Z]))"
    r"([^\s、。,.!?！？です]{1,20}(?:\s[A-Z][a-z]+)?)"
)


_PLACEHOLDER = re.compile(r"(\[(?:EMAIL|PHONE|POSTAL|NUMBER|NAME)\])")
_NAME_RUN = re.compile(r"(?:[ァ-ヺー]+・)*\[NAME\](?:(?:・|\s)?(?:\[NAME\]|(?<=・)[ァ-ヺー]+))*")
_JAPANESE_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _scrub_names(text: str) -> str:
    # Placeholders are left out of the analysis: Sudachi would take "PHONE" for a word.
    parts = _PLACEHOLDER.split(text)
    return "".join(part if index % 2 else _scrub_names_in(part) for index, part in enumerate(parts))


def _scrub_names_in(text: str) -> str:
    if not text:
        return text
    analyser = get_analyser()
    spans: list[tuple[int, int]] = [
        (start, end) for start, end in analyser.person_name_spans(text) if _JAPANESE_CHAR.search(text[start:end])
    ]
    words = analyser.morphemes(text)
    for index, (surface, _pos, _start, end) in enumerate(words):
        if surface in _HONORIFICS and index > 0:
            previous, previous_pos, previous_start, previous_end = words[index - 1]
            if previous_end == end - len(surface) and previous_pos[0] == "名詞" and previous not in _NOT_NAMES:
                if previous_pos[1] == "数詞" or not _JAPANESE_CHAR.search(previous):
                    continue
                spans.append((previous_start, previous_end))
    for match in _INTRODUCED.finditer(text):
        spans.append(match.span(1))
    result = text
    covered_from = len(text) + 1
    for start, end in sorted(set(spans), key=lambda span: (-span[0], span[1])):
        if end > covered_from:  # overlaps a span already replaced
            continue
        result = result[:start] + NAME + result[end:]
        covered_from = start
    # グエン・ヴァン・アン: one name, even if Sudachi knew only some of its parts
    return _NAME_RUN.sub(NAME, result)


def scrub(text: str) -> str:
    """Return ``text`` (NFKC-normalised) with personal data replaced by placeholders."""
    text = normalise(text)
    text = _EMAIL.sub(EMAIL, text)
    text = _MY_NUMBER.sub(NUMBER, text)
    text = _PHONE.sub(PHONE, text)
    text = _POSTAL.sub(POSTAL, text)
    text = _LONG_NUMBER.sub(NUMBER, text)
    return _scrub_names(text)
