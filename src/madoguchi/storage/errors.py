"""What can go wrong when evidence is stored or read back."""

from __future__ import annotations

# What the doors tell a client to wait (Retry-After) after StorageUnavailable: a freed disk
# or a restarted object store is usually back within minutes.
RETRY_AFTER_SECONDS = 120


class StorageUnavailable(Exception):
    """A file could not be kept durably (disk full, I/O error, object store unreachable).

    Raised before anything that depends on the file is committed, so the caller's transaction
    rolls back and nothing is acknowledged. The doors answer 503 with Retry-After: the same
    request succeeds once the storage is back.
    """


class StoredFileMismatch(Exception):
    """A stored file is missing or its bytes are not the ones the database records."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem
