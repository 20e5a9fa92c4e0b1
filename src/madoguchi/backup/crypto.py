"""The encryption of a backup archive: scrypt, then AES-256-GCM over numbered chunks.

An archive is personal data (特定個人情報 among it) on a disk or a tape outside the
application's control, so it is encrypted with a passphrase that only its custodians hold,
and any change to it must be noticed before a single byte is restored. The design is the
STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) that age and Tink use:

- a header line ``madoguchi-backup/1`` and a JSON object with the scrypt parameters, a
  random salt, the chunk size and a random nonce prefix; then an HMAC-SHA256 of the header
  under a key derived from the passphrase. A wrong passphrase fails here, before anything
  is decrypted, and so does a changed header;
- then the content in chunks of ``chunk_size`` bytes, each sealed with AES-256-GCM under a
  nonce made of the prefix, the chunk's number and a flag that is 1 on the last chunk only.
  A changed, removed, repeated or reordered chunk fails to open; a cut-off archive lacks its
  last chunk (the flag) and fails too. Every chunk but the last is full, so the reader knows
  which is last without any length field an attacker could change.

Memory stays at one chunk (1 MiB) however large the archive. docs/decisions/0009 says why
this and not a format library.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from base64 import b64decode, b64encode
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"madoguchi-backup/1\n"
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
# scrypt at N=2**17, r=8 costs 128 MiB and about half a second per guess on a server.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
# What a reader accepts from a header (an attacker's header must not make it spend a terabyte).
_MAX_HEADER = 4096
_LIMITS = {"n": (2**10, 2**20), "r": (1, 16), "p": (1, 4), "chunk_size": (1024, 16 * 1024 * 1024)}


class ArchiveError(Exception):
    """The archive cannot be opened or read: the message says why, for the operator."""


class WrongPassphrase(ArchiveError):
    pass


class ArchiveDamaged(ArchiveError):
    pass


def _keys(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase)
    return material[:32], material[32:]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """A write-only file object that encrypts into ``target``; call :meth:`close` to seal it.

    Everything written is buffered up to one chunk. ``bytes_written`` and ``sha256`` describe
    the ciphertext (what is on disk), so the archive can be identified without the passphrase.
    """

    def __init__(
        self,
        target: BinaryIO,
        passphrase: bytes,
        *,
        chunk_size: int = CHUNK_SIZE,
        scrypt_n: int = SCRYPT_N,
        scrypt_r: int = SCRYPT_R,
        scrypt_p: int = SCRYPT_P,
    ):
        self._target = target
        self._chunk_size = chunk_size
        self._prefix = os.urandom(7)
        salt = os.urandom(16)
        params = {
            "kdf": "scrypt",
            "n": scrypt_n,
            "r": scrypt_r,
            "p": scrypt_p,
            "salt": b64encode(salt).decode(),
            "cipher": "AES-256-GCM",
            "chunk_size": chunk_size,
            "nonce_prefix": b64encode(self._prefix).decode(),
        }
        header = MAGIC + json.dumps(params, sort_keys=True).encode() + b"\n"
        key, mac_key = _keys(passphrase, salt, scrypt_n, scrypt_r, scrypt_p)
        self._aead = AESGCM(key)
        self._aad = hashlib.sha256(header).digest()
        self._counter = 0
        self._buffer = bytearray()
        self._closed = False
        self.bytes_written = 0
        self._digest = hashlib.sha256()
        self._emit(header + hmac.new(mac_key, header, hashlib.sha256).digest())

    def _emit(self, data: bytes) -> None:
        self._target.write(data)
        self._digest.update(data)
        self.bytes_written += len(data)

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        if self._counter >= 2**32:
            raise ArchiveError("archive too large for one stream")
        self._emit(self._aead.encrypt(_nonce(self._prefix, self._counter, last), plaintext, self._aad))
        self._counter += 1

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed archive")
        self._buffer += data
        # ">=" keeps the last chunk shorter than a full one (possibly empty): that is how
        # the reader knows it is the last.
        while len(self._buffer) >= self._chunk_size:
            chunk = bytes(self._buffer[: self._chunk_size])
            del self._buffer[: self._chunk_size]
            self._seal(chunk, last=False)
        return len(data)

    def flush(self) -> None:
        self._target.flush()

    def close(self) -> None:
        """Seal the last chunk. The target file stays open (the caller fsyncs and renames it)."""
        if self._closed:
            return
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._closed = True
        self._target.flush()

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


def _read_header(source: BinaryIO) -> tuple[bytes, dict, bytes]:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise ArchiveError("not a Madoguchi backup archive (or a format this version cannot read)")
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = source.read(1)
        if not byte or len(line) > _MAX_HEADER:
            raise ArchiveDamaged("the archive's header is damaged")
        line += byte
    try:
        params = json.loads(line)
        values = {name: int(params[name]) for name in _LIMITS}
        salt, prefix = b64decode(params["salt"]), b64decode(params["nonce_prefix"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveDamaged("the archive's header is damaged") from exc
    if params.get("kdf") != "scrypt" or params.get("cipher") != "AES-256-GCM" or len(prefix) != 7:
        raise ArchiveDamaged("the archive's header names an unknown method")
    for name, (low, high) in _LIMITS.items():
        if not low <= values[name] <= high:
            raise ArchiveDamaged(f"the archive's header has an out-of-range {name}")
    params.update(values, salt=salt, nonce_prefix=prefix)
    return magic + bytes(line), params, source.read(32)


class DecryptingReader:
    """A read-only file object over an archive; every byte it returns has been authenticated.

    Opening checks the passphrase against the header's MAC (:class:`WrongPassphrase`). Reading
    raises :class:`ArchiveDamaged` at the first chunk that does not open, and at the end when
    the last chunk is missing or followed by more data. A caller that stops reading early
    must call :meth:`read_to_end` before trusting that the whole archive is intact.
    """

    def __init__(self, source: BinaryIO, passphrase: bytes):
        self._source = source
        self._digest = hashlib.sha256()
        header, params, mac = _read_header(_Tee(source, self._digest))
        key, mac_key = _keys(passphrase, params["salt"], params["n"], params["r"], params["p"])
        if len(mac) != 32 or not hmac.compare_digest(mac, hmac.new(mac_key, header, hashlib.sha256).digest()):
            raise WrongPassphrase("wrong passphrase (or the archive's header was changed): nothing was decrypted")
        self._aead = AESGCM(key)
        self._aad = hashlib.sha256(header).digest()
        self._prefix = params["nonce_prefix"]
        self._chunk_size = params["chunk_size"]
        self._counter = 0
        self._offset = len(header) + 32
        self._buffer = b""
        self._position = 0
        self.finished = False

    def _next_chunk(self) -> None:
        sealed = self._source.read(self._chunk_size + TAG_SIZE)
        self._digest.update(sealed)
        if len(sealed) < TAG_SIZE:
            raise ArchiveDamaged(f"the archive is cut off: it ends at byte {self._offset + len(sealed):,}")
        last = len(sealed) < self._chunk_size + TAG_SIZE
        try:
            plaintext = self._aead.decrypt(_nonce(self._prefix, self._counter, last), sealed, self._aad)
        except InvalidTag as exc:
            what = "cut off or changed" if last else "changed"
            raise ArchiveDamaged(
                f"the archive was {what}: chunk {self._counter} (bytes {self._offset:,}–"
                f"{self._offset + len(sealed) - 1:,}) does not authenticate"
            ) from exc
        self._offset += len(sealed)
        self._counter += 1
        if last:
            extra = self._source.read(1)
            if extra:
                raise ArchiveDamaged(f"the archive has data after its end (at byte {self._offset:,})")
            self.finished = True
        self._buffer, self._position = plaintext, 0

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        wanted = size if size is not None and size >= 0 else None
        while wanted is None or wanted > 0:
            if self._position >= len(self._buffer):
                if self.finished:
                    break
                self._next_chunk()
                continue
            end = len(self._buffer) if wanted is None else min(len(self._buffer), self._position + wanted)
            part = self._buffer[self._position : end]
            self._position = end
            parts.append(part)
            if wanted is not None:
                wanted -= len(part)
        return b"".join(parts)

    def read_to_end(self) -> None:
        """Read (and authenticate) whatever is left, up to the last chunk."""
        while self.read(self._chunk_size):
            pass

    @property
    def sha256(self) -> str:
        """SHA-256 of the archive file as read so far (all of it after :meth:`read_to_end`)."""
        return self._digest.hexdigest()


class _Tee:
    def __init__(self, source: BinaryIO, digest):
        self._source, self._digest = source, digest

    def read(self, size: int) -> bytes:
        data = self._source.read(size)
        self._digest.update(data)
        return data
