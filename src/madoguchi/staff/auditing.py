"""The one door to the audit chain for what happens to a staff account.

Sign-ins, password links, role changes: each is recorded against the account (object type
``staff``, the user name) in the chain of the municipality the account belongs to — or the
platform's chain for an operator, see :func:`~madoguchi.staff.selectors.staff_audit_owner`.
Prefecture staff have no chain (they see aggregate figures only): their events are logged.
"""

from __future__ import annotations

import logging

from django.db import transaction

from madoguchi.audit.chain import ChainOwner
from madoguchi.audit.services import audit_log
from madoguchi.staff.selectors import staff_audit_owner

logger = logging.getLogger(__name__)


def staff_log_action(
    user, *, event: str, actor: str | None = None, payload: dict | None = None, owner: ChainOwner | None = None
) -> None:
    """Record ``event`` about ``user``'s account, by ``actor`` (default: the user themself).

    ``owner`` names the chain when the caller knows it (a municipality's administrator acting
    on their own staff); otherwise it is the account's own. Joins the caller's transaction.
    """
    own_owner, own_actor = staff_audit_owner(user)
    owner = owner or own_owner
    if owner is None:
        logger.info("%s user=%s payload=%s", event, user.get_username(), payload or {})
        return
    with transaction.atomic():
        audit_log(
            municipality=owner,
            event=event,
            actor=actor or own_actor,
            object_type="staff",
            object_id=user.get_username(),
            payload=payload or {},
        )
