"""Reads of procedures for the portal and the API."""

from __future__ import annotations

import hashlib
import time

from madoguchi.core.errors import NotFound
from madoguchi.procedures.models import Procedure, ProcedureVersion
from madoguchi.procedures.services import catalog_search_terms
from madoguchi.tenants.models import Municipality

MAX_QUERY_LENGTH = 100


def procedure_list(*, municipality: Municipality, query: str = "", category: str = "") -> list[Procedure]:
    """Return the published procedures of ``municipality``, optionally searched and filtered.

    The search matches every term of ``query`` against the titles, summaries and keywords in
    every language, so "garbage" finds 粗大ごみ on the English portal and 粗大ごみ finds it there too.
    """
    procedures = (
        Procedure.objects.for_municipality(municipality)
        .filter(is_published=True, current_version__isnull=False)
        .select_related("current_version", "department")
    )
    if category:
        procedures = procedures.filter(category=category)
    for term in catalog_search_terms(query[:MAX_QUERY_LENGTH]):
        procedures = procedures.filter(search_text__contains=term)
    return list(procedures)


def procedure_categories(*, municipality: Municipality) -> list[str]:
    return list(
        Procedure.objects.for_municipality(municipality)
        .filter(is_published=True, current_version__isnull=False)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def procedure_get(*, municipality: Municipality, slug: str) -> Procedure:
    """Return the published procedure ``slug`` of ``municipality`` or raise NotFound."""
    procedure = (
        Procedure.objects.for_municipality(municipality)
        .filter(slug=slug, is_published=True, current_version__isnull=False)
        .select_related("current_version", "department")
        .first()
    )
    if procedure is None:
        raise NotFound
    return procedure


# ProcedureVersion.pk -> definition. Versions are immutable, so this never goes stale; it
# saves decoding a few kilobytes of JSON on every submit.
_DEFINITIONS: dict[int, dict] = {}
# (code, slug) -> (looked up at, version or None). A published, unpublished or new version is
# seen by the submit path within SUBMIT_LOOKUP_SECONDS; the portal's pages see it at once.
SUBMIT_LOOKUP_SECONDS = 5.0
_SUBMIT_LOOKUPS: dict[tuple[str, str], tuple[float, ProcedureVersion | None]] = {}
_SUBMIT_LOOKUPS_MAX = 10_000


def procedure_version_for_submit(*, municipality_code: str, slug: str) -> ProcedureVersion:
    """Return the current version of a published procedure of an active municipality, with
    ``municipality`` loaded; raise NotFound otherwise.

    Every submission runs this, so the answer is kept for a few seconds per process (see
    docs/benchmarks.md): one query instead of one per request.
    """
    now = time.monotonic()
    cached = _SUBMIT_LOOKUPS.get((municipality_code, slug))
    if cached is None or now - cached[0] > SUBMIT_LOOKUP_SECONDS:
        if len(_SUBMIT_LOOKUPS) >= _SUBMIT_LOOKUPS_MAX:  # unknown codes are cached too: stay bounded
            _SUBMIT_LOOKUPS.clear()
        cached = (now, _version_for_submit(municipality_code, slug))
        _SUBMIT_LOOKUPS[(municipality_code, slug)] = cached
    if cached[1] is None:
        raise NotFound
    return cached[1]


def _version_for_submit(municipality_code: str, slug: str) -> ProcedureVersion | None:
    procedure = (
        Procedure.objects.with_scopes_disabled()  # the municipality is part of the filter
        .filter(
            municipality__code=municipality_code,
            municipality__is_active=True,
            slug=slug,
            is_published=True,
            current_version__isnull=False,
        )
        .select_related("municipality__prefecture", "current_version")
        .defer("search_text", "current_version__definition")
        .order_by()
        .first()
    )
    if procedure is None:
        return None
    version = procedure.current_version
    version.municipality = procedure.municipality
    version.procedure = procedure
    if version.pk not in _DEFINITIONS:
        _DEFINITIONS[version.pk] = (
            ProcedureVersion.objects.with_scopes_disabled().values_list("definition", flat=True).get(pk=version.pk)
        )
    version.definition = _DEFINITIONS[version.pk]
    return version


def procedure_version_definitions(*, version_ids) -> dict[int, dict]:
    """Return the definitions of the given procedure versions by primary key.

    Versions are immutable, so each definition is read once per process and kept (the same
    cache as the submit path): a list of cases gets its procedures' titles without decoding
    kilobytes of JSON per row.
    """
    missing = [pk for pk in set(version_ids) if pk not in _DEFINITIONS]
    if missing:
        _DEFINITIONS.update(
            ProcedureVersion.objects.with_scopes_disabled().filter(pk__in=missing).values_list("pk", "definition")
        )
    return {pk: _DEFINITIONS[pk] for pk in set(version_ids) if pk in _DEFINITIONS}


def submit_caches_clear() -> None:
    """Forget cached look-ups (tests, which reuse primary keys across databases)."""
    _SUBMIT_LOOKUPS.clear()
    _DEFINITIONS.clear()


def catalog_revision() -> str:
    """Return a short digest that changes whenever any published catalog changes.

    Covers every active municipality (code and names) and every procedure's published state
    and current version; versions are immutable, so a new definition is a new version id.
    Two small queries: the API's OpenAPI document is cached per revision.
    """
    municipalities = list(
        Municipality.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "code", "name", "name_kana", "name_en", "prefecture_id")
    )
    procedures = list(
        Procedure.objects.with_scopes_disabled()
        .filter(municipality__is_active=True)
        .order_by("pk")
        .values_list("pk", "municipality_id", "slug", "is_published", "current_version_id")
    )
    return hashlib.sha256(repr((municipalities, procedures)).encode()).hexdigest()[:20]


def catalog_published() -> list[Procedure]:
    """Every published procedure of every active municipality, with its current version."""
    return list(
        Procedure.objects.with_scopes_disabled()
        .filter(municipality__is_active=True, is_published=True, current_version__isnull=False)
        .select_related("municipality", "current_version")
        .order_by("municipality__code", "slug")
    )
