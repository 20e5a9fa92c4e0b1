"""The two baselines. CSRF-exempt like the API (django-ninja views are too)."""

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.minimal.models import AuditEntry, Case, Counter

COUNTER = "receipt"


@csrf_exempt
@require_POST
def minimal_submit(request: HttpRequest) -> JsonResponse:
    """Parse the JSON body and store it with a receipt number: lock the counter row, bump it,
    insert the case, insert the audit row, all in one transaction."""
    try:
        document = json.loads(request.body)
        answers = document["answers"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "malformed"}, status=400)
    key = request.headers.get("Idempotency-Key", "")
    now = timezone.now()
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(name=COUNTER)  # the row comes with the migration
        counter.last += 1
        counter.save(update_fields=["last"])
        receipt_number = f"BENCH-{counter.last:06d}"
        Case.objects.create(receipt_number=receipt_number, idempotency_key=key, answers=answers, submitted_at=now)
        AuditEntry.objects.create(
            event="cases.case.submitted", object_id=receipt_number, payload={"key": key}, created_at=now
        )
    return JsonResponse({"receipt_number": receipt_number}, status=201)


@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    """No database, no parsing: what Django and its middleware cost on their own."""
    return JsonResponse({"ok": True})
