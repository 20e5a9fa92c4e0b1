"""Japanese text analysis for the assistant, behind :class:`Analyser` so it can be replaced.

The default, :class:`SudachiAnalyser`, uses SudachiPy with the core dictionary (both from
PyPI, offline). Search terms are Sudachi's *normalised form* of content words, so that
表記ゆれ meet: 引っ越し/引越し/引越 → 引っ越し, 付く/附く, カタカナ long-vowel variants.
The same analysis finds person names (固有名詞・人名) for the question-log scrubber.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache
from typing import Protocol

# Parts of speech that carry meaning for search (Sudachi's first POS level).
CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "代名詞"}
# Words too common in questions to tell entries apart.
STOP_WORDS = {
    "する",
    "ある",
    "いる",
    "なる",
    "できる",
    "れる",
    "られる",
    "こと",
    "もの",
    "ため",
    "よう",
    "とき",
    "どこ",
    "どう",
    "なに",
    "何",
    "いつ",
    "どれ",
    "どの",
    "いい",
    "良い",
    "ない",
    "出来る",
    "思う",
    "知る",
    "教える",
    "ください",
    "下さる",
    "さん",
    "様",
    "方",
    "的",
}
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Return ``text`` in NFKC (full-width digits and letters to ASCII, half-width kana to full)."""
    return unicodedata.normalize("NFKC", text)


class Analyser(Protocol):
    """Turns text into search terms and finds person names in it."""

    name: str

    def terms(self, text: str) -> list[str]: ...

    def person_name_spans(self, text: str) -> list[tuple[int, int]]: ...


class SudachiAnalyser:
    """SudachiPy (sudachidict-core), split mode C for terms, one tokenizer per thread."""

    name = "sudachi-core"

    def __init__(self) -> None:
        self._local = threading.local()

    def _tokenizer(self):
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            from sudachipy import Dictionary

            tokenizer = Dictionary(dict="core").tokenizer()
            self._local.tokenizer = tokenizer
        return tokenizer

    def _morphemes(self, text: str, mode: str = "C"):
        from sudachipy import SplitMode

        return self._tokenizer().tokenize(text, getattr(SplitMode, mode))

    def terms(self, text: str) -> list[str]:
        """Return the normalised forms of the content words of ``text`` (lower-cased)."""
        text = normalise(text).lower()
        terms: list[str] = []
        for m in self._morphemes(text, "B"):
            pos = m.part_of_speech()
            if pos[0] not in CONTENT_POS:
                continue
            term = m.normalized_form().lower()
            # the list is of dictionary forms (する); the normalised form may differ (為る)
            if term in STOP_WORDS or m.dictionary_form().lower() in STOP_WORDS or not term.strip():
                continue
            terms.append(term)
        return terms

    def reading_bigrams(self, text: str) -> list[str]:
        """Return the character bigrams of the katakana reading of ``text``'s words.

        A question written in kana (じゅうみんひょう) or with a wrong kanji shares few words
        with the entry but most of its reading (ジュウミンヒョウ).
        """
        reading = "".join(
            m.reading_form()
            for m in self._morphemes(normalise(text).lower(), "C")
            if m.part_of_speech()[0] not in ("補助記号", "空白", "助詞", "助動詞")
        )
        return [reading[i : i + 2] for i in range(len(reading) - 1)]

    def person_name_spans(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) offsets of words that Sudachi tags as person names."""
        return [(m.begin(), m.end()) for m in self._morphemes(text, "C") if m.part_of_speech()[2] == "人名"]

    def morphemes(self, text: str) -> list[tuple[str, tuple[str, ...], int, int]]:
        """Return (surface, part of speech, start, end) of each word of ``text``."""
        return [(m.surface(), tuple(m.part_of_speech()), m.begin(), m.end()) for m in self._morphemes(text, "C")]


@cache
def get_analyser() -> SudachiAnalyser:
    """Return the process-wide analyser."""
    return SudachiAnalyser()
