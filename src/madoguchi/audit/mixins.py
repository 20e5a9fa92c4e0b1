"""The audit chain's door on a model, as pretix's ``LoggingMixin.log_action``.

A tenant-owned model that is the subject of audited actions mixes in :class:`LoggedModel`
and says how it is named in the chain; services then write ``case.log_action(...)`` instead
of each app wrapping :func:`~madoguchi.audit.services.audit_log` in a helper of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from madoguchi.audit.services import audit_log

if TYPE_CHECKING:
    from madoguchi.audit.models import AuditEntry


class LoggedModel:
    """Mix into a model with a ``municipality``; set ``audit_object_type``."""

    audit_object_type: ClassVar[str]

    def audit_object_id(self) -> str:
        return str(self.pk)  # type: ignore[attr-defined]

    def audit_payload(self) -> dict:
        """Return what every entry about this object records (never personal data)."""
        return {}

    def log_action(self, event: str, *, actor: str, payload: dict | None = None) -> AuditEntry:
        """Append ``event`` about this object to its municipality's chain (inside the change's transaction)."""
        return audit_log(
            municipality=self.municipality,  # type: ignore[attr-defined]
            event=event,
            actor=actor,
            object_type=self.audit_object_type,
            object_id=self.audit_object_id(),
            payload={**self.audit_payload(), **(payload or {})},
        )
