"""Making certificates, CRLs and PKCS#12 files: the demo PKI and the tests' CA hierarchies.

Production keys and certificates come from the municipality's CA (e.g. LGPKI) and
J-LIS; nothing here is used for them. The demo and the tests use this module so that
every signature they check is a real RSA-2048/SHA-256 signature under a real chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from madoguchi.signatures import jpki

KEY_USAGE_FLAGS = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                   "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")  # fmt: skip
SIGNING_USAGE = frozenset({"digital_signature", "content_commitment"})  # content_commitment = nonRepudiation


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name: str, organisation: str = "", unit: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "JP")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _key_usage(flags: Iterable[str]) -> x509.KeyUsage:
    wanted = set(flags)
    unknown = wanted - set(KEY_USAGE_FLAGS)
    if unknown:
        raise ValueError(f"unknown key usage {sorted(unknown)}")
    return x509.KeyUsage(**{flag: flag in wanted for flag in KEY_USAGE_FLAGS})


def _builder(subject: x509.Name, key, issuer: Issued | None, not_before: datetime, not_after: datetime):
    issuer_name = issuer.certificate.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
        )
    )
    return builder, signing_key


def issue_ca(
    common_name: str,
    *,
    issuer: Issued | None = None,
    not_before: datetime,
    not_after: datetime,
    organisation: str = "",
    key: rsa.RSAPrivateKey | None = None,
) -> Issued:
    """A root (no issuer) or intermediate certification authority."""
    key = key or new_key()
    builder, signing_key = _builder(_name(common_name, organisation), key, issuer, not_before, not_after)
    certificate = (
        builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage({"key_cert_sign", "crl_sign"}), critical=True)
        .sign(signing_key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue_signing_certificate(
    *,
    issuer: Issued,
    not_before: datetime,
    not_after: datetime,
    name: str,
    sex: str,
    born: date,
    address: str,
    key_usage: Iterable[str] = SIGNING_USAGE,
    key: rsa.RSAPrivateKey | None = None,
) -> Issued:
    """A resident's signing certificate shaped like JPKI's 署名用電子証明書.

    The subject CN is an opaque serial-like identifier; the holder's facts are
    subjectAltName otherNames (see :mod:`madoguchi.signatures.jpki`).
    """
    key = key or new_key()
    builder, signing_key = _builder(
        _name(f"{x509.random_serial_number() % 10**16:016d}"), key, issuer, not_before, not_after
    )
    certificate = (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(key_usage), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(jpki.other_names(name=name, sex=sex, born=born, address=address)),
            critical=False,
        )
        .sign(signing_key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue_organisation_certificate(
    *,
    issuer: Issued,
    not_before: datetime,
    not_after: datetime,
    common_name: str,
    organisation: str,
    key: rsa.RSAPrivateKey | None = None,
    crl_url: str = "",
    unit: str = "",
) -> Issued:
    """A municipality's signing certificate (in production: LGPKI 組織認証局); ``unit`` is its office (OU).

    ``crl_url`` adds a CRL distribution point: validators check revocation of a certificate
    that declares where its CRL is (pyHanko's "hard-fail" mode checks only those).
    """
    key = key or new_key()
    builder, signing_key = _builder(_name(common_name, organisation, unit), key, issuer, not_before, not_after)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True).add_extension(
        _key_usage(SIGNING_USAGE), critical=True
    )
    if crl_url:
        builder = builder.add_extension(_crl_distribution_point(crl_url), critical=False)
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


def _crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(url)], relative_name=None,
                                reasons=None, crl_issuer=None)]
    )  # fmt: skip


def issue_timestamping_certificate(
    *,
    issuer: Issued,
    not_before: datetime,
    not_after: datetime,
    common_name: str,
    key: rsa.RSAPrivateKey | None = None,
    crl_url: str = "",
) -> Issued:
    """A time-stamping authority's certificate (RFC 3161: the critical extended key usage timeStamping)."""
    key = key or new_key()
    builder, signing_key = _builder(_name(common_name, "Madoguchi Test"), key, issuer, not_before, not_after)
    builder = (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage({"digital_signature", "content_commitment"}), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    )
    if crl_url:
        builder = builder.add_extension(_crl_distribution_point(crl_url), critical=False)
    return Issued(builder.sign(signing_key, hashes.SHA256()), key)


def issue_crl(
    issuer: Issued,
    *,
    revoked: Sequence[tuple[x509.Certificate, datetime]] = (),
    this_update: datetime,
    next_update: datetime,
    number: int = 1,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    )
    for certificate, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(certificate.serial_number).revocation_date(when).build()
        )
    return builder.sign(issuer.key, hashes.SHA256())


def pkcs12_bytes(issued: Issued, *, chain: Sequence[x509.Certificate], passphrase: bytes, label: str) -> bytes:
    """A PKCS#12 file (key, certificate and chain), as the demo software card and `madoguchi sign` use."""
    return pkcs12.serialize_key_and_certificates(
        label.encode(), issued.key, issued.certificate, list(chain),
        serialization.BestAvailableEncryption(passphrase),
    )  # fmt: skip


def days(n: int) -> timedelta:
    return timedelta(days=n)
