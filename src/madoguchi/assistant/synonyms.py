"""Synonym expansion of a question's search terms, so 「引っ越し」 also finds a page about 転居.

Residents ask in everyday words, municipal pages answer in administrative ones. BM25 only
counts shared terms, so the question's terms are expanded with their synonyms, which score at
a lower weight (``retrieval.SYNONYM_WEIGHT``) than the words the resident used.

The groups come from ``data/synonyms.txt``. Sudachi's own synonym dictionary would be the
natural source, but its reader on PyPI, ``chikkarpy`` 0.1.1 (2022), cannot be installed here:
its ``setup.py`` downloads the dictionary from the web at install time (no registry package
holds it) and imports ``pkg_resources``, which current setuptools no longer ship. So the
groups are a small hand-written list of general municipal vocabulary, analysed with the
same Sudachi analysis as the index, behind :class:`SynonymExpander` so the Sudachi dictionary
can replace it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Protocol

from madoguchi.assistant.text import Analyser, get_analyser

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"


class SynonymExpander(Protocol):
    def expand(self, terms: list[str]) -> list[str]: ...


class SynonymTable:
    """Synonym groups; a term of a group expands to the other members' terms."""

    def __init__(self, groups: list[list[str]], analyser: Analyser) -> None:
        self._synonyms: dict[str, set[str]] = {}
        for group in groups:
            # a multi-word member ("住民票の写し") is matched by its first term, expands to all
            analysed = [analyser.terms(word) for word in group]
            members = {tuple(terms) for terms in analysed if terms}
            for terms in members:
                others = {t for other in members if other != terms for t in other}
                self._synonyms.setdefault(terms[0], set()).update(others - set(terms))

    @classmethod
    def from_file(cls, path: Path, analyser: Analyser) -> SynonymTable:
        groups = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                groups.append([word.strip() for word in line.split(",") if word.strip()])
        return cls(groups, analyser)

    def expand(self, terms: list[str]) -> list[str]:
        """Return the synonyms of ``terms`` that are not among them (each once, in order)."""
        given = set(terms)
        found: dict[str, None] = {}
        for term in terms:
            for synonym in sorted(self._synonyms.get(term, ())):
                if synonym not in given:
                    found[synonym] = None
        return list(found)


@cache
def get_synonyms() -> SynonymTable:
    """Return the process-wide synonym table."""
    return SynonymTable.from_file(SYNONYMS_FILE, get_analyser())
