"""Staff writing the FAQ: who may write and publish which entry, and their writes through the
entry services.

Who may do what (``tenants.access.ACTION_ROLES``): every staff member of the municipality
may read; staff of an entry's department write it (``faq_edit``); reviewers, approvers and
administrators publish it (``faq_publish``) — an answer residents will rely on is looked at
by a second pair of eyes. An entry without a department is the all-department
administrators'. So a writer limited to some departments must give an entry one of them;
:func:`faq_departments_allowed` turns that into the rule the services check with every other
rule, and a refusal comes back as one more field error of the form.

The back office calls these functions only; they check the staff member's right to act
(``ActionNotAllowed``, shown as "not found") and pass the acting staff member as the actor.
"""

from __future__ import annotations

from collections.abc import Mapping

from madoguchi.assistant import answering, categories, services
from madoguchi.assistant.models import FaqEntry
from madoguchi.assistant.validation import TranslationIn
from madoguchi.tenants.access import ActionNotAllowed, StaffContext
from madoguchi.tenants.models import Department


def faq_may(*, staff: StaffContext, action: str, entry: FaqEntry | None) -> bool:
    """Return whether ``staff`` may ``action`` (faq_edit, faq_publish) ``entry`` (None: a departmentless one)."""
    department_id = entry.department_id if entry is not None else None
    if department_id is None:
        return staff.all_departments and staff.can(action, None)
    return staff.can(action, department_id)


def faq_departments_writable(*, staff: StaffContext) -> list[Department]:
    """Return the departments ``staff`` may give an entry."""
    return [d for d in Department.objects.for_municipality(staff.municipality) if staff.can("faq_edit", d.pk)]


def faq_may_create(*, staff: StaffContext) -> bool:
    """Return whether ``staff`` may write a new entry at all."""
    return bool(faq_departments_writable(staff=staff)) or faq_may(staff=staff, action="faq_edit", entry=None)


def faq_departments_allowed(*, staff: StaffContext, entry: FaqEntry | None = None) -> set[str] | None:
    """Return the department codes ``staff`` may choose ("" for none), or None for any.

    An entry keeps the department it has: leaving it unchanged is not a new choice.
    """
    if staff.all_departments and staff.can("faq_edit", None):
        return None
    allowed = {d.code for d in faq_departments_writable(staff=staff)}
    if entry is not None:
        allowed.add(entry.department.code if entry.department_id else "")
    return allowed


def faq_entry_create_by_staff(
    *,
    staff: StaffContext,
    external_id: str,
    category: str,
    department: str,
    source_url: str,
    procedure_slug: str,
    translations: Mapping[str, TranslationIn],
) -> FaqEntry:
    """Create a draft entry written by ``staff``; raise ``FaqInvalid`` with every problem."""
    if not faq_may_create(staff=staff):
        raise ActionNotAllowed("faq_edit")
    return services.faq_entry_create(
        municipality=staff.municipality,
        external_id=external_id,
        category=category,
        department=department,
        departments_allowed=faq_departments_allowed(staff=staff),
        source_url=source_url,
        procedure_slug=procedure_slug,
        translations=translations,
        actor=staff.actor_label,
    )


def faq_entry_update_by_staff(
    *,
    staff: StaffContext,
    entry: FaqEntry,
    category: str,
    department: str,
    source_url: str,
    procedure_slug: str,
    translations: Mapping[str, TranslationIn],
) -> bool:
    """Replace ``entry``'s content with what ``staff`` wrote (languages not given are removed).

    Return whether a new version was made; raise ``FaqInvalid`` with every problem.
    """
    if not faq_may(staff=staff, action="faq_edit", entry=entry):
        raise ActionNotAllowed("faq_edit")
    return services.faq_entry_update(
        entry=entry,
        actor=staff.actor_label,
        category=category,
        department=department,
        departments_allowed=faq_departments_allowed(staff=staff, entry=entry),
        source_url=source_url,
        procedure_slug=procedure_slug,
        translations=translations,
        replace_translations=True,
    )


def faq_entry_publish_by_staff(*, staff: StaffContext, entry: FaqEntry, publish: bool) -> bool:
    """Publish (or, with ``publish`` false, withdraw) ``entry``; return whether it changed."""
    if not faq_may(staff=staff, action="faq_publish", entry=entry):
        raise ActionNotAllowed("faq_publish")
    if publish:
        return services.faq_entry_publish(entry=entry, actor=staff.actor_label)
    return services.faq_entry_unpublish(entry=entry, actor=staff.actor_label)


def faq_draft_by_staff(
    *, staff: StaffContext, question_ids: list[str], external_id: str, category: str, department: str
) -> FaqEntry:
    """Turn unanswered questions into a draft entry of one of ``staff``'s departments.

    A draft always has a department (the one that will write the answer), even when an
    administrator makes it. Raise ``FaqInvalid`` with every problem.
    """
    writable = {d.code for d in faq_departments_writable(staff=staff)}
    if not writable:
        raise ActionNotAllowed("faq_edit")
    return answering.faq_draft_from_questions(
        municipality=staff.municipality,
        question_ids=question_ids,
        external_id=external_id,
        category=category,
        department=department,
        departments_allowed=writable,
        actor=staff.actor_label,
    )


def category_may_edit(*, staff: StaffContext) -> bool:
    """Return whether ``staff`` may label the categories: they are the whole municipality's, so
    an all-department publisher's."""
    return faq_may(staff=staff, action="faq_publish", entry=None)


def category_labels_update_by_staff(*, staff: StaffContext, key: str, labels: Mapping[str, str]):
    if not category_may_edit(staff=staff):
        raise ActionNotAllowed("faq_publish")
    from madoguchi.assistant.models import FaqCategory

    if not FaqCategory.objects.for_municipality(staff.municipality).filter(key=key).exists():
        raise ActionNotAllowed("faq_publish")  # shown as not found, like another municipality's
    return categories.category_labels_update(
        municipality=staff.municipality, key=key, labels=labels, actor=staff.actor_label
    )
