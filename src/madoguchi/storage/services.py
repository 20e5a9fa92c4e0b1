"""The one door for writing and reading back evidence files.

Evidence — a resident's attachments, issued documents, draft files — is stored under a name
derived from its SHA-256 (content-addressed), and the database records the digest and size.
:func:`store_verified` is how every such file is written: the bytes are durable and verified
before it returns, so a caller that stores first and commits its rows afterwards can never
commit a row pointing at a missing, empty or different file. A failure raises
:class:`StorageUnavailable` (the doors answer 503 with Retry-After) and leaves nothing partial.

The work is done by the configured storage backend (``STORAGES["default"]``):
:class:`madoguchi.storage.backends.VerifiedFileSystemStorage` or
:class:`madoguchi.storage.s3.VerifiedS3Storage`; a system check refuses any backend that
cannot store verified.
"""

from __future__ import annotations

import hashlib

from django.core.files.storage import Storage, default_storage

from madoguchi.storage.errors import StorageUnavailable, StoredFileMismatch

__all__ = ["StorageUnavailable", "StoredFileMismatch", "read_verified", "store_verified", "stored_file_problem"]

CHUNK_SIZE = 1024 * 1024


def store_verified(name: str, content: bytes, *, sha256: str, size: int, storage: Storage | None = None) -> str:
    """Store ``content`` durably under ``name`` and return the name.

    ``sha256`` and ``size`` are what the caller will record; the bytes must match them
    (ValueError otherwise). An existing file is reused only if it matches too. Raise
    StorageUnavailable when the storage cannot keep the file.
    """
    return (storage or default_storage).store_verified(name, content, sha256=sha256, size=size)


def read_verified(name: str, *, sha256: str, size: int, storage: Storage | None = None) -> bytes:
    """Return the bytes stored under ``name``, checked against ``sha256`` and ``size``.

    Raise StoredFileMismatch when the file is missing or different, StorageUnavailable when
    it cannot be read.
    """
    storage = storage or default_storage
    try:
        with storage.open(name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise StoredFileMismatch(name, "missing") from exc
    except OSError as exc:
        raise StorageUnavailable(f"cannot read {name}: {exc}") from exc
    if len(content) != size:
        raise StoredFileMismatch(name, f"{len(content)} bytes, expected {size}")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise StoredFileMismatch(name, "SHA-256 differs")
    return content


def stored_file_problem(name: str, *, sha256: str, size: int, storage: Storage | None = None) -> str | None:
    """Return what is wrong with the file under ``name`` (None if it matches), reading it in chunks."""
    storage = storage or default_storage
    digest, found = hashlib.sha256(), 0
    try:
        with storage.open(name, "rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                digest.update(chunk)
                found += len(chunk)
    except FileNotFoundError:
        return "missing"
    if found != size:
        return f"{found} bytes, expected {size}"
    if digest.hexdigest() != sha256:
        return "SHA-256 differs"
    return None
