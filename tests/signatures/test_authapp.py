"""Signing with the national authentication app, against a local stand-in of its service.

The stand-in (authapp_standin.py) implements the published relying-party protocol; the
resident's smartphone is simulated by it signing with the demo JPKI-like card. What the
server accepts is decided by the same verifier as every other signature.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from tests.portal.test_apply_views import BASE as INKAN_APPLY
from tests.portal.test_apply_views import fill_all_steps
from tests.signatures.authapp_standin import Standin, serve

from madoguchi.cases.models import Case
from madoguchi.demo import pki as demo
from madoguchi.portal.views.authapp import FLOW_KEY
from madoguchi.signatures.models import ResidentSignature
from madoguchi.tenants.models import Municipality

CLIENT_ID = "RP00000001"
CALLBACK = "http://testserver/signing/authapp/callback/"


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


@pytest.fixture(scope="session")
def rp_keys(demo_pki):
    """The relying party's signing and encryption keys, as files beside the signatures file."""
    for name in ("authapp-sig.pem", "authapp-enc.pem", "authapp-other.pem"):
        path = demo_pki / name
        if not path.exists():
            path.write_bytes(_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
            path.chmod(0o600)
    return demo_pki


def configure(directory, base_url: str, *, signing_key: str = "authapp-sig.pem") -> str:
    data = yaml.safe_load((directory / "signatures.yaml").read_text(encoding="utf-8"))
    data["municipalities"]["082015"]["residents"]["signing_provider"] = "authapp"
    data["municipalities"]["082015"]["residents"]["authapp"] = {
        "base_url": base_url,
        "client_id": CLIENT_ID,
        "private_key_file": signing_key,
        "encryption_key_file": "authapp-enc.pem",
        "timeout": 5,
    }
    path = directory / f"signatures-authapp-{uuid.uuid4().hex}.yaml"  # a new name: no cached reading
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture
def standin(rp_keys, settings, client, municipalities):
    card = demo.software_card_load(rp_keys)
    service = Standin(client_id=CLIENT_ID, redirect_uri=CALLBACK, card=(card[0], card[1], card[2]))
    server, base_url = serve(service)
    settings.MADOGUCHI_SIGNATURES_FILE = configure(rp_keys, base_url)
    settings.MADOGUCHI_PUBLIC_URL = "http://testserver"
    # The municipality registers the JWKS the app serves at its well-known path.
    service.rp_jwks = client.get("/.well-known/jwks.json").json()
    yield service
    server.shutdown()
    server.server_close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_visits(url: str) -> str:
    """What the resident's browser does at the authorization endpoint: where it is sent back to."""
    try:
        urllib.request.build_opener(_NoRedirect).open(url, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.read()
        return exc.headers["Location"]
    raise AssertionError("the authorization endpoint did not redirect")


def leave_for_the_app(client) -> str:
    fill_all_steps(client)
    page = client.get(f"{INKAN_APPLY}/confirm/")
    assert b'data-testid="authapp"' in page.content
    response = client.post(f"{INKAN_APPLY}/authapp/")
    assert response.status_code == 302, response.content[:1000]
    return response["Location"]


def come_back(client, location: str, **extra):
    parts = urllib.parse.urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}", HTTP_ACCEPT_LANGUAGE="en", **extra)


def stored_cases() -> int:
    return Case.objects.for_municipality(Municipality.objects.get(code="082015")).count()


def test_the_resident_signs_on_the_smartphone_and_the_application_is_verified_as_today(client, standin):
    authorize = leave_for_the_app(client)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    assert query["scope"] == "openid sign" and query["code_challenge_method"] == "S256"
    assert query["client_id"] == CLIENT_ID and query["redirect_uri"] == CALLBACK
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    # The transaction carries the SHA-256 of exactly the bytes the page offers to sign.
    content = client.get(f"{INKAN_APPLY}/signing-content/").content
    assert standin.transactions[query["sign_transaction_id"]]["digest"] == hashlib.sha256(content).digest()

    response = come_back(client, browser_visits(authorize))

    assert response.status_code == 302, response.content[:2000]
    assert response["Location"].endswith("/apply/done/")
    signature = ResidentSignature.objects.for_municipality(Municipality.objects.get(code="082015")).get()
    assert signature.verifier == "x509" and signature.revocation["status"] == "good"
    assert signature.facts["name"] == demo.SOFTWARE_CARD["name"]
    assert signature.content_sha256 == hashlib.sha256(content).hexdigest()
    assert [entry for entry, _ in standin.log].count("token") == 2  # client credentials, then the code
    assert ("token", "authorization_code") in standin.log


def test_a_state_that_does_not_match_is_refused_and_the_flow_cannot_be_replayed(client, standin):
    back = browser_visits(leave_for_the_app(client))
    forged = back.replace("state=", "state=x")

    response = come_back(client, forged)

    assert response.status_code == 422
    assert b"does not belong to this application" in response.content
    assert ("token", "authorization_code") not in standin.log  # the code was never redeemed
    replay = come_back(client, back)  # the genuine answer, now that the flow was used up
    assert replay.status_code == 422
    assert stored_cases() == 0


def test_a_wrong_pkce_verifier_is_refused_by_the_token_endpoint(client, standin):
    back = browser_visits(leave_for_the_app(client))
    session = client.session
    flow = session[FLOW_KEY]
    flow["code_verifier"] = "w" * 64  # e.g. an attacker who stole the code but not the verifier
    session[FLOW_KEY] = flow
    session.save()

    response = come_back(client, back)

    assert response.status_code == 422
    assert b"did not confirm the signature" in response.content
    assert ("token", "invalid_grant") in standin.log
    assert stored_cases() == 0


def test_an_id_token_with_another_nonce_is_refused(client, standin):
    back = browser_visits(leave_for_the_app(client))
    standin.wrong_nonce = True

    response = come_back(client, back)

    assert response.status_code == 422
    assert b"did not confirm the signature" in response.content
    assert ("result", "sent") not in standin.log  # the signature is not even fetched
    assert stored_cases() == 0


def test_an_expired_transaction_is_explained_and_nothing_is_accepted(client, standin):
    back = browser_visits(leave_for_the_app(client))
    standin.expire_transactions = True

    response = come_back(client, back)

    assert response.status_code == 422
    assert b"has expired" in response.content
    assert stored_cases() == 0
    # The page shown at the callback address still submits to the confirmation page.
    assert f'action="{INKAN_APPLY}/confirm/"'.encode() in response.content


def test_a_signature_over_another_digest_fails_verification(client, standin):
    standin.sign_other_digest = True
    back = browser_visits(leave_for_the_app(client))

    response = come_back(client, back)

    assert response.status_code == 422
    assert b"does not match the content of this application" in response.content
    assert stored_cases() == 0
    assert ResidentSignature.objects.for_municipality(Municipality.objects.get(code="082015")).count() == 0


def test_an_unavailable_service_keeps_the_answers(client, standin):
    fill_all_steps(client)
    standin.down = True

    response = client.post(f"{INKAN_APPLY}/authapp/", HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 503
    text = response.content.decode()
    assert "デジタル認証アプリ" in text and "入力内容は保持" in text
    assert "山田" in text  # the confirmation page again, with the answers
    assert client.get(f"{INKAN_APPLY}/confirm/").status_code == 200  # the draft is still there
    assert stored_cases() == 0


def test_the_service_going_away_before_the_resident_comes_back_keeps_the_answers(client, standin):
    back = browser_visits(leave_for_the_app(client))
    standin.down = True

    response = come_back(client, back)

    assert response.status_code == 503
    assert b"cannot be reached" in response.content
    assert stored_cases() == 0
    assert client.get(f"{INKAN_APPLY}/confirm/").status_code == 200


def test_the_client_assertion_is_checked_against_the_registered_keys(client, standin, rp_keys, settings):
    settings.MADOGUCHI_SIGNATURES_FILE = configure(rp_keys, standin.base_url, signing_key="authapp-other.pem")
    fill_all_steps(client)

    response = client.post(f"{INKAN_APPLY}/authapp/")

    assert response.status_code == 503  # a registration problem, not the resident's doing
    assert standin.log == [("token", "invalid_client")]


def test_the_jwks_holds_the_public_signing_and_encryption_keys_only(client, standin):
    keys = client.get("/.well-known/jwks.json").json()["keys"]

    assert sorted(k["use"] for k in keys) == ["enc", "sig"]
    assert all(k["kty"] == "RSA" and k["kid"] and "d" not in k and "p" not in k for k in keys)


def test_the_software_card_stays_the_default(client, municipalities, signatures_configured, settings):
    settings.MADOGUCHI_DEMO_SOFTWARE_CARD = True
    fill_all_steps(client)

    page = client.get(f"{INKAN_APPLY}/confirm/").content

    assert b'data-testid="authapp"' not in page
    assert b"data-software-card" in page
    assert client.post(f"{INKAN_APPLY}/authapp/").status_code == 404
