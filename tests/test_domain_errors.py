"""Every refusal a person can meet is a DomainError that every door maps (issues 10 and 11).

The test imports every module of ``src/madoguchi`` and walks the exception classes defined
there. Each must either be a :class:`~madoguchi.core.errors.DomainError` — with a status a door
answers and a problem kind the API documents — or be listed below as internal, with the reason
it never reaches a door. A new exception class that is neither fails here, before it can reach
a resident as a 500.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.test import RequestFactory
from django.utils import translation

import madoguchi
from madoguchi.api.problems import TITLES
from madoguchi.core.errors import DomainError, NotFound

# Exceptions that are caught where they are raised and turned into a DomainError (or are
# only ever raised to a command line or a job's log): name -> why it never reaches a door.
INTERNAL = {
    "madoguchi.procedures.definition.DefinitionError": "catalog files: reported by `madoguchi catalog` with file and line",
    "madoguchi.procedures.definition.DefinitionProblem": "raised by definition checks, turned into DefinitionError",
    "madoguchi.procedures.errors.FieldInvalid": "one answer's problem, collected into AnswersInvalid",
    "madoguchi.jp.text.JapaneseInputError": "turned into FieldInvalid by the field types",
    "madoguchi.signatures.cms.CmsInvalid": "turned into SignatureRejected('malformed')",
    "madoguchi.signatures.authapp.jose.JoseInvalid": "turned into AuthAppFlowInvalid by the authapp client",
    "madoguchi.signatures.canonical.NotCanonicalisable": "turned into SignatureRejected or a field error",
    "madoguchi.signatures.signing.CardUnreadable": "`madoguchi sign` and the demo card only: a command error",
    "madoguchi.signatures.organisation.OrganisationSigningFailed": "turned into approvals' SigningFailed (409)",
    "madoguchi.signatures.config.SignaturesNotConfigured": "means 'no key / not configured': each caller decides",
    "madoguchi.signatures.crl.CrlRefreshFailed": "`madoguchi signatures crl-refresh` and the scheduler's log",
    "madoguchi.signatures.documents.render.UnprintableCharacters": "the documents job's log; staff re-issue",
    "madoguchi.storage.errors.StoredFileMismatch": "`madoguchi files verify` and the restore drill",
    "madoguchi.demo.cases.MunicipalityHasCases": "`madoguchi demo_cases` only",
    "madoguchi.procedures.pdf_content.PdfEncrypted": "turned into the field error file_encrypted",
    "madoguchi.procedures.pdf_content.PdfUnreadable": "turned into the field error file_unreadable",
    "madoguchi.operations.jobs.JobFailed": "a scheduled job's outcome, recorded in JobRun",
    "madoguchi.operations.recovery.WorkerLost": "the error recorded on a task whose worker died",
    "madoguchi.operations.schedules.ScheduleError": "a bad schedule setting, refused at start",
    "madoguchi.backup.crypto.ArchiveError": "`madoguchi backup|restore` only: a command error",
    "madoguchi.backup.crypto.ArchiveDamaged": "`madoguchi restore` only: a command error",
    "madoguchi.backup.crypto.WrongPassphrase": "`madoguchi restore` only: a command error",
    "madoguchi.backup.database.DumpFailed": "`madoguchi backup|restore` only: a command error",
    "madoguchi.backup.files.FilesRefused": "`madoguchi backup` only: a command error",
    "madoguchi.backup.passphrase.PassphraseMissing": "`madoguchi backup|restore` only: a command error",
    "madoguchi.backup.services.BackupRefused": "`madoguchi backup` only: a command error",
    "madoguchi.backup.services.BackupNotRecorded": "`madoguchi backup` only: a command error",
    "madoguchi.backup.restore.RestoreRefused": "`madoguchi restore` only: a command error",
    "madoguchi.backup.restore.RestoreIncomplete": "`madoguchi restore` only: a command error",
    "madoguchi.api.requests.RequestRefused": "the API door's own body errors, mapped by its handler",
    "madoguchi.api.urls.RateLimited": "the API door's rate limit, mapped by its handler",
    "madoguchi.api.app.RateLimited": "the API door's rate limit, mapped by its handler",
}


def _modules():
    for info in pkgutil.walk_packages(madoguchi.__path__, prefix="madoguchi."):
        if ".migrations" in info.name or info.name.endswith((".__main__", ".wsgi", ".asgi")):
            continue
        if ".conf.settings." in info.name:
            continue
        yield importlib.import_module(info.name)


def _exception_classes() -> dict[str, type]:
    found = {}
    for module in _modules():
        for _name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Exception) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


EXCEPTIONS = _exception_classes()


def test_the_walk_finds_the_projects_exceptions():
    assert "madoguchi.cases.errors.IllegalTransition" in EXCEPTIONS
    assert "madoguchi.signatures.verification.SignatureRejected" in EXCEPTIONS
    assert len(EXCEPTIONS) > 30


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_every_exception_is_a_domain_error_or_internal_with_a_reason(name):
    assert issubclass(EXCEPTIONS[name], DomainError) or name in INTERNAL, (
        f"{name} is neither a DomainError (mapped by every door) nor listed as internal"
    )


def test_every_internal_exception_listed_still_exists():
    stale = [
        name
        for name in INTERNAL
        if name not in EXCEPTIONS
        and not name.startswith(("madoguchi.api.",))
    ]
    assert stale == []


DOMAIN_ERRORS = sorted(name for name, cls in EXCEPTIONS.items() if issubclass(cls, DomainError))


@pytest.mark.parametrize("name", DOMAIN_ERRORS)
def test_every_domain_error_has_a_door_status_and_a_documented_problem_kind(name):
    cls = EXCEPTIONS[name]
    assert cls.status in {404, 409, 422, 503}, f"{name}: status {cls.status}"
    assert cls.kind in TITLES, f"{name}: problem kind {cls.kind!r} has no title in api.problems"
    assert cls.code and cls.code == cls.code.lower() and " " not in cls.code
    if cls.status == 503:
        assert cls.retry_after


@pytest.mark.django_db
def test_a_domain_error_on_a_page_is_a_4xx_page_never_a_500(client, monkeypatch, settings):
    """Whatever a view raises, the page middleware answers with the refusal's status and message."""
    from madoguchi.cases.errors import IllegalTransition
    from madoguchi.portal.middleware import DomainErrorMiddleware

    request = RequestFactory().post("/082015/procedures/x/apply/confirm/", HTTP_ACCEPT_LANGUAGE="ja")
    middleware = DomainErrorMiddleware(lambda r: None)
    with translation.override("ja"):
        response = middleware.process_exception(request, IllegalTransition("decide", "completed"))
    assert response.status_code == 409
    assert "完了" in response.content.decode()
    with pytest.raises(Exception) as raised:
        middleware.process_exception(request, NotFound())
    assert raised.type.__name__ == "Http404"
