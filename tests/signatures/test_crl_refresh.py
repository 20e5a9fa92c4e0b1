"""Refreshing the residents' CRL from its source: only newer, current, correctly signed CRLs."""

from __future__ import annotations

import http.server
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from madoguchi.signatures import pki
from madoguchi.signatures.config import MunicipalitySignatures
from madoguchi.signatures.crl import CrlRefreshFailed, crl_refresh

NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def root():
    return pki.issue_ca("CRL Test Root", not_before=NOW - pki.days(10), not_after=NOW + pki.days(3650))


def crl_bytes(issuer, *, updated_days_ago: int, lifetime_days: int = 7, revoked=()) -> bytes:
    this_update = NOW - pki.days(updated_days_ago)
    crl = pki.issue_crl(issuer, revoked=revoked, this_update=this_update,
                        next_update=this_update + pki.days(lifetime_days))  # fmt: skip
    return crl.public_bytes(Encoding.DER)


@pytest.fixture
def config(root, tmp_path):
    return MunicipalitySignatures(
        code="082015",
        resident_trust_anchors=(root.certificate,),
        crl_file=tmp_path / "live" / "jpki.crl",
        crl_source=str(tmp_path / "source.crl"),
    )


def test_a_current_crl_is_installed_and_an_older_one_never_replaces_it(config, root, tmp_path):
    (tmp_path / "source.crl").write_bytes(crl_bytes(root, updated_days_ago=1))
    first = crl_refresh(config, now=NOW)
    assert first.replaced and config.crl_file.exists()

    (tmp_path / "source.crl").write_bytes(crl_bytes(root, updated_days_ago=2))
    assert not crl_refresh(config, now=NOW).replaced
    assert x509.load_der_x509_crl(config.crl_file.read_bytes()).last_update_utc == first.this_update


def test_a_stale_crl_at_the_source_is_refused_and_the_old_file_kept(config, root, tmp_path):
    (tmp_path / "source.crl").write_bytes(crl_bytes(root, updated_days_ago=1))
    crl_refresh(config, now=NOW)
    kept = config.crl_file.read_bytes()
    (tmp_path / "source.crl").write_bytes(crl_bytes(root, updated_days_ago=9))

    with pytest.raises(CrlRefreshFailed, match="stale"):
        crl_refresh(config, now=NOW)
    assert config.crl_file.read_bytes() == kept


def test_a_crl_in_the_anchors_name_with_another_key_is_refused(config, root, tmp_path):
    forger = pki.Issued(root.certificate, pki.new_key())
    (tmp_path / "source.crl").write_bytes(crl_bytes(forger, updated_days_ago=0))

    with pytest.raises(CrlRefreshFailed, match="signature"):
        crl_refresh(config, now=NOW)
    assert not config.crl_file.exists()


def test_something_that_is_not_a_crl_is_refused(config, tmp_path):
    (tmp_path / "source.crl").write_bytes(b"<html>maintenance</html>")

    with pytest.raises(CrlRefreshFailed, match="does not hold a CRL"):
        crl_refresh(config, now=NOW)


def test_an_unreachable_source_is_a_failure(config):
    with pytest.raises(CrlRefreshFailed, match="cannot read"):
        crl_refresh(replace(config, crl_source="http://127.0.0.1:9/jpki.crl"), now=NOW)


def test_the_crl_is_fetched_over_http(config, root):
    body = crl_bytes(root, updated_days_ago=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/jpki.crl"
        result = crl_refresh(replace(config, crl_source=url), now=NOW)
    finally:
        server.shutdown()
    assert result.replaced
    assert config.crl_file.read_bytes() == body
