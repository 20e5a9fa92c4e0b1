"""The relying party's side of the national authentication app's sign flow.

1. a client-credentials token (private_key_jwt client authentication, RFC 7523);
2. ``POST /api/sign-transactions`` with the SHA-256 digest of what is signed: a transaction id;
3. the resident's browser goes to the authorization endpoint (OpenID Connect authorization code
   flow, scope ``openid sign``, with state, nonce, PKCE S256 and the transaction id) and signs on
   their smartphone; the service redirects back with ``code`` and ``state``;
4. the code is exchanged (private_key_jwt again, with the PKCE verifier); the ID token's nonce
   and audience are checked;
5. ``GET /api/sign-transactions/{id}/result`` with that access token: the signature and the
   signing certificate (a JWE for the relying party's encryption key).

What comes back is only *handed over* here: ``signatures.verification`` checks it as any other
signature, so nothing the service says is trusted on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime

from asn1crypto import algos

from madoguchi.signatures.authapp import jose
from madoguchi.signatures.authapp.config import (
    AUTHORIZATION_PATH,
    CERTS_PATH,
    SIGN_TRANSACTIONS_PATH,
    TOKEN_PATH,
    AuthAppConfig,
)
from madoguchi.signatures.authapp.errors import AuthAppFlowInvalid, AuthAppUnavailable
from madoguchi.signatures.verification import SubmittedSignature

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_RESPONSE = 256 * 1024


@dataclass(frozen=True)
class SignFlow:
    """What the browser session keeps between leaving for the app and coming back."""

    municipality: str
    slug: str
    state: str
    nonce: str
    code_verifier: str
    transaction_id: str
    content_sha256: str
    started_at: float  # POSIX seconds

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SignFlow:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def _http(config: AuthAppConfig, url: str, *, form=None, body=None, bearer: str = "") -> tuple[int, object]:
    data, headers = None, {"Accept": "application/json"}
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310 (https URL from config)
            status, raw = response.status, response.read(MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(MAX_RESPONSE)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise AuthAppUnavailable(f"{url}: {exc}") from exc
    if status >= 500:
        raise AuthAppUnavailable(f"{url}: HTTP {status}")
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def _error(payload: object) -> str:
    return str(payload.get("error", "")) if isinstance(payload, dict) else ""


def client_assertion(config: AuthAppConfig, now: datetime) -> str:
    """A private_key_jwt client assertion for the token endpoint (valid one minute, single use)."""
    issued = int(now.timestamp())
    claims = {"iss": config.client_id, "sub": config.client_id, "aud": config.url(TOKEN_PATH),
              "jti": secrets.token_urlsafe(24), "iat": issued, "exp": issued + 60}  # fmt: skip
    return jose.jws_sign_rs256(claims, config.signing_key, kid=config.signing_jwk["kid"])


def _token(config: AuthAppConfig, form: dict, now: datetime) -> dict:
    status, payload = _http(
        config,
        config.url(TOKEN_PATH),
        form={**form, "client_id": config.client_id, "client_assertion_type": ASSERTION_TYPE,
              "client_assertion": client_assertion(config, now)},
    )  # fmt: skip
    if status == 200 and isinstance(payload, dict) and payload.get("access_token"):
        return payload
    if _error(payload) == "invalid_grant":  # a wrong code or PKCE verifier: this round trip is spoilt
        raise AuthAppFlowInvalid("authorization_failed", f"token endpoint: {payload}")
    # invalid_client and the like are the platform's registration, not the resident's doing.
    raise AuthAppUnavailable(f"token endpoint: HTTP {status} {_error(payload)}")


def digest_info_b64(content: bytes) -> str:
    """The SHA-256 of ``content`` as a DER DigestInfo (RFC 8017), base64.

    Sent as the transaction's digest so that the card makes a standard RSASSA-PKCS1-v1_5
    SHA-256 signature over ``content``, the kind the verifier checks (see docs/signatures.md).
    """
    info = algos.DigestInfo({"digest_algorithm": {"algorithm": "sha256"}, "digest": hashlib.sha256(content).digest()})
    return base64.b64encode(info.dump()).decode("ascii")


def sign_flow_start(
    config: AuthAppConfig, *, municipality: str, slug: str, content: bytes, redirect_uri: str, now: datetime
) -> tuple[SignFlow, str]:
    """Open a sign transaction for ``content``; return the flow to keep and the URL to send the browser to."""
    token = _token(config, {"grant_type": "client_credentials"}, now)["access_token"]
    status, payload = _http(
        config, config.url(SIGN_TRANSACTIONS_PATH), body={"digest": digest_info_b64(content)}, bearer=token
    )
    transaction_id = payload.get("sign_transaction_id") if isinstance(payload, dict) else None
    if status not in (200, 201) or not transaction_id:
        raise AuthAppUnavailable(f"sign-transactions: HTTP {status} {_error(payload)}")
    flow = SignFlow(
        municipality=municipality,
        slug=slug,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),  # 86 characters of [A-Za-z0-9_-]: RFC 7636 allows 43–128
        transaction_id=str(transaction_id),
        content_sha256=hashlib.sha256(content).hexdigest(),
        started_at=now.timestamp(),
    )
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "scope": "openid sign",
            "client_id": config.client_id,
            "redirect_uri": redirect_uri,
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": jose.pkce_challenge(flow.code_verifier),
            "code_challenge_method": "S256",
            "sign_transaction_id": flow.transaction_id,
        }
    )
    return flow, f"{config.url(AUTHORIZATION_PATH)}?{query}"


def _check_id_token(config: AuthAppConfig, id_token: str, flow: SignFlow, now: datetime) -> None:
    status, jwks = _http(config, config.url(CERTS_PATH))
    if status != 200 or not isinstance(jwks, dict):
        raise AuthAppUnavailable(f"certs: HTTP {status}")
    try:
        claims = jose.jws_verify(id_token, list(jwks.get("keys") or []))
    except jose.JoseInvalid as exc:
        raise AuthAppFlowInvalid("authorization_failed", f"ID token: {exc}") from exc
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise AuthAppFlowInvalid("authorization_failed", "ID token for another client")
    if not hmac.compare_digest(str(claims.get("nonce", "")), flow.nonce):
        raise AuthAppFlowInvalid("authorization_failed", "ID token nonce does not match")
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now.timestamp():
        raise AuthAppFlowInvalid("authorization_failed", "ID token expired")


def _b64(value: object) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError as exc:
        raise AuthAppFlowInvalid("authorization_failed", "sign result is not base64") from exc


def _result(config: AuthAppConfig, flow: SignFlow, access_token: str) -> SubmittedSignature:
    url = f"{config.url(SIGN_TRANSACTIONS_PATH)}/{urllib.parse.quote(flow.transaction_id)}/result"
    status, payload = _http(config, url, bearer=access_token)
    if status in (404, 410) or "expired" in _error(payload):
        raise AuthAppFlowInvalid("transaction_expired", f"result: HTTP {status} {_error(payload)}")
    if status != 200:
        raise AuthAppUnavailable(f"result: HTTP {status} {_error(payload)}")
    sealed = payload.get("result") if isinstance(payload, dict) else payload
    try:
        result = json.loads(jose.jwe_decrypt(str(sealed), config.encryption_key))
    except (jose.JoseInvalid, ValueError) as exc:
        raise AuthAppFlowInvalid("authorization_failed", f"result: {exc}") from exc
    if not isinstance(result, dict) or not result.get("signature") or not result.get("certificate"):
        raise AuthAppFlowInvalid("authorization_failed", "result without a signature and certificate")
    chain = result.get("intermediate_certificates") or []
    return SubmittedSignature(
        signature=_b64(result["signature"]),
        certificate=_b64(result["certificate"]),
        chain=tuple(_b64(item) for item in chain[:5]),
    )


def sign_flow_finish(
    config: AuthAppConfig, flow: SignFlow, *, params: dict, redirect_uri: str, now: datetime
) -> SubmittedSignature:
    """Check the redirect back, redeem the code and fetch what the resident signed."""
    if not hmac.compare_digest(str(params.get("state", "")), flow.state):
        raise AuthAppFlowInvalid("state_mismatch")
    if params.get("error"):
        code = "cancelled" if params["error"] == "access_denied" else "authorization_failed"
        raise AuthAppFlowInvalid(code, str(params["error"]))
    if now.timestamp() - flow.started_at > config.transaction_lifetime:
        raise AuthAppFlowInvalid("transaction_expired", "the flow is older than transaction_lifetime")
    if not params.get("code"):
        raise AuthAppFlowInvalid("authorization_failed", "no code")
    tokens = _token(
        config,
        {"grant_type": "authorization_code", "code": str(params["code"]), "redirect_uri": redirect_uri,
         "code_verifier": flow.code_verifier},
        now,
    )  # fmt: skip
    if not tokens.get("id_token"):
        raise AuthAppFlowInvalid("authorization_failed", "no ID token")
    _check_id_token(config, str(tokens["id_token"]), flow, now)
    return _result(config, flow, str(tokens["access_token"]))
