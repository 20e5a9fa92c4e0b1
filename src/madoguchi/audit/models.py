"""Append-only, hash-chained audit log, one chain per municipality and one for the platform.

Each entry's hash covers its canonical content and the previous entry's hash, so an
edit, deletion, insertion or reordering breaks the chain from that point on. The
chain head is a row of its own (:class:`AuditHead`) that writers lock, which serialises
appends per municipality without locking the whole table.

A chain alone cannot show that its newest entries were cut off or rewritten together with
the head, so ``madoguchi audit checkpoint`` records the head every day as an
:class:`AuditCheckpoint` (and prints it, so the operator's logs keep a copy outside the
database); verification checks the chain against the head and every checkpoint.

On PostgreSQL both tables refuse UPDATE and DELETE (a trigger, migration 0003); only the
table owner can switch that off, and the chain shows what such an owner changed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager

GENESIS_HASH = "0" * 64


class AuditHead(models.Model):
    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    objects = municipality_scoped_manager()

    def __str__(self) -> str:
        return f"{self.municipality_id}: #{self.sequence}"


class AuditEntry(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField()
    event = models.CharField(_("event"), max_length=80, db_index=True)
    actor = models.CharField(_("actor"), max_length=120)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "sequence"]
        constraints = [models.UniqueConstraint(fields=["municipality", "sequence"], name="uniq_audit_sequence")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.event}"


class AuditCheckpoint(models.Model):
    """The chain head (sequence and hash) as it was at ``created_at``.

    Entries up to ``sequence`` can no longer be removed or rewritten, even with the head,
    without the checkpoint disagreeing with the chain.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "sequence", "created_at"]
        indexes = [models.Index(fields=["municipality", "sequence"], name="audit_checkpoint_seq")]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"{self.municipality_id}: #{self.sequence} {self.hash[:12]}"


# --- the platform chain -------------------------------------------------------------------
# What no municipality owns — the platform operator's sign-ins and the operator's changes to
# platform-level objects in /admin/ — goes to one chain of its own, with the same hashing,
# head and checkpoints as a municipality's (``audit_log(municipality=PLATFORM, …)``). Tables
# of their own rather than a nullable municipality: a municipality's chain stays exactly
# what its scoped manager returns, and no query can mix the two.

PLATFORM_HEAD_ID = 1


class PlatformAuditHead(models.Model):
    """The platform chain's head: a single row (pk :data:`PLATFORM_HEAD_ID`) that writers lock."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"platform: #{self.sequence}"


class PlatformAuditEntry(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    event = models.CharField(_("event"), max_length=80, db_index=True)
    actor = models.CharField(_("actor"), max_length=120)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("platform audit entry")
        verbose_name_plural = _("platform audit entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.event}"


class PlatformAuditCheckpoint(models.Model):
    """The platform chain's head as it was at ``created_at`` (see :class:`AuditCheckpoint`)."""

    sequence = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["sequence", "created_at"]
        verbose_name = _("platform audit checkpoint")
        verbose_name_plural = _("platform audit checkpoints")

    def __str__(self) -> str:
        return f"platform: #{self.sequence} {self.hash[:12]}"
