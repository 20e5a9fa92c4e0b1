"""The files cases keep in storage, for ``madoguchi files verify``: each attachment row's file."""

from __future__ import annotations

from collections.abc import Iterator

from madoguchi.cases.models import Attachment
from madoguchi.storage.sources import StoredFile, register_stored_files


@register_stored_files("attachment")
def attachment_files(municipality) -> Iterator[StoredFile]:
    rows = (
        Attachment.objects.for_municipality(municipality)
        .order_by("storage_name", "id")
        .values_list("storage_name", "sha256", "size", "case__receipt_number")
    )
    for name, sha256, size, receipt_number in rows.iterator(chunk_size=2000):
        yield StoredFile(name=name, sha256=sha256, size=size, owner=receipt_number)
