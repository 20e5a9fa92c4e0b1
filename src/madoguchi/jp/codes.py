"""全国地方公共団体コード (local government codes).

A code is six digits: two for the prefecture, three for the body and a check digit.
The check digit is ``(11 - (Σ dᵢ·wᵢ mod 11)) mod 10`` with weights 6, 5, 4, 3, 2.
Prefectures use body ``000`` (e.g. 130001 東京都).
"""

import re

_CODE_RE = re.compile(r"^\d{6}$")
_WEIGHTS = (6, 5, 4, 3, 2)


def lg_code_check_digit(first_five: str) -> int:
    """Return the check digit for the first five digits of a local government code."""
    remainder = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 10


def is_valid_lg_code(code: str) -> bool:
    """Return True if ``code`` is six digits with a correct check digit."""
    if not _CODE_RE.match(code or ""):
        return False
    prefecture = int(code[:2])
    if not 1 <= prefecture <= 47:
        return False
    return lg_code_check_digit(code[:5]) == int(code[5])


def is_prefecture_code(code: str) -> bool:
    """Return True if ``code`` is a valid code of a prefecture (body part 000)."""
    return is_valid_lg_code(code) and code[2:5] == "000"
