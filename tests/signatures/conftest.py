"""Organisational signing tests reuse the approvals fixtures (staff per department, cases in
review) and add helpers to read signatures and to write signatures files for key rotation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from tests.approvals.conftest import (  # noqa: F401 (fixtures)
    admin,
    away,
    in_review,
    inkan_case,
    make_staff,
    shimin,
)

from madoguchi.signatures import pki
from madoguchi.signatures.models import OrganisationSignature


def signatures_of(case) -> list[OrganisationSignature]:
    return list(OrganisationSignature.objects.for_municipality(case.municipality).filter(case=case).order_by("id"))


def org_key(issuer: pki.Issued, *, name: str, not_before: datetime | None = None, not_after: datetime | None = None):
    """An organisation certificate and key under ``issuer`` (valid ±1 year unless given)."""
    now = datetime.now(UTC)
    return pki.issue_organisation_certificate(
        issuer=issuer,
        not_before=not_before or now - pki.days(365),
        not_after=not_after or now + pki.days(365),
        common_name=f"{name}長",
        organisation=name,
    )


@pytest.fixture
def signatures_file(tmp_path, settings):
    """Return ``write(name, {code: {"keys": [...], "anchors": [Issued, ...]}})``: write the keys
    (PKCS#12 with a passphrase file, or certificate-only PEM for retired entries) and a
    signatures file, point the setting at it and return its path. Entries of ``keys`` are
    ``("sign", Issued, chain)`` or ``("retired", Issued)``."""
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)

    def write(name: str, municipalities: dict) -> Path:
        data = {}
        for code, entry in municipalities.items():
            keys = []
            for kind, issued, *chain in entry["keys"]:
                stem = f"{code}-{issued.certificate.serial_number:x}"
                if kind == "sign":
                    (directory / f"{stem}.p12").write_bytes(
                        pki.pkcs12_bytes(issued, chain=chain[0], passphrase=b"secret", label=code)
                    )
                    (directory / f"{stem}.pass").write_bytes(b"secret")
                    for file in (directory / f"{stem}.p12", directory / f"{stem}.pass"):
                        file.chmod(0o600)
                    keys.append({"pkcs12": f"{stem}.p12", "passphrase_file": f"{stem}.pass"})
                else:
                    (directory / f"{stem}.pem").write_bytes(issued.pem)
                    keys.append({"certificate": f"{stem}.pem"})
            anchors = []
            for anchor in entry["anchors"]:
                file = f"root-{anchor.certificate.serial_number:x}.pem"
                (directory / file).write_bytes(anchor.certificate.public_bytes(serialization.Encoding.PEM))
                anchors.append(file)
            data[code] = {"organisation": {"keys": keys, "trust_anchors": anchors}}
        path = directory / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"municipalities": data}, allow_unicode=True), encoding="utf-8")
        settings.MADOGUCHI_SIGNATURES_FILE = str(path)
        return path

    return write


@pytest.fixture(scope="session")
def org_root() -> pki.Issued:
    now = datetime.now(UTC)
    return pki.issue_ca("組織認証局 テスト", not_before=now - pki.days(400), not_after=now + pki.days(800))
