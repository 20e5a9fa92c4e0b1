"""What can go wrong when evidence is stored or read back."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Unavailable

# What the doors tell a client to wait (Retry-After) after StorageUnavailable: a freed disk
# or a restarted object store is usually back within minutes.
RETRY_AFTER_SECONDS = 120


class StorageUnavailable(Unavailable):
    """A file could not be kept durably (disk full, I/O error, object store unreachable).

    Raised before anything that depends on the file is committed, so the caller's transaction
    rolls back and nothing is acknowledged. The doors answer 503 with Retry-After: the same
    request succeeds once the storage is back.
    """

    kind = "storage-unavailable"
    code = "storage_unavailable"
    message = _(
        "Files cannot be stored safely at the moment, so nothing was submitted or changed. "
        "What you entered so far is kept: please try again in a few minutes."
    )
    retry_after = RETRY_AFTER_SECONDS

    def __init__(self, detail: str = ""):
        super().__init__()
        self.detail = detail

    def __str__(self) -> str:  # for the log: what failed, never shown to a resident
        return self.detail or str(self.message)


class StoredFileMismatch(Exception):
    """A stored file is missing or its bytes are not the ones the database records."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem
