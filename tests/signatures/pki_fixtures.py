"""A test CA hierarchy with every kind of certificate a verifier must tell apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives import serialization

from madoguchi.signatures import pki

NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
FACTS = {"name": "𠮷田 髙子", "sex": "2", "born": date(1990, 1, 8), "address": "茨城県青葉市本町一丁目1番1号"}


@dataclass
class TestPki:
    root: pki.Issued
    ca: pki.Issued  # the intermediate that issues residents' certificates
    good: pki.Issued
    expired: pki.Issued
    not_yet_valid: pki.Issued
    revoked: pki.Issued
    wrong_usage: pki.Issued
    stranger: pki.Issued  # issued by a CA nobody configured
    crl_der: bytes
    stale_crl_der: bytes


def make_test_pki() -> TestPki:
    year = pki.days(365)
    root = pki.issue_ca("Test JPKI Root", not_before=NOW - 5 * year, not_after=NOW + 10 * year)
    ca = pki.issue_ca("Test JPKI Signing CA", issuer=root, not_before=NOW - 4 * year, not_after=NOW + 8 * year)

    def leaf(start, end, **options) -> pki.Issued:
        return pki.issue_signing_certificate(issuer=ca, not_before=start, not_after=end, **FACTS, **options)

    good = leaf(NOW - year, NOW + 4 * year)
    revoked = leaf(NOW - year, NOW + 4 * year)
    stranger_root = pki.issue_ca("Somebody Else's CA", not_before=NOW - year, not_after=NOW + year)
    crl = pki.issue_crl(ca, revoked=[(revoked.certificate, NOW - pki.days(10))],
                        this_update=NOW - pki.days(1), next_update=NOW + pki.days(6))  # fmt: skip
    stale = pki.issue_crl(ca, this_update=NOW - pki.days(20), next_update=NOW - pki.days(13))
    return TestPki(
        root=root,
        ca=ca,
        good=good,
        expired=leaf(NOW - 6 * year, NOW - pki.days(1)),
        not_yet_valid=leaf(NOW + pki.days(1), NOW + year),
        revoked=revoked,
        wrong_usage=leaf(NOW - year, NOW + year, key_usage={"key_encipherment"}),
        stranger=pki.issue_signing_certificate(issuer=stranger_root, not_before=NOW - year, not_after=NOW + year,
                                               **FACTS),
        crl_der=crl.public_bytes(serialization.Encoding.DER),
        stale_crl_der=stale.public_bytes(serialization.Encoding.DER),
    )
