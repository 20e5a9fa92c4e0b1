"""Re-hash every stored file against what the database records (``madoguchi files verify``).

The reliability suite and the restore drill run it after a restore: a database and a media
copy taken at different moments, a half-restored bucket or a disk that lost data all show up
as files that are missing or whose bytes differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.storage import Storage

from madoguchi.storage.services import stored_file_problem
from madoguchi.storage.sources import StoredFile, stored_file_sources


@dataclass(frozen=True)
class StoredFileProblem:
    kind: str
    file: StoredFile
    problem: str


@dataclass
class VerifyReport:
    references: int = 0
    files: int = 0
    problems: list[StoredFileProblem] = field(default_factory=list)


def stored_files_verify(
    *, municipality, storage: Storage | None = None, on_file: Callable[[], None] | None = None
) -> VerifyReport:
    """Check every file ``municipality``'s rows refer to; a file shared by several rows is read once."""
    report = VerifyReport()
    checked: dict[tuple[str, str, int], str | None] = {}
    for kind, source in stored_file_sources().items():
        for stored in source(municipality):
            report.references += 1
            key = (stored.name, stored.sha256, stored.size)
            if key not in checked:
                checked[key] = stored_file_problem(stored.name, sha256=stored.sha256, size=stored.size, storage=storage)
                report.files += 1
                if on_file:
                    on_file()
            if checked[key] is not None:
                report.problems.append(StoredFileProblem(kind=kind, file=stored, problem=checked[key]))
    return report
