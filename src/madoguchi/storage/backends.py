"""The file-system storage of evidence: Django's FileSystemStorage, written atomically.

``STORAGES["default"]`` is this class unless ``MADOGUCHI_STORAGE=s3``. Evidence (attachments,
issued documents, draft files) goes through :meth:`store_verified`, which knows the bytes'
SHA-256 and size; anything else that calls Django's ``save()`` still gets a temporary file,
fsync and a no-clobber rename instead of Django's write-in-place.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage

from madoguchi.storage import atomic

logger = logging.getLogger(__name__)


class VerifiedFileSystemStorage(FileSystemStorage):
    def store_verified(self, name: str, content: bytes, *, sha256: str, size: int) -> str:
        """Keep ``content`` under ``name`` durably; return ``name``.

        An existing file is reused only when its size and SHA-256 match; anything else under
        the name (an empty or truncated file from a failed attempt, other bytes) is replaced
        atomically. Raise StorageUnavailable when the file cannot be written.
        """
        path = Path(self.path(name))
        if atomic.file_matches(path, sha256=sha256, size=size):
            return name
        if path.exists():
            logger.warning("replacing %s: its bytes do not match the recorded SHA-256 and size", name)
        atomic.write_chunks_atomic(
            path,
            [content],
            sha256=sha256,
            size=size,
            mode=self.file_permissions_mode,
            directory_mode=self.directory_permissions_mode,
        )
        return name

    def _save(self, name, content):
        # Django writes in place, so a failure leaves a partial file under the real name.
        # Here the bytes go to a temporary file first and are linked into place only whole.
        while True:
            path = Path(self.path(name))
            try:
                atomic.write_chunks_atomic(
                    path,
                    _chunks(content),
                    mode=self.file_permissions_mode,
                    directory_mode=self.directory_permissions_mode,
                    overwrite=self._allow_overwrite,
                )
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            break
        self._ensure_location_group_id(str(path))
        return os.path.relpath(path, self.location).replace("\\", "/")


def _chunks(content):
    if hasattr(content, "seek"):
        content.seek(0)
    yield from content.chunks()
