"""The demo PKI: a demo JPKI-like CA with a software card, and an organisation CA.

``madoguchi demo`` calls :func:`demo_pki_ensure`. It writes, under ``var/demo-pki/``
(directory mode 0700, keys and passphrases 0600):

- ``jpki-demo-root.pem`` and ``jpki-demo-ca.pem``: the demo signing CA (root + intermediate);
- ``software-card.p12``: the demo "software card" of 青葉 花子 (PIN in ``software-card.pin``,
  printed by ``madoguchi demo``), which the portal's demo signer and ``madoguchi sign`` use;
- ``jpki-demo.crl``: the intermediate's CRL, reissued when half its life has passed;
- ``org-root.pem`` and ``org-<code>.p12``: each demo municipality's signing key;
- ``signatures.yaml``: the signatures file naming all of the above.

Nothing here is read by production settings: they name their own signatures file.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from madoguchi.signatures import pki

SOFTWARE_CARD = {"name": "青葉 花子", "sex": "2", "born": date(1988, 4, 2), "address": "茨城県青葉市本町一丁目1番1号"}
SOFTWARE_CARD_PIN = "1234"  # a demo card: its PIN is printed for the demo user
SOFTWARE_CARD_FILE = "software-card.p12"
CRL_LIFETIME_DAYS = 14


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    path.write_bytes(data)
    if secret:
        path.chmod(0o600)


def _key_pem(issued: pki.Issued) -> bytes:
    return issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_ca(directory: Path, stem: str) -> pki.Issued:
    certificate = x509.load_pem_x509_certificate((directory / f"{stem}.pem").read_bytes())
    key = serialization.load_pem_private_key((directory / "ca" / f"{stem}.key").read_bytes(), None)
    return pki.Issued(certificate, key)


def _write_crl(directory: Path, ca: pki.Issued, now: datetime) -> None:
    crl = pki.issue_crl(ca, this_update=now, next_update=now + pki.days(CRL_LIFETIME_DAYS),
                        number=int(now.timestamp()))  # fmt: skip
    _write(directory / "jpki-demo.crl", crl.public_bytes(serialization.Encoding.DER))


def _crl_half_spent(path: Path, now: datetime) -> bool:
    if not path.exists():
        return True
    crl = x509.load_der_x509_crl(path.read_bytes())
    return now >= crl.last_update_utc + (crl.next_update_utc - crl.last_update_utc) / 2


def demo_pki_ensure(directory: Path, municipalities: list[tuple[str, str]], *, now: datetime | None = None) -> bool:
    """Create the demo PKI in ``directory`` unless it exists; keep its CRL fresh.

    ``municipalities`` is (code, name) pairs. Returns True if the PKI was created now.
    """
    now = now or datetime.now(UTC)
    config = directory / "signatures.yaml"
    if config.exists():
        if _crl_half_spent(directory / "jpki-demo.crl", now):
            _write_crl(directory, _load_ca(directory, "jpki-demo-ca"), now)
        return False
    (directory / "ca").mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    (directory / "ca").chmod(0o700)
    start, end = now - pki.days(1), now + pki.days(5 * 365)
    root = pki.issue_ca("公的個人認証サービス デモ ルート認証局", not_before=start, not_after=end + pki.days(365),
                        organisation="Madoguchi Demo")  # fmt: skip
    ca = pki.issue_ca("公的個人認証サービス デモ 署名用認証局", issuer=root, not_before=start, not_after=end,
                      organisation="Madoguchi Demo")  # fmt: skip
    _write(directory / "jpki-demo-root.pem", root.pem)
    _write(directory / "jpki-demo-ca.pem", ca.pem)
    _write(directory / "ca" / "jpki-demo-ca.key", _key_pem(ca), secret=True)
    _write_crl(directory, ca, now)
    card = pki.issue_signing_certificate(issuer=ca, not_before=start, not_after=end, **SOFTWARE_CARD)
    _write(directory / SOFTWARE_CARD_FILE,
           pki.pkcs12_bytes(card, chain=[ca.certificate], passphrase=SOFTWARE_CARD_PIN.encode(), label="demo card"),
           secret=True)  # fmt: skip
    _write(directory / "software-card.pin", SOFTWARE_CARD_PIN.encode(), secret=True)

    org_root = pki.issue_ca("組織認証局 デモ", not_before=start, not_after=end + pki.days(365),
                            organisation="Madoguchi Demo")  # fmt: skip
    _write(directory / "org-root.pem", org_root.pem)
    entries = {}
    for code, name in municipalities:
        org = pki.issue_organisation_certificate(
            issuer=org_root, not_before=start, not_after=end, common_name=f"{name}長", organisation=name
        )
        passphrase = secrets.token_urlsafe(24).encode()
        _write(directory / f"org-{code}.p12",
               pki.pkcs12_bytes(org, chain=[org_root.certificate], passphrase=passphrase, label=name),
               secret=True)  # fmt: skip
        _write(directory / f"org-{code}.pass", passphrase, secret=True)
        entries[code] = {
            "residents": {
                "verifier": "x509",
                "trust_anchors": ["jpki-demo-root.pem"],
                "crl": {"file": "jpki-demo.crl", "source": ""},
            },
            "organisation": {
                "keys": [{"pkcs12": f"org-{code}.p12", "passphrase_file": f"org-{code}.pass"}],
                "trust_anchors": ["org-root.pem"],
            },
        }
    config.write_text(
        "# Demo signatures file, made by `madoguchi demo`. Never name it in production settings.\n"
        + yaml.safe_dump({"municipalities": entries}, allow_unicode=True, sort_keys=True),
        encoding="utf-8",
    )
    return True


def software_card(directory: Path) -> tuple[bytes, str]:
    """The demo software card's PKCS#12 bytes and PIN."""
    return (directory / SOFTWARE_CARD_FILE).read_bytes(), (directory / "software-card.pin").read_text().strip()


def software_card_load(directory: Path):
    data, pin = software_card(directory)
    return pkcs12.load_key_and_certificates(data, pin.encode())
