"""Signing as a resident's client does: a detached CMS SignedData over canonical bytes.

Used by ``madoguchi sign`` (API users without card software, and the tests). A real
resident signs with the card; the server only ever verifies.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12


class CardUnreadable(ValueError):
    """The PKCS#12 file cannot be opened (wrong PIN, or not a PKCS#12 file with a key)."""


def card_load(data: bytes, pin: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate, list[x509.Certificate]]:
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, pin.encode())
    except ValueError as exc:
        raise CardUnreadable("wrong PIN or not a PKCS#12 file") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise CardUnreadable("the file holds no RSA key with its certificate")
    return key, certificate, list(chain)


def sign_cms(content: bytes, key: rsa.RSAPrivateKey, certificate: x509.Certificate, chain: list) -> bytes:
    """A detached CMS SignedData (DER, SHA-256, signed attributes) with the chain included."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(certificate, key, hashes.SHA256())
    for item in chain:
        builder = builder.add_certificate(item)
    return builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])


def sign_raw(content: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """A raw RSA PKCS#1 v1.5 SHA-256 signature, as the national authentication app returns."""
    return key.sign(content, padding.PKCS1v15(), hashes.SHA256())
