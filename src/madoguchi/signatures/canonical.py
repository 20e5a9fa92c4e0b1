"""Canonical bytes: exactly what a signature covers (specified in docs/signatures.md).

Two signers must produce the same bytes from the same content, so the form is fixed:
JSON, UTF-8 without BOM, object keys sorted by code point, no whitespace between tokens,
strings in Unicode NFC, non-ASCII characters written as themselves (not ``\\u`` escapes),
integers only (no floats), and no duplicate keys.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

APPLICATION_TYPE = "madoguchi.application"
APPLICATION_VERSION = 1


class NotCanonicalisable(ValueError):
    """The value holds something the canonical form does not allow (e.g. a float)."""


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, dict):
        normalised = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonicalisable(f"object key {key!r} is not a string")
            name = unicodedata.normalize("NFC", key)
            if name in normalised:
                raise NotCanonicalisable(f"duplicate key {name!r} after normalisation")
            normalised[name] = _normalise(item)
        return normalised
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    raise NotCanonicalisable(f"{type(value).__name__} values are not allowed")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON-compatible value."""
    return json.dumps(
        _normalise(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def application_document(
    *, municipality: str, procedure: str, procedure_version: int, answers: dict, attachments: list[dict]
) -> dict:
    """What a resident signs: the clean answers and every attachment's SHA-256.

    ``attachments`` are dicts with ``field``, ``name``, ``size`` and ``sha256``; they are
    listed in (field, sha256) order so the order of upload does not matter.
    """
    return {
        "type": APPLICATION_TYPE,
        "version": APPLICATION_VERSION,
        "municipality": municipality,
        "procedure": procedure,
        "procedure_version": procedure_version,
        "answers": answers,
        "attachments": sorted(
            ({"field": a["field"], "name": a["name"], "size": a["size"], "sha256": a["sha256"]} for a in attachments),
            key=lambda a: (a["field"], a["sha256"]),
        ),
    }
