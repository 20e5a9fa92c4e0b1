"""The few JOSE pieces the national authentication app's protocol needs, on ``cryptography``.

RS256 JWS (the client assertion of private_key_jwt, RFC 7523), RS256/ES256 verification (the
ID token), RSA-OAEP-256 + A256GCM JWE decryption (the sign result) and JWKs (RFC 7517, with
RFC 7638 thumbprints as key ids). Written here rather than adding a JOSE dependency because
only these algorithms are accepted: anything else is refused, never negotiated down.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class JoseInvalid(ValueError):
    """A token or key that cannot be read, uses another algorithm, or does not verify."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise JoseInvalid("not base64url") from exc


def _int(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def _json_part(text: str) -> dict:
    try:
        value = json.loads(b64url_decode(text))
    except ValueError as exc:
        raise JoseInvalid("not JSON") from exc
    if not isinstance(value, dict):
        raise JoseInvalid("not a JSON object")
    return value


def jwk_public(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, *, use: str = "", alg: str = "") -> dict:
    """The public JWK of ``key`` with its RFC 7638 thumbprint as ``kid``."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        members = {"e": _int(numbers.e), "kty": "RSA", "n": _int(numbers.n)}
    else:
        numbers = key.public_numbers()
        size = (key.curve.key_size + 7) // 8
        members = {"crv": "P-256", "kty": "EC",
                   "x": b64url(numbers.x.to_bytes(size, "big")), "y": b64url(numbers.y.to_bytes(size, "big"))}  # fmt: skip
    thumbprint = b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())
    jwk = {**members, "kid": thumbprint}
    if use:
        jwk["use"] = use
    if alg:
        jwk["alg"] = alg
    return jwk


def public_key_from_jwk(jwk: dict):
    try:
        if jwk.get("kty") == "RSA":
            n = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(b64url_decode(jwk["e"]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x = int.from_bytes(b64url_decode(jwk["x"]), "big")
            y = int.from_bytes(b64url_decode(jwk["y"]), "big")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, ValueError) as exc:
        raise JoseInvalid("unreadable JWK") from exc
    raise JoseInvalid("unsupported key type")


def jws_sign_rs256(claims: dict, key: rsa.RSAPrivateKey, *, kid: str) -> str:
    header = b64url(json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def jws_header(token: str) -> dict:
    return _json_part(token.split(".", 1)[0])


def jws_verify(token: str, keys: list[dict]) -> dict:
    """The claims of a compact RS256 or ES256 JWS signed by one of ``keys`` (a JWK set's keys)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JoseInvalid("not a compact JWS")
    header = _json_part(parts[0])
    alg = header.get("alg")
    candidates = [k for k in keys if not header.get("kid") or k.get("kid") == header.get("kid")]
    if not candidates:
        raise JoseInvalid("no key with this kid")
    signed, signature = f"{parts[0]}.{parts[1]}".encode(), b64url_decode(parts[2])
    for jwk in candidates:
        key = public_key_from_jwk(jwk)
        try:
            if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64:
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
                key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
            else:
                continue
        except InvalidSignature:
            continue
        return _json_part(parts[1])
    raise JoseInvalid(f"the {alg} signature does not verify")


def jwe_encrypt(payload: bytes, key: rsa.RSAPublicKey, *, kid: str) -> str:
    """Compact JWE, RSA-OAEP-256 + A256GCM (the test stand-in encrypts with it)."""
    header = b64url(json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}, separators=(",", ":")).encode())
    cek, iv = AESGCM.generate_key(bit_length=256), os.urandom(12)
    encrypted_key = key.encrypt(cek, _oaep())
    sealed = AESGCM(cek).encrypt(iv, payload, header.encode("ascii"))
    return ".".join((header, b64url(encrypted_key), b64url(iv), b64url(sealed[:-16]), b64url(sealed[-16:])))


def jwe_decrypt(token: str, key: rsa.RSAPrivateKey) -> bytes:
    parts = token.split(".")
    if len(parts) != 5:
        raise JoseInvalid("not a compact JWE")
    header = _json_part(parts[0])
    if header.get("alg") != "RSA-OAEP-256" or header.get("enc") != "A256GCM":
        raise JoseInvalid("unsupported JWE algorithms")
    try:
        cek = key.decrypt(b64url_decode(parts[1]), _oaep())
        return AESGCM(cek).decrypt(
            b64url_decode(parts[2]), b64url_decode(parts[3]) + b64url_decode(parts[4]), parts[0].encode("ascii")
        )
    except (ValueError, InvalidTag) as exc:
        raise JoseInvalid("the JWE cannot be decrypted with this key") from exc


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def pkce_challenge(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())
