"""Background issuance of decision documents (Django's task API; the database queue by default)."""

from __future__ import annotations

import logging

from django_scopes import scope, scopes_disabled
from django_tasks import task

from madoguchi.cases.models import Case

logger = logging.getLogger(__name__)


@task(queue_name="documents")
def document_issue_task(case_id: int, kind: str, actor: str) -> int | None:
    """Issue a case's decision document; return the IssuedDocument id, or None if none was issued.

    A municipality without a signing key issues nothing: the decision stands, and the warning
    tells the operator what is missing. A document that cannot be drawn is logged with the
    characters at fault; staff can re-issue once the data is fixed. Safe to run twice (a
    worker that died after issuing, a task retried): the second run returns the same document.
    """
    from madoguchi.signatures.documents.services import (
        DocumentHeld,
        DocumentNotAvailable,
        SignaturesNotConfigured,
        UnprintableCharacters,
        document_issue_for_decision,
    )

    with scopes_disabled():  # the job knows only the case id; everything after runs in its scope
        case = Case.objects.select_related("municipality", "procedure_version").get(pk=case_id)
    with scope(municipality=case.municipality):
        try:
            return document_issue_for_decision(case=case, kind=kind, actor=actor).pk
        except SignaturesNotConfigured as error:
            logger.warning("No %s document issued for %s: %s", kind, case.receipt_number, error)
        except UnprintableCharacters as error:
            logger.error("No %s document issued for %s: the font cannot draw %s", kind, case.receipt_number, error)
        except DocumentHeld as held:
            # Whoever held it issues it when the reason is gone (payments: once the fee is paid).
            logger.info("The %s document of %s is held: %s", kind, case.receipt_number, held.reason)
        except DocumentNotAvailable:
            logger.warning("No %s document issued for %s: the decision changed", kind, case.receipt_number)
    return None
