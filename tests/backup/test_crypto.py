"""The archive's encryption (backup.crypto): round trip, and every way a changed archive fails.

Small chunks and a cheap scrypt keep these fast; the reader takes both from the header.
"""

from __future__ import annotations

import io
import os

import pytest

from madoguchi.backup.crypto import (
    MAGIC,
    TAG_SIZE,
    ArchiveDamaged,
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
    WrongPassphrase,
)

PASSPHRASE = b"correct horse battery staple"
CHUNK = 1024


def seal(plaintext: bytes, passphrase: bytes = PASSPHRASE) -> bytes:
    target = io.BytesIO()
    writer = EncryptingWriter(target, passphrase, chunk_size=CHUNK, scrypt_n=2**10)
    for start in range(0, len(plaintext), 700):  # writes that straddle chunk boundaries
        writer.write(plaintext[start : start + 700])
    writer.close()
    return target.getvalue()


def open_all(archive: bytes, passphrase: bytes = PASSPHRASE) -> bytes:
    reader = DecryptingReader(io.BytesIO(archive), passphrase)
    data = reader.read()
    assert reader.finished
    return data


def header_length(archive: bytes) -> int:
    return archive.index(b"\n", len(MAGIC)) + 1 + 32


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 17])
def test_what_is_sealed_opens_unchanged_at_any_length(size):
    plaintext = os.urandom(size)
    assert open_all(seal(plaintext)) == plaintext


def test_reads_of_any_size_return_the_plaintext_in_order():
    plaintext = os.urandom(3 * CHUNK + 5)
    reader = DecryptingReader(io.BytesIO(seal(plaintext)), PASSPHRASE)
    parts = []
    while part := reader.read(333):
        parts.append(part)
    assert b"".join(parts) == plaintext


def test_the_ciphertext_digest_is_the_sha256_of_the_file():
    import hashlib

    target = io.BytesIO()
    writer = EncryptingWriter(target, PASSPHRASE, chunk_size=CHUNK, scrypt_n=2**10)
    writer.write(os.urandom(2500))
    writer.close()
    assert writer.sha256 == hashlib.sha256(target.getvalue()).hexdigest()
    assert writer.bytes_written == len(target.getvalue())
    reader = DecryptingReader(io.BytesIO(target.getvalue()), PASSPHRASE)
    reader.read_to_end()
    assert reader.sha256 == writer.sha256


def test_the_same_plaintext_seals_differently_each_time():
    plaintext = b"same" * 100
    assert seal(plaintext) != seal(plaintext)


def test_a_wrong_passphrase_fails_before_anything_is_decrypted():
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        DecryptingReader(io.BytesIO(seal(b"secret")), b"another passphrase entirely")


def test_a_changed_header_fails_like_a_wrong_passphrase():
    archive = bytearray(seal(b"secret"))
    archive[archive.index(b'"chunk_size": ') + len(b'"chunk_size": ')] ^= 0x01  # 1024 -> 0024
    with pytest.raises(ArchiveError):
        DecryptingReader(io.BytesIO(bytes(archive)), PASSPHRASE)


def test_a_flipped_byte_in_any_chunk_is_found():
    archive = seal(os.urandom(4 * CHUNK))
    start = header_length(archive)
    for chunk in range(5):
        changed = bytearray(archive)
        changed[start + chunk * (CHUNK + TAG_SIZE) + 5] ^= 0x80
        with pytest.raises(ArchiveDamaged, match=f"chunk {chunk} "):
            open_all(bytes(changed))


def test_swapped_chunks_are_found():
    archive = seal(os.urandom(4 * CHUNK))
    start, size = header_length(archive), CHUNK + TAG_SIZE
    first, second = archive[start : start + size], archive[start + size : start + 2 * size]
    swapped = archive[:start] + second + first + archive[start + 2 * size :]
    with pytest.raises(ArchiveDamaged, match="chunk 0 "):
        open_all(swapped)


def test_an_archive_cut_at_a_chunk_boundary_is_found():
    archive = seal(os.urandom(4 * CHUNK + 10))
    cut = header_length(archive) + 2 * (CHUNK + TAG_SIZE)
    with pytest.raises(ArchiveDamaged, match="cut off"):
        open_all(archive[:cut])


def test_an_archive_cut_inside_a_chunk_is_found():
    archive = seal(os.urandom(4 * CHUNK + 10))
    with pytest.raises(ArchiveDamaged, match="cut off or changed"):
        open_all(archive[: header_length(archive) + 2 * (CHUNK + TAG_SIZE) + 100])


def test_an_archive_without_its_last_chunk_is_found_even_when_that_chunk_was_empty():
    archive = seal(os.urandom(2 * CHUNK))  # the last chunk holds no data, only its tag
    with pytest.raises(ArchiveDamaged, match="cut off"):
        open_all(archive[:-TAG_SIZE])


@pytest.mark.parametrize("extra", [b"x", os.urandom(CHUNK + TAG_SIZE)])
def test_data_appended_to_an_archive_is_found(extra):
    with pytest.raises(ArchiveDamaged):
        open_all(seal(os.urandom(CHUNK + 3)) + extra)


def test_a_file_that_is_no_archive_is_named_so():
    with pytest.raises(ArchiveError, match="not a Madoguchi backup archive"):
        DecryptingReader(io.BytesIO(b"PK\x03\x04 a zip file"), PASSPHRASE)


def test_a_header_asking_for_too_much_scrypt_memory_is_refused_before_deriving():
    archive = seal(b"secret").replace(b'"n": 1024', b'"n": 1073741824', 1)
    with pytest.raises(ArchiveDamaged, match="out-of-range n"):
        DecryptingReader(io.BytesIO(archive), PASSPHRASE)
