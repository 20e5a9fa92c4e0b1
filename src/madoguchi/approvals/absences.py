"""Absences (不在登録): who is away when, and who stands in (代決) meanwhile."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from madoguchi.approvals.errors import AbsenceInvalid, ApprovalNotAllowed, StaffNotFound
from madoguchi.approvals.models import Absence
from madoguchi.audit.services import audit_log
from madoguchi.tenants.access import StaffContext
from madoguchi.tenants.models import Role, StaffMembership


def absence_register(
    *,
    staff: StaffContext,
    user: AbstractBaseUser,
    start: date,
    end: date,
    now: datetime | None = None,
    deputy: AbstractBaseUser | None = None,
) -> Absence:
    """Register that ``user`` is away from ``start`` to ``end`` inclusive (不在登録).

    Staff register their own absences; a municipality administrator may register anyone's.
    ``deputy``, if given, is the one person who may 代決 for ``user`` meanwhile.
    """
    now = now or timezone.now()
    memberships = StaffMembership.objects.for_municipality(staff.municipality)
    if not memberships.filter(user_id=user.pk).exists():
        raise StaffNotFound
    is_admin = any(role == Role.ADMIN for _dept, role in staff.grants)
    if user.pk != staff.user_id and not is_admin:
        raise ApprovalNotAllowed("absence_of_another")
    if end < start or end < timezone.localdate(now):
        raise AbsenceInvalid
    if deputy is not None:
        if deputy.pk == user.pk:
            raise AbsenceInvalid
        if not memberships.filter(user_id=deputy.pk).exists():
            raise StaffNotFound
    with transaction.atomic():
        absence = Absence.objects.for_municipality(staff.municipality).create(
            municipality=staff.municipality,
            user_id=user.pk,
            start=start,
            end=end,
            deputy_id=deputy.pk if deputy is not None else None,
            created_at=now,
            created_by_id=staff.user_id,
        )
        audit_log(
            municipality=staff.municipality,
            event="approvals.absence.registered",
            actor=staff.actor_label,
            object_type="absence",
            object_id=str(absence.pk),
            payload={
                "user": user.get_username(),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "deputy": deputy.get_username() if deputy is not None else "",
            },
        )
    return absence
