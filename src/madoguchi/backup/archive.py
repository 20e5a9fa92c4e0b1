"""The archive's content: a POSIX tar stream inside the encryption of :mod:`.crypto`.

Members, in this order: ``database/…`` (the dump), ``media/…`` (paths as in the media
storage), ``signatures/signatures.yaml`` and ``signatures/files/…``, and last
``manifest.json`` — last because it records the size and SHA-256 of every member before it,
computed while each was written. Decrypted (``madoguchi restore --check`` proves it can be),
the stream is an ordinary tar file.

Reading extracts into a private staging directory (or only hashes, to check an archive);
the caller restores nothing until the whole stream, its last chunk included, has been
authenticated and the members match the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from madoguchi.backup.crypto import ArchiveDamaged, DecryptingReader

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
_TOP = ("database", "media", "signatures")
_MAX_MANIFEST = 256 * 1024 * 1024
_COPY = 1024 * 1024


class _Hashing:
    """Reads ``source`` for tarfile and keeps the SHA-256 and size of what was read."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Adds members to a tar stream written into ``target``, recording each one for the manifest."""

    def __init__(self, target):
        self._tar = tarfile.open(fileobj=target, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.files: list[dict] = []
        self._mtime = int(time.time())

    def add(self, name: str, kind: str, source: BinaryIO, size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, self._mtime
        reader = _Hashing(source)
        self._tar.addfile(info, reader)
        self.files.append({"name": name, "kind": kind, "size": reader.size, "sha256": reader.digest.hexdigest()})

    def add_path(self, name: str, kind: str, path: Path) -> None:
        with open(path, "rb") as source:
            self.add(name, kind, source, _size(source))

    def finish(self, manifest: dict) -> None:
        """Write the manifest (with the list of files) as the last member and end the tar stream."""
        data = json.dumps({**manifest, "files": self.files}, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, self._mtime
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()


def _size(handle) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(0)
        return size


def _checked_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if name == MANIFEST:
        return path
    if path.is_absolute() or ".." in path.parts or "" in path.parts or path.parts[0] not in _TOP or len(path.parts) < 2:
        raise ArchiveDamaged(f"the archive holds an unexpected member: {name!r}")
    return path


@dataclass
class Extracted:
    """What reading an archive found: every member's size and SHA-256, and the manifest."""

    members: dict[str, dict] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    archive_sha256: str = ""


def archive_read(reader: DecryptingReader, staging: Path | None) -> Extracted:
    """Read the whole archive: extract members under ``staging`` (or only hash them when None).

    Raises :class:`ArchiveDamaged` for anything that does not authenticate, a member that
    is not a regular file or has an unexpected name, or members that do not match the
    manifest; the caller deletes ``staging`` then.
    """
    found = Extracted()
    manifest_bytes = None
    try:
        tar = tarfile.open(fileobj=reader, mode="r|")  # noqa: SIM115
        for member in tar:
            path = _checked_name(member.name)
            if not member.isreg() or member.name in found.members or manifest_bytes is not None:
                raise ArchiveDamaged(f"the archive holds an unexpected member: {member.name!r}")
            source = tar.extractfile(member)
            digest = hashlib.sha256()
            if member.name == MANIFEST:
                if member.size > _MAX_MANIFEST:
                    raise ArchiveDamaged("the archive's manifest is too large")
                manifest_bytes = source.read()
                digest.update(manifest_bytes)
            elif staging is None:
                while chunk := source.read(_COPY):
                    digest.update(chunk)
            else:
                target = staging.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                with open(target, "wb") as out:
                    while chunk := source.read(_COPY):
                        digest.update(chunk)
                        out.write(chunk)
            found.members[member.name] = {"size": member.size, "sha256": digest.hexdigest()}
        tar.close()
    except tarfile.TarError as exc:
        # Only an authenticated stream reaches tarfile, so this is our own writer's bug or a
        # future format; either way nothing may be restored from it.
        raise ArchiveDamaged(f"the archive's content is not a readable tar stream: {exc}") from exc
    reader.read_to_end()
    if not reader.finished:
        raise ArchiveDamaged("the archive ends before its last chunk")
    found.archive_sha256 = reader.sha256
    if manifest_bytes is None:
        raise ArchiveDamaged("the archive has no manifest")
    found.manifest = json.loads(manifest_bytes)
    _check_against_manifest(found)
    return found


def _check_against_manifest(found: Extracted) -> None:
    manifest = found.manifest
    if manifest.get("format") != MANIFEST_FORMAT:
        raise ArchiveDamaged(f"manifest format {manifest.get('format')!r} is not one this version reads")
    listed = {entry["name"]: entry for entry in manifest.get("files", [])}
    present = {name: facts for name, facts in found.members.items() if name != MANIFEST}
    if set(listed) != set(present):
        missing, extra = sorted(set(listed) - set(present)), sorted(set(present) - set(listed))
        raise ArchiveDamaged(f"the archive does not match its manifest (missing {missing}, unlisted {extra})")
    for name, facts in present.items():
        if (facts["size"], facts["sha256"]) != (listed[name]["size"], listed[name]["sha256"]):
            raise ArchiveDamaged(f"{name} does not match the SHA-256 in the manifest")
