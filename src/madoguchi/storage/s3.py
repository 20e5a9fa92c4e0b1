"""Evidence on S3-compatible object storage (django-storages' S3 backend), verified.

Atomicity comes from S3 itself: one PUT makes the object appear whole or not at all. What
S3 does not give for free is knowing the stored bytes are the ones meant, so every PUT sends
the body's MD5 (Content-MD5) and SHA-256 (``ChecksumSHA256``), which the server checks
before it accepts the object, and records the SHA-256 as metadata (``x-amz-meta-sha256``)
for anyone reading the bucket with other tools. An existing object is reused only when the
server's SHA-256 checksum and size match; an object without a checksum (written by another
tool) is downloaded and re-hashed; anything else is overwritten by a new PUT.
"""

from __future__ import annotations

import base64
import hashlib
import logging

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from madoguchi.storage.errors import StorageUnavailable

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1024 * 1024


class VerifiedS3Storage(S3Storage):
    def store_verified(self, name: str, content: bytes, *, sha256: str, size: int) -> str:
        """Keep ``content`` under ``name`` in the bucket; return ``name``. Raise StorageUnavailable."""
        if len(content) != size or hashlib.sha256(content).hexdigest() != sha256:
            raise ValueError(f"{name}: content does not match the expected size and SHA-256")
        key = self._normalize_name(clean_name(name))
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
        try:
            existing = self._head(key)
            if existing is not None:
                if self._matches(key, existing, checksum=checksum, sha256=sha256, size=size):
                    return name
                logger.warning("replacing %s: its bytes do not match the recorded SHA-256 and size", name)
            params = self._get_write_parameters(key)
            params.pop("ContentEncoding", None)  # stored exactly as given, never gzipped
            response = self.connection.meta.client.put_object(
                Bucket=self.bucket_name,
                Key=key,
                Body=content,
                ContentLength=size,
                ContentMD5=base64.b64encode(hashlib.md5(content).digest()).decode(),  # noqa: S324 (integrity, as S3 asks)
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=checksum,
                Metadata={**params.pop("Metadata", {}), "sha256": sha256},
                **params,
            )
        except (BotoCoreError, ClientError) as exc:
            logger.error("object storage write failed for %s: %s", name, exc)
            raise StorageUnavailable(f"cannot write {name}: {exc}") from exc
        returned = response.get("ChecksumSHA256")
        if returned is not None and returned != checksum:
            raise StorageUnavailable(f"{name}: the object store reports a different SHA-256")
        return name

    def _head(self, key: str) -> dict | None:
        try:
            return self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise

    def _matches(self, key: str, head: dict, *, checksum: str, sha256: str, size: int) -> bool:
        if head.get("ContentLength") != size:
            return False
        # A whole-object checksum, computed by the server; a multipart one ("…-N") is not.
        if head.get("ChecksumSHA256") and "-" not in head["ChecksumSHA256"]:
            return head["ChecksumSHA256"] == checksum
        body = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)["Body"]
        digest = hashlib.sha256()
        for chunk in iter(lambda: body.read(CHUNK_SIZE), b""):
            digest.update(chunk)
        return digest.hexdigest() == sha256
