"""A TLS certificate for the local production instance, made at start when there is none to use.

A local certificate authority (``ca.pem``, kept while it is valid) signs a server certificate
(``server.pem`` with the chain, ``server.key``) for the instance's host names. Trust ``ca.pem``
in a browser or pass it to ``curl --cacert`` to try the instance over verified HTTPS. The server
certificate is made again when it is missing, expires within a week, or does not name every
host in MADOGUCHI_ALLOWED_HOSTS. A real host uses the operator's certificate instead
(MADOGUCHI_TLS_CERT / MADOGUCHI_TLS_KEY), and nothing here runs.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
SERVER_DAYS = 90
RENEW_BEFORE = timedelta(days=7)


def _write(path: Path, data: bytes, *, secret: bool) -> None:
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Madoguchi local"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _subject_alternative_names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host.lstrip(".")))
    return names


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _ca(directory: Path, now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    certificate_path, key_path = directory / "ca.pem", directory / "ca.key"
    if certificate_path.is_file() and key_path.is_file():
        certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
        if certificate.not_valid_after_utc - RENEW_BEFORE > now:
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return certificate, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Madoguchi local CA")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), secret=True)
    _write(certificate_path, certificate.public_bytes(serialization.Encoding.PEM), secret=False)
    return certificate, key


def _current(path: Path, hosts: list[str], ca: x509.Certificate, now: datetime) -> bool:
    if not path.is_file():
        return False
    certificates = x509.load_pem_x509_certificates(path.read_bytes())
    server = certificates[0]
    try:
        names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return (
        server.issuer == ca.subject
        and server.not_valid_after_utc - RENEW_BEFORE > now
        and set(_subject_alternative_names(hosts)) <= set(names)
    )


def certificate_ensure(directory: Path, hosts: list[str], *, now: datetime | None = None) -> bool:
    """Make ``server.pem``/``server.key`` in ``directory`` for ``hosts`` unless current ones exist; True if made."""
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    ca, ca_key = _ca(directory, now)
    certificate_path, key_path = directory / "server.pem", directory / "server.key"
    hosts = hosts or ["127.0.0.1"]
    if key_path.is_file() and _current(certificate_path, hosts, ca, now):
        return False
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(_subject_alternative_names(hosts)), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(key_path, _key_pem(key), secret=True)
    chain = certificate.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    _write(certificate_path, chain, secret=False)
    return True
