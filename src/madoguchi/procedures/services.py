"""Writes to procedures: loading definitions from ``catalog/`` as new versions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from madoguchi.jp.text import to_katakana
from madoguchi.procedures.definition import DefinitionError, definition_hash, load_definition_file
from madoguchi.procedures.models import Procedure, ProcedureVersion
from madoguchi.tenants.models import Department, Municipality


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version: int
    created: bool


def search_text_for(definition: dict) -> str:
    """Return the text the catalog search matches against: the title and summary in every
    language (the English ones as well as the Japanese) and every keyword, folded.

    Keywords carry the everyday words a title does not use, in Japanese and in English
    (粗大ごみ's title says "bulky waste"; residents type "garbage").
    """
    parts: list[str] = []
    for key in ("title", "summary"):
        parts.extend(definition[key].values())
    parts.extend(definition.get("keywords", []))
    return " ".join(fold_for_catalog(part) for part in parts)


def fold_for_search(value: str) -> str:
    """Fold width, case and hiragana/katakana so じゅうみんひょう finds ジュウミンヒョウ."""
    return to_katakana(value).casefold()


# Accents on Latin letters: the English titles romanise with macrons (jūminhyō, tōroku),
# which nobody types. Marks on kana (゛゜) are not touched.
_LATIN_MARKS = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")


def fold_for_catalog(value: str) -> str:
    """Fold like :func:`fold_for_search`, and drop accents from Latin letters (jūminhyō → juminhyo)."""
    decomposed = unicodedata.normalize("NFD", fold_for_search(value))
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", decomposed))


# English words that say nothing about a procedure; dropped from a query that has others.
_ENGLISH_STOP_WORDS = frozenset(
    {"a", "an", "the", "my", "our", "your", "i", "we", "to", "for", "of", "in", "on", "at", "by", "and", "or"}
    | {"how", "do", "does", "can", "is", "are", "what", "where", "with", "from"}
)


def catalog_search_terms(query: str) -> list[str]:
    """Return the terms a catalog query must all match: folded, without English stop words,
    English plurals reduced to a stem the singular also contains (dogs → dog, taxes → tax)."""
    terms = fold_for_catalog(query).split()
    kept = [term for term in terms if term not in _ENGLISH_STOP_WORDS] or terms
    return [_singular(term) for term in kept]


def _singular(term: str) -> str:
    if not term.isascii() or not term.isalpha() or len(term) < 4:
        return term
    if term.endswith("ies"):
        return term[:-3] + "y"  # nurseries → nursery
    if term.endswith(("xes", "ses", "ches", "shes")):
        return term[:-2]  # taxes → tax, licenses → licens (still inside "license")
    if term.endswith("s") and not term.endswith(("ss", "us")):
        return term[:-1]
    return term


def procedure_load_definition(*, municipality: Municipality, definition: dict, source: str = "") -> LoadResult:
    """Store ``definition`` for ``municipality``; a changed definition becomes a new version."""
    digest = definition_hash(definition)
    with transaction.atomic():
        department = Department.objects.for_municipality(municipality).filter(code=definition["department"]).first()
        procedure, _created = (
            Procedure.objects.for_municipality(municipality)
            .select_for_update()
            .get_or_create(
                municipality=municipality,
                slug=definition["slug"],
                defaults={"category": definition["category"], "department": department},
            )
        )
        current = procedure.current_version
        if current is not None and current.content_hash == digest:
            return LoadResult(slug=procedure.slug, version=current.number, created=False)
        number = (current.number if current else 0) + 1
        version = ProcedureVersion.objects.for_municipality(municipality).create(
            municipality=municipality,
            procedure=procedure,
            number=number,
            definition=definition,
            content_hash=digest,
            source=source,
        )
        procedure.current_version = version
        procedure.category = definition["category"]
        procedure.department = department
        procedure.search_text = search_text_for(definition)
        procedure.save()
    return LoadResult(slug=procedure.slug, version=number, created=True)


def catalog_load(*, municipality: Municipality, directory: Path) -> list[LoadResult]:
    """Load every ``*.yaml`` in ``directory`` that applies to ``municipality``.

    All files are checked before any is stored, so one bad file leaves the catalog as it was.
    """
    definitions = []
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise DefinitionError(str(directory), None, "no *.yaml procedure files found")
    for path in paths:
        definition = load_definition_file(path)
        if definition.get("municipalities") and municipality.code not in definition["municipalities"]:
            continue
        definitions.append((definition, path.name))
    with transaction.atomic():
        return [
            procedure_load_definition(municipality=municipality, definition=d, source=name) for d, name in definitions
        ]
