"""Shared fixtures. Data is made through the project's own services (demo loader,
catalog loader, case_submit) so tests cannot drift from what production code does."""

from __future__ import annotations

import copy
import inspect
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from madoguchi.demo.tenants import demo_tenants_load
from madoguchi.procedures import services as procedure_services
from madoguchi.procedures.services import catalog_load

JST = ZoneInfo("Asia/Tokyo")
CATALOG_DIR = Path(__file__).resolve().parents[1] / "catalog"


_ORIGINAL_LOAD = procedure_services.load_definition_file
_PARSED: dict[Path, dict] = {}


def shipped_definition(name: str) -> dict:
    """The catalog file ``name`` exactly as shipped (parsed and checked afresh, not memoised)."""
    return _ORIGINAL_LOAD(CATALOG_DIR / name)


def _load_for_tests(path: Path) -> dict:
    if path not in _PARSED:
        _PARSED[path] = _ORIGINAL_LOAD(path)
    return copy.deepcopy(_PARSED[path])


@pytest.fixture(autouse=True)
def _parse_catalog_once(monkeypatch):
    """Parse each catalog file once per session.

    Every test database gets the demo catalog through ``catalog_load``; only parsing and
    schema checking, which tests/procedures exercise directly, is memoised.
    """
    monkeypatch.setattr(procedure_services, "load_definition_file", _load_for_tests)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from madoguchi.procedures.selectors import submit_caches_clear

    cache.clear()
    submit_caches_clear()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Build fixture data without tenant scoping; run test bodies scoped, as production code runs.

    As in pretix's test suite: a fixture that returns its data is set up with scoping
    disabled, so fixtures need no ``scopes_disabled()`` of their own. A test body runs with
    no scope active, so an unscoped query in it (or in the code it calls) raises ScopeError
    exactly as it would in a request; a body that reads rows of a municipality says which
    (``for_municipality``). Yield fixtures are left alone: their teardown runs in the body's state.
    """
    if inspect.isgeneratorfunction(fixturedef.func):
        return (yield)
    with scopes_disabled():
        return (yield)


def _demo_load() -> list:
    loaded = demo_tenants_load()
    for municipality in loaded:
        catalog_load(municipality=municipality, directory=CATALOG_DIR)
    return loaded


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo once per session, after the migrations.

    Most tests need the demo municipalities, and loading them costs about a second; each
    test runs in a transaction that is rolled back, so every test starts from this state.
    pytest-django runs transactional tests (live server) last; the flush after each of
    them empties the database, and :func:`municipalities` then loads the demo again.
    """
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(procedure_services, "load_definition_file", _load_for_tests)
        _demo_load()


@pytest.fixture
def municipalities(db):
    """The two demo municipalities (青葉市 082015, 港川市 082023) with their catalogs."""
    from madoguchi.demo.tenants import MUNICIPALITIES
    from madoguchi.tenants.models import Municipality

    codes = [m["code"] for m in MUNICIPALITIES]
    found = {m.code: m for m in Municipality.objects.filter(code__in=codes)}
    if len(found) != len(codes):  # a transactional test flushed the database
        return _demo_load()
    return [found[code] for code in codes]


@pytest.fixture
def aoba(municipalities):
    return municipalities[0]


@pytest.fixture
def minatogawa(municipalities):
    return municipalities[1]


@pytest.fixture
def version_of():
    """Return the current version of procedure ``slug`` in a municipality."""
    from madoguchi.procedures.selectors import procedure_get

    def get(municipality, slug):
        return procedure_get(municipality=municipality, slug=slug).current_version

    return get


@pytest.fixture
def now():
    """A fixed clock: 2026-06-15 10:00 JST (fiscal year 2026)."""
    return datetime(2026, 6, 15, 10, 0, tzinfo=JST)


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory):
    """The demo PKI (demo JPKI CA + software card, organisation keys of both cities), made once."""
    from madoguchi.demo.pki import demo_pki_ensure

    directory = tmp_path_factory.mktemp("pki") / "demo-pki"
    demo_pki_ensure(directory, [("082015", "青葉市"), ("082023", "港川市")])
    return directory


@pytest.fixture
def signatures_configured(demo_pki, settings):
    """Point the signatures file setting at the demo PKI; returns its directory."""
    settings.MADOGUCHI_SIGNATURES_FILE = str(demo_pki / "signatures.yaml")
    return demo_pki
