"""``madoguchi signatures crl-refresh`` over the signatures file."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import CommandError, call_command

from madoguchi.demo import pki as demo
from madoguchi.signatures import pki

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_pki(demo_pki, tmp_path, settings, municipalities):
    """A copy of the demo PKI whose CRL comes from a source file the test controls."""
    directory = tmp_path / "demo-pki"
    shutil.copytree(demo_pki, directory)
    config = yaml.safe_load((directory / "signatures.yaml").read_text(encoding="utf-8"))
    config["municipalities"]["082015"]["residents"]["crl"]["source"] = str(tmp_path / "published.crl")
    (directory / "signatures.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    settings.MADOGUCHI_SIGNATURES_FILE = str(directory / "signatures.yaml")
    return directory


def publish(own_pki, *, days_valid: int) -> bytes:
    ca = demo._load_ca(own_pki, "jpki-demo-ca")
    now = datetime.now(UTC)
    crl = pki.issue_crl(ca, this_update=now, next_update=now + pki.days(days_valid), number=int(now.timestamp()) + 1)
    data = crl.public_bytes(Encoding.DER)
    (own_pki.parent / "published.crl").write_bytes(data)
    return data


def test_the_published_crl_is_installed_and_the_city_without_a_source_is_skipped(own_pki, capsys):
    published = publish(own_pki, days_valid=7)

    call_command("signatures", "crl-refresh")

    out = capsys.readouterr().out
    assert "OK 082015: CRL installed" in out
    assert "SKIP 082023" in out
    assert (own_pki / "jpki-demo.crl").read_bytes() == published
    assert x509.load_der_x509_crl(published).next_update_utc > datetime.now(UTC)


def test_an_unreadable_source_fails_the_command_and_keeps_the_installed_crl(own_pki, capsys):
    installed = (own_pki / "jpki-demo.crl").read_bytes()
    (own_pki.parent / "published.crl").write_bytes(b"not a CRL")

    with pytest.raises(CommandError, match="082015"):
        call_command("signatures", "crl-refresh", "--municipality", "082015")

    assert "does not hold a CRL" in capsys.readouterr().err
    assert (own_pki / "jpki-demo.crl").read_bytes() == installed
