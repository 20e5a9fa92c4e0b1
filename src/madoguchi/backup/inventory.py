"""What a database holds, in numbers: the part of the manifest a restore is checked against.

Per municipality: how many cases, attachments, issued documents, organisational signatures
and audit entries there are, and the head (sequence, hash) of its audit chain; and which
migrations are applied, per app.

The numbers must describe exactly the rows in the dump, so they are read in the dump's own
snapshot: on PostgreSQL in the transaction whose snapshot ``pg_dump`` is given, on SQLite
from the copy the online backup made (a file Django has no connection for). That is why this
module counts with plain SQL on a DB-API cursor rather than through the domain selectors:
it has to run on connections Django does not manage, across every municipality at once.
"""

from __future__ import annotations

from django.db import models

from madoguchi.audit.models import AuditEntry, AuditHead
from madoguchi.cases.models import Attachment, Case
from madoguchi.signatures.models import IssuedDocument, OrganisationSignature
from madoguchi.tenants.models import Municipality

COUNTED: dict[str, type[models.Model]] = {
    "cases": Case,
    "attachments": Attachment,
    "issued_documents": IssuedDocument,
    "organisation_signatures": OrganisationSignature,
    "audit_entries": AuditEntry,
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _municipality_column(model: type[models.Model]) -> str:
    return model._meta.get_field("municipality").column


def database_inventory(cursor) -> dict:
    """Return ``{"migrations": {app: [name, ...]}, "municipalities": {code: {...}}}`` from ``cursor``."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)

    municipality = _q(Municipality._meta.db_table)
    cursor.execute(f"SELECT id, code, name FROM {municipality} ORDER BY code")  # noqa: S608 (names from models)
    rows = cursor.fetchall()
    by_id = {pk: code for pk, code, _name in rows}
    found: dict[str, dict] = {
        code: {"name": name, **dict.fromkeys(COUNTED, 0), "audit_head": {"sequence": 0, "hash": ""}}
        for _pk, code, name in rows
    }
    for key, model in COUNTED.items():
        column = _q(_municipality_column(model))
        cursor.execute(
            f"SELECT {column}, COUNT(*) FROM {_q(model._meta.db_table)} GROUP BY {column}"  # noqa: S608
        )
        for pk, count in cursor.fetchall():
            found[by_id[pk]][key] = count
    head = _q(AuditHead._meta.db_table)
    cursor.execute(f"SELECT {_q(_municipality_column(AuditHead))}, sequence, hash FROM {head}")  # noqa: S608
    for pk, sequence, digest in cursor.fetchall():
        found[by_id[pk]]["audit_head"] = {"sequence": sequence, "hash": digest}
    return {"migrations": migrations, "municipalities": found}


def storage_names(cursor) -> list[str]:
    """Every file name an attachment or issued document row points at in the media storage."""
    selects = " UNION ".join(
        f"SELECT storage_name FROM {_q(model._meta.db_table)}"  # noqa: S608
        for model in (Attachment, IssuedDocument)
    )
    cursor.execute(selects)
    return sorted(row[0] for row in cursor.fetchall())


def inventory_differences(expected: dict, actual: dict) -> list[str]:
    """Return one line per number that differs between two inventories' municipalities."""
    lines = []
    for code in sorted(set(expected) | set(actual)):
        if code not in actual:
            lines.append(f"{code}: in the backup, missing after the restore")
            continue
        if code not in expected:
            lines.append(f"{code}: not in the backup, present after the restore")
            continue
        for key in (*COUNTED, "audit_head"):
            if expected[code].get(key) != actual[code].get(key):
                lines.append(f"{code} {key}: backup {expected[code].get(key)}, restored {actual[code].get(key)}")
    return lines
