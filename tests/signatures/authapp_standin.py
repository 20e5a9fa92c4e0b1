"""A local stand-in for the national authentication app's service (デジタル認証アプリサーバ).

The real service cannot be reached from the test machines, so this HTTP server speaks the
protocol as published for relying parties (see docs/signatures.md for the pages followed):
the authorization endpoint (checks the request and redirects back with ``code`` and ``state``),
the token endpoint (checks the private_key_jwt client assertion against the JWKS the relying
party registered, and the PKCE verifier), the certs endpoint (its ES256 ID-token key), the
sign-transaction endpoints, and the result, a JWE for the relying party's key. The resident's
smartphone is simulated: the authorization endpoint signs the transaction's digest with a
JPKI-like card of the test CA at once.

Knobs make it misbehave the way a test needs: ``expire_transactions``, ``sign_other_digest``,
``wrong_nonce`` (an ID token from another login), ``down`` (503 everywhere).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import algos
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from madoguchi.signatures.authapp import jose
from madoguchi.signatures.authapp.config import (
    AUTHORIZATION_PATH,
    CERTS_PATH,
    SIGN_TRANSACTIONS_PATH,
    TOKEN_PATH,
)


@dataclass
class Standin:
    client_id: str
    redirect_uri: str
    card: tuple  # (private key, certificate, chain) of the simulated My Number card
    rp_jwks: dict = field(default_factory=dict)
    base_url: str = ""
    expire_transactions: bool = False
    sign_other_digest: bool = False
    down: bool = False
    wrong_nonce: bool = False
    id_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    transactions: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    seen_jtis: set = field(default_factory=set)
    log: list = field(default_factory=list)  # (endpoint, outcome) for the tests to read

    # -- the endpoints --------------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, dict]:
        checks = {
            "response_type": query.get("response_type") == "code",
            "scope": {"openid", "sign"} <= set(query.get("scope", "").split()),
            "client_id": query.get("client_id") == self.client_id,
            "redirect_uri": query.get("redirect_uri") == self.redirect_uri,
            "state": bool(query.get("state")),
            "nonce": bool(query.get("nonce")),
            "code_challenge_method": query.get("code_challenge_method") == "S256",
            "code_challenge": bool(query.get("code_challenge")),
            "sign_transaction_id": query.get("sign_transaction_id") in self.transactions,
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed:
            self.log.append(("authorize", f"refused: {failed}"))
            return 400, {}, {"error": "invalid_request", "error_description": ",".join(failed)}
        transaction = self.transactions[query["sign_transaction_id"]]
        key, certificate, chain = self.card
        digest = transaction["digest"] if not self.sign_other_digest else hashlib.sha256(b"something else").digest()
        # The smartphone app signs the digest with the card: PKCS#1 v1.5 over a SHA-256 DigestInfo.
        transaction["signature"] = key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        transaction["certificate"] = certificate.public_bytes(Encoding.DER)
        transaction["chain"] = [c.public_bytes(Encoding.DER) for c in chain]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": query["code_challenge"], "redirect_uri": query["redirect_uri"],
                            "nonce": query["nonce"], "transaction": query["sign_transaction_id"]}  # fmt: skip
        self.log.append(("authorize", "signed"))
        location = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": location}, {}

    def _client_authenticated(self, form: dict) -> bool:
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return False
        keys = [k for k in self.rp_jwks.get("keys", []) if k.get("use", "sig") == "sig"]
        try:
            claims = jose.jws_verify(form.get("client_assertion", ""), keys)
        except jose.JoseInvalid:
            return False
        fresh = claims.get("jti") and claims["jti"] not in self.seen_jtis and claims.get("exp", 0) > time.time()
        ok = (
            claims.get("iss") == claims.get("sub") == self.client_id
            and claims.get("aud") in (self.base_url + TOKEN_PATH, [self.base_url + TOKEN_PATH])
            and bool(fresh)
        )
        if ok:
            self.seen_jtis.add(claims["jti"])
        return ok

    def token(self, form: dict) -> tuple[int, dict, dict]:
        if not self._client_authenticated(form):
            self.log.append(("token", "invalid_client"))
            return 401, {}, {"error": "invalid_client"}
        if form.get("grant_type") == "client_credentials":
            token = secrets.token_urlsafe(24)
            self.tokens[token] = {"kind": "client"}
            self.log.append(("token", "client_credentials"))
            return 200, {}, {"access_token": token, "token_type": "Bearer", "expires_in": 300}
        grant = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {}, {"error": "invalid_grant"}
        challenge = jose.pkce_challenge(form.get("code_verifier", ""))
        if challenge != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
            self.log.append(("token", "invalid_grant"))
            return 400, {}, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = {"kind": "user", "transaction": grant["transaction"]}
        now = int(time.time())
        id_token = self._es256({"iss": self.base_url, "sub": "ppid-1", "aud": self.client_id,
                                "nonce": "replayed" if self.wrong_nonce else grant["nonce"],
                                "iat": now, "exp": now + 300})  # fmt: skip
        self.log.append(("token", "authorization_code"))
        return 200, {}, {"access_token": token, "token_type": "Bearer", "id_token": id_token, "expires_in": 300}

    def _es256(self, claims: dict) -> str:
        kid = jose.jwk_public(self.id_key.public_key())["kid"]
        header = jose.b64url(json.dumps({"alg": "ES256", "kid": kid}).encode())
        payload = jose.b64url(json.dumps(claims).encode())
        r, s = decode_dss_signature(self.id_key.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256())))
        return f"{header}.{payload}.{jose.b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def certs(self) -> tuple[int, dict, dict]:
        return 200, {}, {"keys": [jose.jwk_public(self.id_key.public_key(), use="sig", alg="ES256")]}

    def start_transaction(self, bearer: str, body: dict) -> tuple[int, dict, dict]:
        if self.tokens.get(bearer, {}).get("kind") != "client":
            return 401, {}, {"error": "invalid_token"}
        try:
            info = algos.DigestInfo.load(base64.b64decode(body.get("digest", ""), validate=True))
            if info["digest_algorithm"]["algorithm"].native != "sha256" or len(info["digest"].native) != 32:
                raise ValueError("not a SHA-256 DigestInfo")
        except (ValueError, TypeError):
            return 400, {}, {"error": "invalid_request"}
        transaction_id = str(uuid.uuid4())
        self.transactions[transaction_id] = {"digest": info["digest"].native, "expires": time.time() + 300}
        self.log.append(("sign-transactions", "started"))
        return 201, {}, {"sign_transaction_id": transaction_id}

    def result(self, bearer: str, transaction_id: str) -> tuple[int, dict, dict]:
        grant = self.tokens.get(bearer, {})
        if grant.get("kind") != "user" or grant.get("transaction") != transaction_id:
            return 401, {}, {"error": "invalid_token"}
        transaction = self.transactions[transaction_id]
        if self.expire_transactions or transaction["expires"] < time.time():
            self.log.append(("result", "expired"))
            return 410, {}, {"error": "sign_transaction_expired"}
        keys = [k for k in self.rp_jwks.get("keys", []) if k.get("use") == "enc"] or self.rp_jwks["keys"]
        payload = json.dumps({
            "signature": base64.b64encode(transaction["signature"]).decode(),
            "certificate": base64.b64encode(transaction["certificate"]).decode(),
            "intermediate_certificates": [base64.b64encode(c).decode() for c in transaction["chain"]],
        }).encode()  # fmt: skip
        sealed = jose.jwe_encrypt(payload, jose.public_key_from_jwk(keys[0]), kid=keys[0]["kid"])
        self.log.append(("result", "sent"))
        return 200, {}, {"sign_transaction_id": transaction_id, "result": sealed}


def _handler(standin: Standin):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, headers: dict, body: dict) -> None:
            data = json.dumps(body).encode() if body else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _bearer(self) -> str:
            value = self.headers.get("Authorization", "")
            return value[7:] if value.startswith("Bearer ") else ""

        def do_GET(self):
            if standin.down:
                return self._send(503, {}, {"error": "temporarily_unavailable"})
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == AUTHORIZATION_PATH:
                return self._send(*standin.authorize(query))
            if url.path == CERTS_PATH:
                return self._send(*standin.certs())
            prefix = SIGN_TRANSACTIONS_PATH + "/"
            if url.path.startswith(prefix) and url.path.endswith("/result"):
                transaction_id = url.path[len(prefix) : -len("/result")]
                if transaction_id in standin.transactions:
                    return self._send(*standin.result(self._bearer(), transaction_id))
            return self._send(404, {}, {"error": "not_found"})

        def do_POST(self):
            if standin.down:
                return self._send(503, {}, {"error": "temporarily_unavailable"})
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.path == TOKEN_PATH:
                return self._send(*standin.token(dict(urllib.parse.parse_qsl(raw))))
            if self.path == SIGN_TRANSACTIONS_PATH:
                return self._send(*standin.start_transaction(self._bearer(), json.loads(raw or "{}")))
            return self._send(404, {}, {"error": "not_found"})

        def log_message(self, *args):  # keep the test output quiet
            pass

    return Handler


def serve(standin: Standin):
    """Start ``standin`` on a free loopback port; return (server, base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    standin.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, standin.base_url
