"""文書番号: the number an office gives every document it sends out (青市民第45号).

A decision notice carries its number top right, above the date; the office's register
(文書番号簿) lists every number of the fiscal year (年度, from 1 April) in order, and a number
that was taken but never sent is a hole someone must explain. So a number is taken in the
transaction that writes the document's row — the same way receipt numbers are
(``cases.services.receipt_sequences_reserve``) — and a document that cannot be made rolls the
number back with it: the numbers of a year are gap-free.

The prefix (文書記号) is the department's own if it has one (``Department.document_prefix``),
else the municipality's (``Municipality.document_prefix``, else its name). Each prefix is
numbered on its own, so departments sharing the municipality's prefix share one sequence
and never print the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from madoguchi.jp.wareki import fiscal_year
from madoguchi.signatures.models import DocumentNumberCounter
from madoguchi.tenants.models import Department, Municipality


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    fiscal_year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.prefix}第{self.sequence}号"


def document_prefix(*, municipality: Municipality, department: Department | None) -> str:
    """Return the 文書記号 documents of ``department`` (or of the municipality) are numbered under."""
    if department is not None and department.document_prefix:
        return department.document_prefix
    return municipality.document_prefix or municipality.name


def document_number_take(*, municipality: Municipality, department: Department | None, on: date) -> DocumentNumber:
    """Take the next 文書番号 of ``department``'s prefix in the fiscal year of ``on``.

    Call inside the transaction that stores the numbered document: the counter row stays
    locked until it ends, so a second issuance waits, and a rollback gives the number back.
    """
    prefix = document_prefix(municipality=municipality, department=department)
    year = fiscal_year(on)
    # One UPDATE ... RETURNING both locks the counter row and bumps it (as for receipt numbers).
    sql = (
        f"UPDATE {DocumentNumberCounter._meta.db_table} SET last = last + 1 "  # noqa: S608 (no user input)
        "WHERE municipality_id = %s AND fiscal_year = %s AND prefix = %s RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [municipality.pk, year, prefix])
        row = cursor.fetchone()
        if row is None:  # the prefix's first document of the fiscal year
            DocumentNumberCounter.objects.for_municipality(municipality).bulk_create(
                [DocumentNumberCounter(municipality=municipality, fiscal_year=year, prefix=prefix)],
                ignore_conflicts=True,
            )
            cursor.execute(sql, [municipality.pk, year, prefix])
            row = cursor.fetchone()
    return DocumentNumber(prefix=prefix, fiscal_year=year, sequence=row[0])
