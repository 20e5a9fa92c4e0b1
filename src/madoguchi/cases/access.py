"""Access codes: the secret that, with the receipt number, lets a resident see a case.

The code is derived from a random per-case salt with the deployment's secret key, so a
replayed submission (same idempotency key, same body) can be answered with the same code
without the database holding the code itself. Verification uses a stored SHA-256 so
that rotating the secret key never locks residents out of their cases.
"""

import hashlib
import hmac
import secrets
import unicodedata

from django.conf import settings

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
LENGTH = 12


def new_salt() -> str:
    return secrets.token_hex(16)


def access_code_from_salt(salt: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"access-code:{salt}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def format_access_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_access_code(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in value if ch.isalnum())


def hash_access_code(code: str) -> str:
    return hashlib.sha256(normalize_access_code(code).encode()).hexdigest()


def access_code_matches(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_access_code(code), stored_hash)
