"""Changes made in ``/admin/`` go to the audit chain, not only to Django's admin history.

Django records admin changes as ``LogEntry`` rows, which anyone with database access can
edit. Each add, change and delete is therefore also appended to an audit chain, in the
transaction of the change where the admin opens one:

* to the chain of the municipality the object belongs to — the object itself if it is a
  municipality, its ``municipality``, or for a user (and what hangs off a user: roles, OTP
  devices, a lockout record by user name) the municipality they are staff of — so the
  municipality's administrators see in their own audit log what the operator changed;
* to the platform chain for everything else (prefectures, operators, groups …).

Events: ``admin.object.added``, ``admin.object.changed``, ``admin.object.deleted``; actor
``platform:<user name>``; object type ``app_label.model``; object id the user name for a
user or something belonging to one, else the primary key. The payload names the changed
fields (by their untranslated labels, as Django's history does) and the kinds of related
objects added, changed or deleted on the same page — never values, and never the related
objects' names, which may be personal data.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django_scopes import scopes_disabled

from madoguchi.audit.chain import PLATFORM, ChainOwner
from madoguchi.audit.services import audit_log
from madoguchi.tenants.models import Municipality, StaffMembership

EVENT_ADDED = "admin.object.added"
EVENT_CHANGED = "admin.object.changed"
EVENT_DELETED = "admin.object.deleted"


def _user_of(obj):
    User = get_user_model()
    if isinstance(obj, User):
        return obj
    user = getattr(obj, "user", None)
    if isinstance(user, User):
        return user
    username = getattr(obj, "username", None)  # e.g. axes' lockout records
    if isinstance(username, str) and username:
        return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    return None


def admin_audit_owners(obj) -> list[ChainOwner]:
    """Return the chains an admin change to ``obj`` is recorded in (the platform's if no municipality's)."""
    if isinstance(obj, Municipality):
        return [obj]
    if getattr(obj, "municipality_id", None) is not None:
        return [Municipality.objects.get(pk=obj.municipality_id)]
    user = _user_of(obj)
    if user is not None and user.pk is not None:
        with scopes_disabled():  # a user's memberships are found by user, across municipalities
            ids = list(StaffMembership.objects.filter(user=user).values_list("municipality_id", flat=True))
        municipalities = list(Municipality.objects.filter(pk__in=ids).order_by("code"))
        if municipalities:
            return municipalities
    return [PLATFORM]


def _object_ref(obj) -> tuple[str, str]:
    user = _user_of(obj)
    object_id = user.get_username() if user is not None else str(obj.pk)
    return obj._meta.label_lower, object_id


def _changes(message) -> list[dict]:
    """Return what Django's structured change message says changed, without any object names."""
    if not isinstance(message, list):
        return []
    changes = []
    for item in message:
        if not isinstance(item, dict):
            continue
        for kind, detail in item.items():
            change: dict = {"kind": str(kind)}
            if isinstance(detail, dict):
                if detail.get("name"):
                    change["model"] = str(detail["name"])
                if detail.get("fields"):
                    change["fields"] = [str(field) for field in detail["fields"]]
            changes.append(change)
    return changes


def admin_action_audit(*, request, obj, event: str, message=None) -> None:
    """Append the audit entry of one admin change of ``obj`` to each chain it belongs to."""
    object_type, object_id = _object_ref(obj)
    payload: dict = {"pk": str(obj.pk)}
    changes = _changes(message)
    if changes:
        payload["changes"] = changes
    actor = f"platform:{request.user.get_username()}"
    with transaction.atomic():
        for owner in admin_audit_owners(obj):
            audit_log(
                municipality=owner,
                event=event,
                actor=actor,
                object_type=object_type,
                object_id=object_id,
                payload=payload,
            )


class AuditedAdminMixin:
    """Audit what a ModelAdmin adds, changes and deletes (PlatformAdminSite puts it on every one).

    Additions and changes are recorded where Django writes its history (``log_addition``,
    ``log_change``: inside the change form's transaction); deletions where they happen
    (``delete_model``, ``delete_queryset``), in one transaction with the delete, since
    Django logs a bulk deletion outside any transaction.
    """

    def log_addition(self, request, obj, message):
        result = super().log_addition(request, obj, message)
        admin_action_audit(request=request, obj=obj, event=EVENT_ADDED, message=message)
        return result

    def log_change(self, request, obj, message):
        result = super().log_change(request, obj, message)
        admin_action_audit(request=request, obj=obj, event=EVENT_CHANGED, message=message)
        return result

    def delete_model(self, request, obj):
        with transaction.atomic():
            admin_action_audit(request=request, obj=obj, event=EVENT_DELETED)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                admin_action_audit(request=request, obj=obj, event=EVENT_DELETED)
            super().delete_queryset(request, queryset)
