"""Parallel submits from separate processes on PostgreSQL (issue #2): receipt numbers stay
unique and gap-free, and one idempotency key yields one case however many race for it."""

import multiprocessing

import pytest
from django.db import connections
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.cases.models import Case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROCESSES = 4
PER_PROCESS = 10


def _submit_many(keys: list[str], queue) -> None:
    from django.db import connection

    from madoguchi.procedures.selectors import procedure_get
    from madoguchi.tenants.models import Municipality

    try:
        municipality = Municipality.objects.get(code="082015")
        version = procedure_get(municipality=municipality, slug="inkan-certificate").current_version
        numbers = []
        for key in keys:
            result = case_submit_as_resident(
                municipality=municipality, procedure_version=version, answers=INKAN, idempotency_key=key
            )
            numbers.append(result.case.receipt_number)
        queue.put(("ok", numbers))
    except Exception as exc:  # report to the parent instead of dying silently
        queue.put(("error", repr(exc)))
    finally:
        connection.close()


def run_in_processes(key_lists: list[list[str]]) -> list[str]:
    connections.close_all()  # children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_submit_many, args=(keys, queue)) for keys in key_lists]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    errors = [detail for status, detail in results if status == "error"]
    assert errors == []
    return [number for _status, numbers in results for number in numbers]


def test_parallel_submits_get_unique_consecutive_receipt_numbers(municipalities):
    key_lists = [[f"p{p}-{i}" for i in range(PER_PROCESS)] for p in range(PROCESSES)]
    numbers = run_in_processes(key_lists)
    total = PROCESSES * PER_PROCESS
    assert len(set(numbers)) == total
    year = numbers[0].split("-")[1]
    assert sorted(numbers) == [f"082015-{year}-{n:06d}" for n in range(1, total + 1)]


def test_parallel_submits_with_one_key_create_one_case(municipalities):
    numbers = run_in_processes([["same-key"] * 3 for _ in range(PROCESSES)])
    assert len(set(numbers)) == 1
    assert Case.objects.for_municipality(municipalities[0]).filter(idempotency_key="same-key").count() == 1
