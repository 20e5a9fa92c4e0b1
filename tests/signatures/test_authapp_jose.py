"""The JOSE pieces of the national authentication app's client accept only what they should."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from madoguchi.signatures.authapp import jose


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_an_rs256_token_verifies_with_its_key_and_not_with_another(rsa_key):
    jwk = jose.jwk_public(rsa_key.public_key(), use="sig", alg="RS256")
    token = jose.jws_sign_rs256({"iss": "RP1"}, rsa_key, kid=jwk["kid"])

    assert jose.jws_verify(token, [jwk]) == {"iss": "RP1"}
    other = jose.jwk_public(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
    with pytest.raises(jose.JoseInvalid):
        jose.jws_verify(token, [{**other, "kid": jwk["kid"]}])


def test_an_unsigned_or_hmac_token_is_refused(rsa_key):
    jwk = jose.jwk_public(rsa_key.public_key())
    payload = jose.b64url(json.dumps({"nonce": "n"}).encode())
    for alg in ("none", "HS256"):
        header = jose.b64url(json.dumps({"alg": alg, "kid": jwk["kid"]}).encode())
        with pytest.raises(jose.JoseInvalid):
            jose.jws_verify(f"{header}.{payload}.", [jwk])


def test_the_thumbprint_is_rfc_7638():
    # The example key of RFC 7638 §3.1 and its published thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6"
        "4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n"
        "91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    key = jose.public_key_from_jwk({"kty": "RSA", "n": n, "e": "AQAB"})
    assert jose.jwk_public(key)["kid"] == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_jwe_opens_with_the_recipient_key_only(rsa_key):
    sealed = jose.jwe_encrypt(b'{"signature":"x"}', rsa_key.public_key(), kid="k")

    assert jose.jwe_decrypt(sealed, rsa_key) == b'{"signature":"x"}'
    with pytest.raises(jose.JoseInvalid):
        jose.jwe_decrypt(sealed, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    header = jose.b64url(json.dumps({"alg": "RSA1_5", "enc": "A128CBC-HS256"}).encode())
    with pytest.raises(jose.JoseInvalid):
        jose.jwe_decrypt(".".join([header, *sealed.split(".")[1:]]), rsa_key)


def test_es256_id_tokens_verify():
    key = ec.generate_private_key(ec.SECP256R1())
    from tests.signatures.authapp_standin import Standin

    standin = Standin(client_id="RP1", redirect_uri="https://example.invalid/cb", card=(), id_key=key)
    token = standin._es256({"aud": "RP1", "nonce": "abc"})

    assert jose.jws_verify(token, [jose.jwk_public(key.public_key())])["nonce"] == "abc"


def test_the_pkce_challenge_is_rfc_7636():
    # RFC 7636 Appendix B.
    assert jose.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
