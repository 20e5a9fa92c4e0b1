"""Keeping the residents' CRL fresh: ``madoguchi signatures crl-refresh``.

The verifier never fetches a CRL while a resident waits: it reads the file named in the
signatures file, and refuses every signature when that file is missing or past its
nextUpdate. This module replaces the file from its configured source (an http(s) URL or a
local path, e.g. where the platform operator's sync drops it), atomically, and only with a
CRL that is newer and still current. Run it from cron well inside the CRL's lifetime.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from madoguchi.signatures.config import MunicipalitySignatures
from madoguchi.storage.atomic import write_file_atomic
from madoguchi.storage.errors import StorageUnavailable

MAX_CRL_BYTES = 50 * 1024 * 1024  # JPKI's full CRLs are large; refuse anything absurd
FETCH_TIMEOUT_SECONDS = 60


class CrlRefreshFailed(Exception):
    pass


@dataclass(frozen=True)
class CrlRefreshed:
    path: Path
    this_update: datetime
    next_update: datetime
    revoked: int
    replaced: bool  # False: the file already held this CRL or a newer one


def _read_source(source: str) -> bytes:
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https"):
        with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            data = response.read(MAX_CRL_BYTES + 1)
    elif parsed.scheme in ("", "file"):
        data = Path(parsed.path if parsed.scheme == "file" else source).read_bytes()
    else:
        raise CrlRefreshFailed(f"unsupported CRL source scheme {parsed.scheme!r}")
    if len(data) > MAX_CRL_BYTES:
        raise CrlRefreshFailed("the CRL is larger than 50 MB")
    return data


def _parse(data: bytes) -> x509.CertificateRevocationList:
    try:
        return x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise CrlRefreshFailed("the source does not hold a CRL") from exc


def _signed_by_anchor_if_issued_by_one(crl: x509.CertificateRevocationList, config: MunicipalitySignatures) -> bool:
    """A CRL issued by a trust anchor must verify with it.

    A CRL of an intermediate (JPKI's signing CA under its root) cannot be checked here, as
    the intermediate arrives with each resident's chain; the verifier checks it then, and a
    CRL that does not verify makes every signature fail as revocation_unavailable: a bad
    CRL can stop signatures, never let a revoked one through.
    """
    anchors = [a for a in config.resident_trust_anchors if a.subject == crl.issuer]
    return not anchors or any(crl.is_signature_valid(a.public_key()) for a in anchors)


def crl_refresh(config: MunicipalitySignatures, *, now: datetime | None = None) -> CrlRefreshed:
    """Fetch the municipality's CRL from its source and install it; raise CrlRefreshFailed."""
    now = now or datetime.now(UTC)
    if config.crl_file is None or not config.crl_source:
        raise CrlRefreshFailed(f"{config.code}: no CRL file or source in the signatures file")
    try:
        crl = _parse(_read_source(config.crl_source))
    except OSError as exc:
        raise CrlRefreshFailed(f"{config.code}: cannot read {config.crl_source}: {exc}") from exc
    if crl.next_update_utc is None or crl.next_update_utc <= now:
        raise CrlRefreshFailed(f"{config.code}: the CRL at the source is stale (nextUpdate passed)")
    if not _signed_by_anchor_if_issued_by_one(crl, config):
        raise CrlRefreshFailed(f"{config.code}: the CRL's signature does not verify with the trust anchor")
    path = config.crl_file
    if path.exists():
        try:
            current = _parse(path.read_bytes())
        except CrlRefreshFailed:
            current = None
        if current is not None and current.issuer == crl.issuer and current.last_update_utc >= crl.last_update_utc:
            return CrlRefreshed(path, current.last_update_utc, current.next_update_utc, len(current), replaced=False)
    # Readers see the old CRL or the new one, never half of one, and a full disk leaves the old.
    try:
        write_file_atomic(path, crl.public_bytes(Encoding.DER))
    except StorageUnavailable as exc:
        raise CrlRefreshFailed(f"{config.code}: cannot write {path}: {exc}") from exc
    return CrlRefreshed(path, crl.last_update_utc, crl.next_update_utc, len(crl), replaced=True)
