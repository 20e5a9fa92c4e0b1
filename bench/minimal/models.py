"""Plain tables: no tenant scoping, no hash chain, no validation."""

from django.db import models


class Counter(models.Model):
    name = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class Case(models.Model):
    receipt_number = models.CharField(max_length=24, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    answers = models.JSONField()
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.receipt_number


class AuditEntry(models.Model):
    event = models.CharField(max_length=80)
    object_id = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.event} {self.object_id}"
