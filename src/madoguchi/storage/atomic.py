"""Durable, atomic file writes on a local or shared POSIX file system.

A file is written under a temporary name in the directory it will live in, flushed to the
disk (``fsync``), read back and checked against the size and SHA-256 the caller expects,
renamed over its final name (``os.replace``: a reader sees the old file or the new one,
never half of one), and the directory is flushed so the rename itself survives a crash.
Any failure — a full disk (ENOSPC), a quota (EDQUOT), an I/O error — removes the temporary
file and raises :class:`StorageUnavailable`; nothing partial is ever left under the final
name, so a later attempt can never mistake a truncated file for a stored one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from madoguchi.storage.errors import StorageUnavailable

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
# Temporary files start with a dot so listings of a content-addressed directory skip them
# at a glance; a process killed mid-write leaves one behind, never a file under a real name.
TEMPORARY_PREFIX = ".tmp-"


def digest_file(path: Path) -> tuple[int, str]:
    """Return the size and hex SHA-256 of the file at ``path`` (OSError if unreadable)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_matches(path: Path, *, sha256: str, size: int) -> bool:
    """Return whether ``path`` exists with exactly ``size`` bytes hashing to ``sha256``.

    The size is compared first, from the inode, so a truncated or empty file costs no read.
    """
    try:
        if path.stat().st_size != size:
            return False
        return digest_file(path) == (size, sha256)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StorageUnavailable(f"cannot read {path.name}: {exc.strerror}") from exc


def fsync_directory(path: Path) -> None:
    """Flush a directory's entries, so a file created or renamed in it survives a crash."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_directories(path: Path, *, mode: int | None = None) -> None:
    """Create ``path`` and its missing parents, flushing each parent that gained an entry."""
    missing = []
    current = path
    while not current.is_dir():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            if not directory.is_dir():
                raise
            continue  # a concurrent writer made it
        if mode is not None:
            directory.chmod(mode)  # mkdir's mode is masked by the umask; chmod is not
        fsync_directory(directory.parent)


def write_chunks_atomic(
    path: Path,
    chunks: Iterable[bytes],
    *,
    sha256: str | None = None,
    size: int | None = None,
    mode: int | None = None,
    directory_mode: int | None = None,
    overwrite: bool = True,
) -> tuple[int, str]:
    """Write ``chunks`` to ``path`` atomically and durably; return the size and SHA-256 written.

    With ``sha256``/``size`` the bytes on disk must match them or nothing is written. With
    ``overwrite=False`` an existing ``path`` raises FileExistsError and is left untouched (the
    temporary file is hard-linked into place, which fails rather than replaces). Any OSError
    becomes StorageUnavailable, after the temporary file is removed.
    """
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{path.name}.{secrets.token_hex(6)}")
    try:
        make_directories(path.parent, mode=directory_mode)
        written = _write_temporary(temporary, chunks, mode=mode)
        if (sha256 is not None and written[1] != sha256) or (size is not None and written[0] != size):
            # The bytes handed over are not the ones the caller described: a bug, not the disk.
            raise ValueError(f"{path.name}: content does not match the expected size and SHA-256")
        # Read back what the file system now holds: a short write or a file system that lost
        # part of it shows here, before anything refers to the file.
        if digest_file(temporary) != written:
            raise StorageUnavailable(f"{path.name}: the written file does not read back as written")
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # FileExistsError if the name is taken: never clobber
            os.unlink(temporary)
        fsync_directory(path.parent)
    except FileExistsError:
        _remove_quietly(temporary)
        raise
    except OSError as exc:
        _remove_quietly(temporary)
        logger.error("storage write failed for %s: %s", path.name, exc)
        raise StorageUnavailable(f"cannot write {path.name}: {exc.strerror or exc}") from exc
    except BaseException:
        _remove_quietly(temporary)
        raise
    return written


def write_file_atomic(
    path: Path, content: bytes, *, sha256: str | None = None, mode: int | None = None
) -> tuple[int, str]:
    """Write ``content`` to ``path`` atomically and durably (see :func:`write_chunks_atomic`)."""
    return write_chunks_atomic(Path(path), [content], sha256=sha256, size=len(content), mode=mode)


def _write_temporary(temporary: Path, chunks: Iterable[bytes], *, mode: int | None) -> tuple[int, str]:
    # O_EXCL: the random name is ours alone; 0o600 until the final mode is set, so a secret
    # is never readable by others even for a moment.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    digest, size = hashlib.sha256(), 0
    with os.fdopen(fd, "wb") as handle:
        if mode is not None:
            os.fchmod(handle.fileno(), mode)
        for chunk in chunks:
            data = chunk.encode() if isinstance(chunk, str) else chunk
            handle.write(data)
            digest.update(data)
            size += len(data)
        handle.flush()
        os.fsync(handle.fileno())
    return size, digest.hexdigest()


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - the file system is already failing
        logger.error("could not remove the temporary file %s: %s", path.name, exc)
