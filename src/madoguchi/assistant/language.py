"""Which language a resident wrote in: script heuristics first, py3langid for the rest.

Short questions ("ごみ", "tax") are too short for a statistical model, so the script decides
where it can: kana means Japanese, Hangul Korean, Devanagari Nepali, Vietnamese's own
letters Vietnamese. Han-only text is Japanese or Chinese (py3langid restricted to those
two), and Chinese is told apart as simplified or traditional by characters that exist in
only one of the two. Latin text goes to py3langid restricted to the supported languages.
"""

from __future__ import annotations

import re
import threading
from functools import cache

from madoguchi.assistant.models import LANGUAGES

SUPPORTED = tuple(LANGUAGES)
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Letters only Vietnamese uses among the supported Latin-script languages.
_VIETNAMESE = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
# Frequent characters that differ between simplified and traditional Chinese (and are not
# the Japanese shinjitai forms either, where that matters).
_SIMPLIFIED = set(
    "儿带缴乡没们这说么吗办证户险应从发边让卖关钱几显处个时问还费养请该须业务开门买电话长书车东报过进疗资讯谁纳码"
)
_TRADITIONAL = set("給兒帶繳鄉沒們這說麼會裡嗎辦證戶險稅應區從號發邊醫讓賣關錢幾學點體顯處")
_LANGID_CODES = {"pt": "pt-BR", "zh": "zh-Hans"}

_lock = threading.Lock()


@cache
def _identifier(languages: tuple[str, ...]):
    """Return a py3langid identifier restricted to ``languages`` (built once: restricting is slow)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def _classify(text: str, languages: list[str]) -> str:
    with _lock:
        code, _probability = _identifier(tuple(languages)).classify(text)
    return code


def _chinese_variant(text: str) -> str:
    simplified = sum(ch in _SIMPLIFIED for ch in text)
    traditional = sum(ch in _TRADITIONAL for ch in text)
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def detect_language(text: str) -> str:
    """Return the BCP 47 tag of the supported language ``text`` is most likely written in."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _DEVANAGARI.search(text):
        return "ne"
    if _HAN.search(text):
        chinese_only = set(text) & (_SIMPLIFIED | _TRADITIONAL)
        if chinese_only:
            return _chinese_variant(text)
        # Han-only text without any character Japanese lacks: Japanese (学生納付特例, 住民票),
        # unless it is long enough for py3langid to tell.
        if len(_HAN.findall(text)) > 12 and _classify(text, ["ja", "zh"]) == "zh":
            return _chinese_variant(text)
        return "ja"
    if _VIETNAMESE.search(text):
        return "vi"
    if _LATIN.search(text):
        if len(text.split()) < 2:
            return "en"
        code = _classify(text, ["en", "pt", "tl", "id", "vi"])
        return _LANGID_CODES.get(code, code)
    return "ja"


def supported_language(tag: str) -> str | None:
    """Return the supported tag matching the BCP 47 ``tag`` (case-insensitive), or None.

    A region or script we do not distinguish falls back to its language: ``pt`` and
    ``pt-PT`` → pt-BR, ``zh-TW``/``zh-HK`` → zh-Hant, ``zh``/``zh-CN`` → zh-Hans, ``en-US`` → en.
    """
    lowered = tag.strip().lower()
    for code in SUPPORTED:
        if code.lower() == lowered:
            return code
    base, _sep, rest = lowered.partition("-")
    if base == "zh":
        return "zh-Hant" if rest.split("-")[0] in {"hant", "tw", "hk", "mo"} else "zh-Hans"
    if base == "pt":
        return "pt-BR"
    if base == "fil":
        return "tl"
    if base == "in":
        return "id"
    return base if base in SUPPORTED else None
