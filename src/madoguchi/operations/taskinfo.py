"""What the operator needs to know about a queued task: whose it is, in a few words.

A task row stores only its function's path and arguments. The known tasks are listed here
with how to find the municipality they work for — the audit chain an operator's action on
the task is written to. If you add a task, add it here.
"""

from __future__ import annotations

from collections.abc import Callable

from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from madoguchi.tenants.models import Municipality


def _case_municipality(args: list) -> Municipality | None:
    from madoguchi.cases.models import Case

    with scopes_disabled():
        case = Case.objects.select_related("municipality").filter(pk=args[0]).first() if args else None
    return case.municipality if case else None


def _municipality(args: list) -> Municipality | None:
    return Municipality.objects.filter(pk=args[0]).first() if args else None


# task path -> how to find its municipality from its positional arguments
MUNICIPALITY_OF: dict[str, Callable[[list], Municipality | None]] = {
    "madoguchi.signatures.documents.tasks.document_issue_task": _case_municipality,
    "madoguchi.assistant.tasks.faq_embeddings_task": _municipality,
    "madoguchi.assistant.tasks.faq_embeddings_chunk_task": _municipality,
}


def task_municipality(result: DBTaskResult) -> Municipality | None:
    """Return the municipality ``result`` works for, or None for a task not listed here."""
    resolve = MUNICIPALITY_OF.get(result.task_path)
    if resolve is None:
        return None
    args = (result.args_kwargs or {}).get("args") or []
    try:
        return resolve(args)
    except (TypeError, ValueError):  # arguments of an older version of the task
        return None


def task_short_name(result: DBTaskResult) -> str:
    return result.task_path.rsplit(".", 1)[-1]
