"""Which files the database says are stored: a registry that domain apps fill.

``madoguchi files verify`` re-hashes every stored file against its row, but this ground
package knows no domain model. Each app that keeps evidence in storage lists it in its own
``stored_files`` module, found the way Django's admin finds ``admin`` modules::

    @register_stored_files("attachments")
    def attachments(municipality):
        for row in Attachment.objects.for_municipality(municipality):
            yield StoredFile(name=row.storage_name, sha256=row.sha256, size=row.size, owner=row.case.receipt_number)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class StoredFile:
    """One reference from the database to a stored file. ``owner`` names it in reports (a receipt number)."""

    name: str
    sha256: str
    size: int
    owner: str


StoredFileSource = Callable[[object], Iterable[StoredFile]]
_SOURCES: dict[str, StoredFileSource] = {}


def register_stored_files(kind: str) -> Callable[[StoredFileSource], StoredFileSource]:
    """Register a function listing a municipality's stored files of ``kind`` (unique)."""

    def decorator(function: StoredFileSource) -> StoredFileSource:
        if _SOURCES.get(kind, function) is not function:
            raise ValueError(f"stored files of kind {kind!r} are registered twice")
        _SOURCES[kind] = function
        return function

    return decorator


def stored_file_sources() -> dict[str, StoredFileSource]:
    """Return every registered source by kind, importing each app's ``stored_files`` module first."""
    autodiscover_modules("stored_files")
    return dict(sorted(_SOURCES.items()))
