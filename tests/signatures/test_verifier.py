"""The direct X.509 verifier against a CA hierarchy made for the tests."""

from __future__ import annotations

import pytest
from tests.signatures.pki_fixtures import FACTS, NOW, make_test_pki

from madoguchi.signatures import cms, jpki, pki
from madoguchi.signatures.config import MunicipalitySignatures
from madoguchi.signatures.signing import sign_cms, sign_raw
from madoguchi.signatures.verification import SignatureRejected, SubmittedSignature, X509Verifier

CONTENT = '{"answers":{"name":"𠮷田 髙子"},"type":"madoguchi.application"}'.encode()


@pytest.fixture(scope="module")
def test_pki():
    return make_test_pki()


@pytest.fixture
def verifier(test_pki, tmp_path):
    crl = tmp_path / "ca.crl"
    crl.write_bytes(test_pki.crl_der)
    return X509Verifier(
        MunicipalitySignatures(code="082015", resident_trust_anchors=(test_pki.root.certificate,), crl_file=crl)
    )


def cms_by(issued: pki.Issued, chain, content: bytes = CONTENT) -> SubmittedSignature:
    return SubmittedSignature(cms=sign_cms(content, issued.key, issued.certificate, [c.certificate for c in chain]))


def raw_by(issued: pki.Issued, chain, content: bytes = CONTENT) -> SubmittedSignature:
    return SubmittedSignature(
        signature=sign_raw(content, issued.key), certificate=issued.der, chain=tuple(c.der for c in chain)
    )


def rejected(verifier, submitted, content: bytes = CONTENT) -> str:
    with pytest.raises(SignatureRejected) as caught:
        verifier.verify(content=content, submitted=submitted, at=NOW)
    return caught.value.reason


@pytest.mark.parametrize("form", [cms_by, raw_by])
def test_a_valid_signature_is_accepted_with_the_holders_facts_and_revocation_status(verifier, test_pki, form):
    evidence = verifier.verify(content=CONTENT, submitted=form(test_pki.good, [test_pki.ca]), at=NOW)

    assert evidence.certificate == test_pki.good.certificate
    assert evidence.facts == jpki.BasicFacts(
        name=FACTS["name"], name_substitute=FACTS["name"], sex="2", birth_date="1990-01-08",
        address=FACTS["address"], address_substitute=FACTS["address"],
    )  # fmt: skip
    assert evidence.revocation["status"] == "good"
    assert evidence.revocation["crl_next_update"].startswith("2026-06-21")
    # Both forms keep the same kind of evidence: a CMS container that verifies on its own.
    assert cms.verify_cms(evidence.cms, CONTENT).signer == test_pki.good.certificate


@pytest.mark.parametrize("form", [cms_by, raw_by])
def test_tampered_content_does_not_match(verifier, test_pki, form):
    submitted = form(test_pki.good, [test_pki.ca])

    assert rejected(verifier, submitted, CONTENT.replace("髙".encode(), "高".encode())) == "content_mismatch"


def test_a_signature_by_another_key_with_the_residents_certificate_does_not_match(verifier, test_pki):
    impostor = pki.Issued(test_pki.good.certificate, pki.new_key())

    assert rejected(verifier, raw_by(impostor, [test_pki.ca])) == "content_mismatch"
    assert rejected(verifier, cms_by(impostor, [test_pki.ca])) == "content_mismatch"


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("expired", "expired"),
        ("not_yet_valid", "not_yet_valid"),
        ("revoked", "revoked"),
        ("wrong_usage", "key_usage"),
    ],
)
def test_certificates_that_must_not_sign_are_refused_with_the_reason(verifier, test_pki, which, reason):
    assert rejected(verifier, cms_by(getattr(test_pki, which), [test_pki.ca])) == reason


def test_a_certificate_from_an_unknown_ca_is_untrusted(verifier, test_pki):
    assert rejected(verifier, cms_by(test_pki.stranger, [])) == "untrusted"


def test_the_chain_needs_its_intermediate(verifier, test_pki):
    assert rejected(verifier, raw_by(test_pki.good, [])) == "untrusted"
    assert verifier.verify(content=CONTENT, submitted=raw_by(test_pki.good, [test_pki.ca]), at=NOW)


def test_a_stale_crl_is_a_failure_never_a_pass(verifier, test_pki):
    verifier.config.crl_file.write_bytes(test_pki.stale_crl_der)

    assert rejected(verifier, cms_by(test_pki.good, [test_pki.ca])) == "revocation_unavailable"


def test_a_missing_or_unreadable_crl_is_a_failure(verifier, test_pki):
    verifier.config.crl_file.write_bytes(b"not a CRL")
    assert rejected(verifier, cms_by(test_pki.good, [test_pki.ca])) == "revocation_unavailable"

    verifier.config.crl_file.unlink()
    assert rejected(verifier, cms_by(test_pki.good, [test_pki.ca])) == "revocation_unavailable"


def test_a_crl_signed_by_someone_else_is_not_trusted(verifier, test_pki):
    forged = pki.issue_crl(pki.Issued(test_pki.ca.certificate, pki.new_key()),
                           this_update=NOW - pki.days(1), next_update=NOW + pki.days(6))  # fmt: skip
    from cryptography.hazmat.primitives.serialization import Encoding

    verifier.config.crl_file.write_bytes(forged.public_bytes(Encoding.DER))

    assert rejected(verifier, cms_by(test_pki.revoked, [test_pki.ca])) == "revocation_unavailable"
    assert rejected(verifier, cms_by(test_pki.good, [test_pki.ca])) == "revocation_unavailable"


@pytest.mark.parametrize(
    "submitted",
    [
        SubmittedSignature(cms=b"\x30\x03\x02\x01\x01"),
        SubmittedSignature(cms=b"garbage"),
        SubmittedSignature(signature=b"x" * 256, certificate=b"not DER"),
        SubmittedSignature(signature=b"x" * 256),
    ],
)
def test_unreadable_input_is_malformed(verifier, submitted):
    assert rejected(verifier, submitted) == "malformed"


def test_the_birth_date_era_digit_round_trips():
    from datetime import date

    assert jpki.birth_date_value(date(1989, 1, 7)) == "319890107"  # the last day of 昭和
    assert jpki.birth_date_value(date(1989, 1, 8)) == "419890108"
    assert jpki.birth_date_value(date(2019, 5, 1)) == "520190501"
    assert jpki.parse_birth_date("419890108") == "1989-01-08"
    assert jpki.parse_birth_date("419891332") == ""
    assert jpki.parse_birth_date("9") == ""
