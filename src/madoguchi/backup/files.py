"""The files a backup holds besides the database: media, the signatures file and its keys.

Media (attachments under ``attachments/``, issued documents under ``documents/``, drafts'
uploads under ``drafts/``) are copied from the default storage's directory when it is a
file system. Object storage (S3 and the like) keeps its own versions and is normally backed
up by its own means, so a backup refuses to run against it until the operator chooses:
``skip`` leaves media out, ``include`` copies every file a case or document row names
through the storage API.

The signatures file (``MADOGUCHI_SIGNATURES_FILE``) and every file it names — trust
anchors, CRLs, PKCS#12 keys, passphrase files, retired certificates — are included, so a
restored instance can verify every old signature and sign new decisions. A restore puts
them back where the restored signatures file says, relative to its own directory as the
signatures file's paths are; keys and passphrase files get mode 0600.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml
from django.core.files.storage import FileSystemStorage, default_storage

from madoguchi.signatures.config import signatures_file
from madoguchi.signatures.keyfiles import SECRET_KEYS
from madoguchi.storage.atomic import TEMPORARY_PREFIX

SIGNATURES_FILE_MEMBER = "signatures/signatures.yaml"
OBJECT_STORAGE_CHOICES = ("skip", "include")


class FilesRefused(Exception):
    """The files cannot be backed up as configured; the message says what to do."""


@dataclass(frozen=True)
class Member:
    """One file to put in the archive: a local file (``path``) or an object in the default storage."""

    name: str
    kind: str  # "media" or "signatures"
    path: Path | None = None
    storage_name: str | None = None
    reference: str = ""  # signatures: the path as the signatures file names it
    secret: bool = False


def media_is_filesystem() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def media_root() -> Path:
    return Path(default_storage.location)


def media_members(*, object_storage: str | None, storage_names: list[str]) -> tuple[list[Member], dict]:
    """Return the media files to back up and the manifest's description of them.

    ``storage_names`` are the files the database rows name (used for object storage only).
    """
    if media_is_filesystem():
        root = media_root()
        members = []
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                # A write cut short leaves a temporary file, never referenced: not worth keeping.
                if path.is_file() and not path.is_symlink() and not path.name.startswith(TEMPORARY_PREFIX):
                    members.append(Member(f"media/{path.relative_to(root).as_posix()}", "media", path=path))
        return members, {"storage": "filesystem", "included": True}
    if object_storage not in OBJECT_STORAGE_CHOICES:
        raise FilesRefused(
            f"media are in object storage ({type(default_storage).__name__}), which keeps its own versions and "
            "is backed up by its own means (see docs/operations/backup.md). Pass --object-storage skip to back up "
            "everything else, or --object-storage include to copy every attachment and document into the archive."
        )
    if object_storage == "skip":
        return [], {"storage": "object", "included": False}
    members = [Member(f"media/{name}", "media", storage_name=name) for name in sorted(set(storage_names))]
    return members, {"storage": "object", "included": True}


def _references(data: dict) -> tuple[list[tuple[str, bool]], list[str]]:
    """Every file the signatures file names, with whether it is secret; and the passphrase variables."""
    found: list[tuple[str, bool]] = []
    variables: list[str] = []
    for entry in (data.get("municipalities") or {}).values():
        residents = (entry or {}).get("residents") or {}
        organisation = (entry or {}).get("organisation") or {}
        found += [(name, False) for name in residents.get("trust_anchors", [])]
        if (residents.get("crl") or {}).get("file"):
            found.append((residents["crl"]["file"], False))
        for key in organisation.get("keys", []):
            found += [(key[name], name in SECRET_KEYS) for name in (*SECRET_KEYS, "certificate") if name in key]
            if "passphrase_env" in key:
                variables.append(key["passphrase_env"])
        found += [(name, False) for name in organisation.get("trust_anchors", [])]
    unique: dict[str, bool] = {}
    for reference, secret in found:
        unique[str(reference)] = unique.get(str(reference), False) or secret
    return sorted(unique.items()), sorted(set(variables))


def signature_members() -> tuple[list[Member], dict | None, list[str]]:
    """Return the signatures file and the files it names, its manifest entry, and warnings.

    A missing CRL is only a warning (``madoguchi signatures crl-refresh`` fetches it again);
    any other missing file stops the backup, since a restore could not verify or sign without it.
    """
    path = signatures_file()
    if path is None or not path.exists():
        return [], None, []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    references, variables = _references(data)
    members = [Member(SIGNATURES_FILE_MEMBER, "signatures", path=path)]
    entries, warnings, missing = [], [], []
    crls = {
        str(((((entry or {}).get("residents") or {}).get("crl")) or {}).get("file"))
        for entry in (data.get("municipalities") or {}).values()
    }
    for index, (reference, secret) in enumerate(references):
        file = path.parent / reference
        if not file.is_file():
            (warnings if reference in crls else missing).append(reference)
            continue
        name = f"signatures/files/{index:03d}-{PurePosixPath(reference).name}"
        members.append(Member(name, "signatures", path=file, reference=reference, secret=secret))
        entries.append({"name": name, "reference": reference, "secret": secret})
    if missing:
        raise FilesRefused(f"files named in {path.name} do not exist: {', '.join(missing)}")
    warnings = [
        f"the CRL {reference} named in {path.name} does not exist; it is not in the backup" for reference in warnings
    ]
    return members, {"file": SIGNATURES_FILE_MEMBER, "files": entries, "passphrase_env": variables}, warnings


def signature_destination(reference: str, signatures: Path) -> Path:
    """Where a file the signatures file names belongs, next to the restored signatures file."""
    return signatures.parent / reference


def install_file(source: Path, destination: Path, *, mode: int, directory_mode: int | None = None) -> None:
    """Put ``source`` at ``destination`` atomically (temporary file, fsync, rename) with ``mode``."""
    if not destination.parent.exists():
        destination.parent.mkdir(parents=True, mode=directory_mode or 0o777)
    temporary = destination.with_name(f".{destination.name}.restoring")
    try:
        os.rename(source, temporary)  # the staged copy is not needed again: move it when on one file system
    except OSError:
        with open(source, "rb") as reader, open(temporary, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1024 * 1024)
    with open(temporary, "rb+") as written:
        os.fsync(written.fileno())
    temporary.chmod(mode)
    os.replace(temporary, destination)
