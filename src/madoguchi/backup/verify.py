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
- **stored files** — each attachment's and issued document's file has the size and SHA-256
  its row records (:func:`madoguchi.storage.verify.stored_files_verify`, as
  ``madoguchi files verify`` does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django_scopes import scope

from madoguchi.audit.verification import audit_chain_verify
from madoguchi.backup.inventory import database_inventory, inventory_differences
from madoguchi.signatures.organisation_verify import organisation_signatures_verify
from madoguchi.storage.atomic import digest_file
from madoguchi.storage.services import stored_file_problem
from madoguchi.storage.verify import stored_files_verify
from madoguchi.tenants.commandline import municipalities_for_command


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    problems: list[str] = field(default_factory=list)


def _problem(location: Path | str, entry: dict) -> str | None:
    if isinstance(location, str):
        return stored_file_problem(location, sha256=entry["sha256"], size=entry["size"])
    try:
        size, digest = digest_file(location)
    except FileNotFoundError:
        return "missing"
    if size != entry["size"]:
        return f"{size} bytes, expected {entry['size']}"
    return None if digest == entry["sha256"] else "SHA-256 differs"


def check_files(expected: list[dict], locations: dict[str, Path | str]) -> Check:
    """Re-read every restored file at its place (a path, or a name in the default storage)."""
    problems, checked, total = [], 0, 0
    for entry in expected:
        location = locations.get(entry["name"])
        if location is None:
            continue
        checked, total = checked + 1, total + entry["size"]
        try:
            problem = _problem(location, entry)
        except OSError as exc:
            problem = f"cannot be read ({exc.strerror or exc})"
        if problem is not None:
            problems.append(f"{entry['name']}: {problem}")
    return Check("files", not problems, f"{checked} files, {total:,} bytes, as in the manifest", problems)


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


def check_stored_files(municipalities) -> Check:
    """Every attachment's and issued document's file against its row (``madoguchi files verify``)."""
    problems, references, files = [], 0, 0
    for municipality in municipalities:
        with scope(municipality=municipality):
            report = stored_files_verify(municipality=municipality)
        references, files = references + report.references, files + report.files
        problems += [
            f"{municipality.code} {item.kind} {item.file.owner} {item.file.name}: {item.problem}"
            for item in report.problems
        ]
    detail = f"{references} attachment and document rows, {files} files: size and SHA-256 as the rows say"
    return Check("stored files", not problems, detail, problems)


def restore_verify(*, manifest: dict, locations: dict[str, Path | str], allow_unsigned: bool) -> list[Check]:
    """Run every check on the restored instance; see the module docstring."""
    municipalities = municipalities_for_command(None)
    return [
        check_files(manifest["files"], locations),
        check_counts(manifest),
        check_audit_chains(municipalities),
        check_organisation_signatures(municipalities, allow_unsigned=allow_unsigned),
        check_stored_files(municipalities),
    ]
