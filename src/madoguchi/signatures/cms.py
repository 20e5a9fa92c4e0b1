"""CMS SignedData (RFC 5652) containers: the evidence kept for every resident signature.

A resident's client may send a detached CMS SignedData (e.g. from ``madoguchi sign`` or
the JPKI client software), or — as the national authentication app's API does — a raw
RSA PKCS#1 v1.5 signature and the certificate. The raw form is wrapped here into a
SignedData without signed attributes, which RFC 5652 §5.4 defines as a signature over
the content itself, so both paths keep the same verifiable container.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class CmsInvalid(ValueError):
    """Not a usable SignedData; ``code`` says why (malformed, content_mismatch, algorithm)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class ParsedSignature:
    signer: x509.Certificate
    certificates: tuple[x509.Certificate, ...]  # everything in the container except the signer
    digest_algorithm: str


def _to_crypto(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def cms_from_raw(*, content: bytes, signature: bytes, certificate: bytes, chain: list[bytes]) -> bytes:
    """Wrap a raw RSA PKCS#1 v1.5 SHA-256 signature over ``content`` into a detached SignedData."""
    del content  # not embedded: the container is detached, like every one we keep
    try:
        signer = asn1_x509.Certificate.load(certificate)
        others = [asn1_x509.Certificate.load(item) for item in chain]
        signer.native  # noqa: B018 (parsing everything now turns bad DER into a clear error)
        for item in others:
            item.native  # noqa: B018
    except (ValueError, TypeError) as exc:
        raise CmsInvalid("malformed", "the certificate is not DER X.509") from exc
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value=cms.IssuerAndSerialNumber({"issuer": signer.issuer, "serial_number": signer.serial_number}),
            ),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            "signature": signature,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "data"},
            "certificates": [signer, *others],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _signer_certificate(signer_info: cms.SignerInfo, certificates: list[asn1_x509.Certificate]):
    sid = signer_info["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            # Serial first, then the issuer's DER: asn1crypto's Name equality runs LDAP string
            # preparation and costs milliseconds; a byte match is the normal case.
            if certificate.serial_number == wanted["serial_number"].native and (
                certificate.issuer.dump() == wanted["issuer"].dump() or certificate.issuer == wanted["issuer"]
            ):
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    raise CmsInvalid("malformed", "the signer's certificate is not in the container")


def verify_cms(cms_der: bytes, content: bytes) -> ParsedSignature:
    """Check that ``cms_der`` holds one RSA signature over exactly ``content``.

    Only the mathematics and the binding to the content are checked here; whether the
    certificate is trusted, valid and not revoked is the verifier's job.
    """
    try:
        info = cms.ContentInfo.load(cms_der)
        if info["content_type"].native != "signed_data":
            raise CmsInvalid("malformed", "not a CMS SignedData")
        signed = info["content"]
        signer_infos = list(signed["signer_infos"])
        certificates = [c.chosen for c in signed["certificates"] if c.name == "certificate"]
        encapsulated = signed["encap_content_info"]["content"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise CmsInvalid("malformed", "not a DER CMS SignedData") from exc
    if len(signer_infos) != 1:
        raise CmsInvalid("malformed", "exactly one signer is expected")
    if encapsulated is not None and encapsulated != content:
        raise CmsInvalid("content_mismatch")
    signer_info = signer_infos[0]
    signer = _signer_certificate(signer_info, certificates)
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in HASHES:
        raise CmsInvalid("algorithm", f"digest {digest_name} is not accepted")
    if signer_info["signature_algorithm"].signature_algo != "rsassa_pkcs1v15":
        raise CmsInvalid("algorithm", "only RSA PKCS#1 v1.5 signatures are accepted")
    signed_attrs = signer_info["signed_attrs"]
    if signed_attrs.native:
        digest = hashlib.new(digest_name, content).digest()
        values = {attr["type"].native: attr["values"][0].native for attr in signed_attrs}
        if values.get("message_digest") != digest:
            raise CmsInvalid("content_mismatch")
        if values.get("content_type") != "data":
            raise CmsInvalid("malformed", "the signed content type is not data")
        # RFC 5652 §5.4: the signature is over the DER of the attributes as a SET OF.
        data = signed_attrs.untag().dump(force=True)
    else:
        data = content
    crypto_signer = _to_crypto(signer)
    public_key = crypto_signer.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise CmsInvalid("algorithm", "only RSA keys are accepted")
    try:
        public_key.verify(signer_info["signature"].native, data, padding.PKCS1v15(), HASHES[digest_name]())
    except InvalidSignature as exc:
        raise CmsInvalid("content_mismatch") from exc
    others = tuple(_to_crypto(c) for c in certificates if c is not signer)
    return ParsedSignature(signer=crypto_signer, certificates=others, digest_algorithm=digest_name)


def certificate_der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(Encoding.DER)
