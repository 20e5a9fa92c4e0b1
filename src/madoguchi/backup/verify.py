"""After a restore: does the instance hold what the backup held, and is it intact?

Each check is independent and reports what it found; a restore fails if any fails.

- **files** — every restored file has the size and SHA-256 the manifest recorded;
- **counts** — cases, attachments, issued documents, organisational signatures and audit
  entries per municipality, and each audit chain's head, equal the manifest's (read in the
  dump's snapshot when the backup was made);
- **audit chains** — :func:`madoguchi.audit.services.audit_chain_verify`, as
  ``madoguchi audit verify`` does;
- **organisational signatures** — :func:`organisation_signatures_verify`, as
  ``madoguchi signatures verify`` does: the restored rows and keys still belong together;
- **attachments** and **issued documents** — each file in storage has the SHA-256 its row says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection

from madoguchi.audit.services import audit_chain_verify
from madoguchi.backup.inventory import database_inventory, inventory_differences
from madoguchi.cases.models import Attachment
from madoguchi.signatures.models import IssuedDocument
from madoguchi.signatures.organisation_verify import organisation_signatures_verify
from madoguchi.tenants.commandline import municipalities_for_command

_READ = 1024 * 1024


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    problems: list[str] = field(default_factory=list)


def _sha256_of(handle) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_READ):
        digest.update(chunk)
    return digest.hexdigest()


def check_files(expected: list[dict], locations: dict[str, Path | str]) -> Check:
    """Re-read every restored file at its place (a path, or a name in the default storage)."""
    problems = []
    total = 0
    for entry in expected:
        location = locations.get(entry["name"])
        if location is None:
            continue
        try:
            if isinstance(location, Path):
                with open(location, "rb") as handle:
                    digest = _sha256_of(handle)
            else:
                with default_storage.open(location, "rb") as handle:
                    digest = _sha256_of(handle)
        except OSError as exc:
            problems.append(f"{entry['name']}: cannot be read ({exc.strerror or exc})")
            continue
        if digest != entry["sha256"]:
            problems.append(f"{entry['name']}: SHA-256 differs from the manifest")
        total += entry["size"]
    checked = sum(1 for entry in expected if entry["name"] in locations)
    return Check("files", not problems, f"{checked} files, {total:,} bytes, SHA-256 as in the manifest", problems)


def check_counts(manifest: dict) -> Check:
    with connection.cursor() as cursor:
        actual = database_inventory(cursor)["municipalities"]
    expected = manifest["municipalities"]
    problems = inventory_differences(expected, actual)
    totals = {key: sum(m[key] for m in actual.values()) for key in ("cases", "attachments", "issued_documents")}
    detail = (
        f"{len(actual)} municipalities; {totals['cases']} cases, {totals['attachments']} attachments, "
        f"{totals['issued_documents']} issued documents; audit heads as in the manifest"
    )
    return Check("counts", not problems, detail, problems)


def check_audit_chains(municipalities) -> Check:
    problems, entries = [], 0
    for municipality in municipalities:
        report = audit_chain_verify(municipality=municipality)
        entries += report.entries
        if report.problem is not None:
            problems.append(f"{municipality.code}: {report.problem}")
    return Check("audit chains", not problems, f"{entries} entries in {len(municipalities)} chains", problems)


def check_organisation_signatures(municipalities, *, allow_unsigned: bool) -> Check:
    problems, checked, valid = [], 0, 0
    for municipality in municipalities:
        report = organisation_signatures_verify(municipality=municipality)
        checked, valid = checked + report.checked, valid + report.valid
        findings = [*report.invalid, *report.missing, *([] if allow_unsigned else report.unsigned)]
        problems += [
            f"{municipality.code} {f.receipt_number} {f.object_type} {f.object_id}: {f.reason}" for f in findings
        ]
    return Check("organisational signatures", not problems, f"{checked} checked, {valid} valid", problems)


def _check_rows(name: str, model, municipalities) -> Check:
    problems, count = [], 0
    for municipality in municipalities:
        rows = model.objects.for_municipality(municipality).order_by("pk").values_list("pk", "storage_name", "sha256")
        for pk, storage_name, sha256 in rows.iterator():
            count += 1
            try:
                with default_storage.open(storage_name, "rb") as handle:
                    digest = _sha256_of(handle)
            except OSError:
                problems.append(f"{municipality.code} #{pk}: {storage_name} is missing")
                continue
            if digest != sha256:
                problems.append(f"{municipality.code} #{pk}: {storage_name} does not have the SHA-256 of its row")
    return Check(name, not problems, f"{count - len(problems)} of {count} match their rows' SHA-256", problems)


def restore_verify(*, manifest: dict, locations: dict[str, Path | str], allow_unsigned: bool) -> list[Check]:
    """Run every check on the restored instance; see the module docstring."""
    municipalities = municipalities_for_command(None)
    return [
        check_files(manifest["files"], locations),
        check_counts(manifest),
        check_audit_chains(municipalities),
        check_organisation_signatures(municipalities, allow_unsigned=allow_unsigned),
        _check_rows("attachments", Attachment, municipalities),
        _check_rows("issued documents", IssuedDocument, municipalities),
    ]
