"""Organisational signing (issue 5, parts 3 and 6): every stamp, return, 後閲 and 決裁 is signed
by the municipality in its own transaction, and ``organisation_signatures_verify`` finds any
later edit of the rows, a foreign or untrusted signer, and missing signatures. Real RSA keys
from the demo PKI (``signatures_configured``) or from ``signatures_file``."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms as asn1_cms
from django.contrib.auth import get_user_model
from tests.backoffice.casework import INKAN, complete_route, submit_inkan
from tests.backoffice.casework import staff as demo_staff
from tests.signatures.conftest import org_key, signatures_of

from madoguchi.approvals.errors import SigningFailed
from madoguchi.approvals.models import Approval
from madoguchi.approvals.post_reviews import post_review
from madoguchi.approvals.services import step_approve, step_return
from madoguchi.cases.models import Case, CaseEvent
from madoguchi.cases.workflow import case_correct, case_decide, case_request_correction, case_start_review
from madoguchi.signatures import organisation, pki
from madoguchi.signatures.canonical import canonical_json
from madoguchi.signatures.config import OrganisationKey, municipality_signatures
from madoguchi.signatures.models import OrganisationSignature, SignedObject
from madoguchi.signatures.organisation_cms import certificate_sha256, cms_sign
from madoguchi.signatures.organisation_verify import organisation_signatures_verify


def verify(municipality):
    return organisation_signatures_verify(municipality=municipality)


def the_whole_route(case, people, away, now) -> dict:
    """A return, a new round with a 代決 at 決裁, its 後閲 and the 決裁 of the case."""
    first = step_approve(staff=people["clerk"], case=case, step_id="kian", comment="起案します", now=now)
    returned = step_return(staff=people["reviewer"], case=case, step_id="shinsa", reason="添付を確認", now=now)
    step_approve(staff=people["clerk"], case=case, step_id="kian", now=now)
    step_approve(staff=people["reviewer"], case=case, step_id="shinsa", now=now)
    away("shimin")
    deputy = step_approve(staff=people["reviewer2"], case=case, step_id="kessai", comment="代決", now=now)
    later = now + timedelta(days=1)
    post_review(staff=people["approver"], approval_id=deputy.pk, comment="確認しました", now=later)
    case_decide(staff=people["approver"], case=case, approve=True, now=later)
    return {"first": first, "returned": returned, "deputy": deputy}


def test_every_stamp_return_post_review_and_decision_is_signed_and_verifies(
    signatures_configured, inkan_case, shimin, away, now
):
    done = the_whole_route(inkan_case, shimin, away, now)
    rows = signatures_of(inkan_case)
    decided = CaseEvent.objects.for_municipality(inkan_case.municipality).get(case=inkan_case, kind="decided")
    approvals = Approval.objects.for_municipality(inkan_case.municipality).filter(case=inkan_case)
    assert {(r.object_type, r.object_id) for r in rows} == {
        *((SignedObject.APPROVAL, a.pk) for a in approvals),
        (SignedObject.POST_REVIEW, done["deputy"].pk),
        (SignedObject.DECISION, decided.pk),
    }
    assert len(rows) == 7 and all(r.is_signed for r in rows)
    report = verify(inkan_case.municipality)
    assert (report.checked, report.valid, report.invalid, report.missing, report.unsigned) == (7, 7, [], [], [])


def test_the_signature_is_detached_cms_sha256_rsa_with_signing_time_and_the_chain(
    signatures_configured, inkan_case, shimin, now
):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    [row] = signatures_of(inkan_case)
    signed_data = asn1_cms.ContentInfo.load(bytes(row.cms))["content"]
    signer = signed_data["signer_infos"][0]
    assert signed_data["encap_content_info"]["content"].native is None  # detached
    assert signer["digest_algorithm"]["algorithm"].native == "sha256"
    assert signer["signature_algorithm"]["algorithm"].native in {"sha256_rsa", "rsassa_pkcs1v15"}
    attributes = {a["type"].native: a["values"][0].native for a in signer["signed_attrs"]}
    assert attributes["message_digest"] == hashlib.sha256(bytes(row.payload)).digest()
    assert attributes["signing_time"] == row.signed_at
    key = municipality_signatures("082015").signing_key
    embedded = {hashlib.sha256(c.chosen.dump()).hexdigest() for c in signed_data["certificates"]}
    assert embedded == {certificate_sha256(c) for c in (key.certificate, *key.chain)}
    assert row.signer_certificate_sha256 == certificate_sha256(key.certificate)
    assert "CN=青葉市長" in row.signer_subject


def test_the_signed_document_describes_the_case_the_step_and_the_decision(
    signatures_configured, inkan_case, shimin, now
):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    returned = step_return(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", reason="添付を確認", now=now)
    row = OrganisationSignature.objects.for_municipality(inkan_case.municipality).get(
        object_type="approval", object_id=returned.pk
    )
    case = Case.objects.for_municipality(inkan_case.municipality).get(pk=inkan_case.pk)
    assert bytes(row.payload) == canonical_json(json.loads(row.payload))
    assert json.loads(row.payload) == {
        "type": "madoguchi.approval",
        "version": 1,
        "municipality": "082015",
        "receipt_number": case.receipt_number,
        "case_status": "in_review",
        "answers_version": 1,
        "answers_sha256": hashlib.sha256(canonical_json(case.answers)).hexdigest(),
        "step": {"id": "shinsa", "kind": "review", "generation": 1, "department": "shimin", "role": "reviewer"},
        "decision": "return",
        "capacity": "regular",
        "user": "shimin-shinsa",
        "comment": "添付を確認",
        "at": "2026-06-15T01:00:00.000000+00:00",
    }


def test_the_decision_document_records_the_outcome_and_the_reason(signatures_configured, inkan_case, shimin, now):
    for step_id, who in (("kian", "clerk"), ("shinsa", "reviewer"), ("kessai", "approver")):
        step_approve(staff=shimin[who], case=inkan_case, step_id=step_id, now=now)
    case_decide(staff=shimin["approver"], case=inkan_case, approve=False, reason="要件を満たさない", now=now)
    row = OrganisationSignature.objects.for_municipality(inkan_case.municipality).get(object_type="decision")
    document = json.loads(row.payload)
    assert (document["type"], document["case_status"], document["decision"]) == (
        "madoguchi.decision",
        "rejected",
        "reject",
    )
    assert (document["user"], document["comment"], document["step"]) == ("shimin-kacho", "要件を満たさない", None)


def set_answers(case, **changes):
    Case.objects.for_municipality(case.municipality).filter(pk=case.pk).update(answers={**case.answers, **changes})


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda rows, approval, other: rows.filter(pk=approval.pk).update(comment="改ざん"), "comment"),
        (lambda rows, approval, other: rows.filter(pk=approval.pk).update(decision="return"), "decision"),
        (lambda rows, approval, other: rows.filter(pk=approval.pk).update(user_id=other.user_id), "user"),
        (lambda rows, approval, other: rows.filter(pk=approval.pk).update(capacity="deputy"), "capacity"),
    ],
    ids=["comment", "decision", "user", "capacity"],
)
def test_an_approval_edited_in_the_database_fails_verification_and_is_named(
    signatures_configured, inkan_case, shimin, now, edit, field
):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="起案します", now=now)
    approval = step_approve(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", comment="確認", now=now)
    edit(Approval.objects.for_municipality(inkan_case.municipality), approval, shimin["reviewer2"])
    report = verify(inkan_case.municipality)
    assert (report.checked, report.valid) == (2, 1)
    [finding] = report.invalid
    assert (finding.object_type, finding.object_id, finding.receipt_number) == (
        "approval",
        approval.pk,
        inkan_case.receipt_number,
    )
    assert finding.reason == f"changed after signing: {field}"


def test_answers_edited_after_the_stamps_fail_verification(signatures_configured, inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    set_answers(inkan_case, copies="9")
    [finding] = verify(inkan_case.municipality).invalid
    assert finding.reason == "changed after signing: answers_sha256"


def test_stamps_on_answers_corrected_later_still_verify_against_the_earlier_version(
    signatures_configured, inkan_case, shimin, admin, now
):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    case = case_request_correction(staff=admin, case=inkan_case, message="電話番号をご確認ください。", now=now)
    case = case_correct(case=case, answers={**INKAN, "phone": "090-1111-2222"}, now=now)
    step_approve(staff=shimin["clerk"], case=case, step_id="kian", now=now)
    documents = [json.loads(r.payload) for r in signatures_of(case)]
    assert [(d["answers_version"], d["step"]["generation"]) for d in documents] == [(1, 1), (2, 2)]
    assert documents[0]["answers_sha256"] != documents[1]["answers_sha256"]
    report = verify(case.municipality)
    assert (report.checked, report.valid) == (2, 2)


def test_an_edited_decision_reason_fails_verification(signatures_configured, inkan_case, shimin, now):
    for step_id, who in (("kian", "clerk"), ("shinsa", "reviewer"), ("kessai", "approver")):
        step_approve(staff=shimin[who], case=inkan_case, step_id=step_id, now=now)
    case_decide(staff=shimin["approver"], case=inkan_case, approve=False, reason="要件を満たさない", now=now)
    CaseEvent.objects.for_municipality(inkan_case.municipality).filter(kind="decided").update(message="別の理由")
    [finding] = verify(inkan_case.municipality).invalid
    assert (finding.object_type, finding.reason) == ("decision", "changed after signing: comment")


def test_a_payload_edited_together_with_the_row_fails_on_the_signature(signatures_configured, inkan_case, shimin, now):
    approval = step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="元の意見", now=now)
    [row] = signatures_of(inkan_case)
    forged = json.loads(row.payload) | {"comment": "改ざん"}
    Approval.objects.for_municipality(inkan_case.municipality).filter(pk=approval.pk).update(comment="改ざん")
    OrganisationSignature.objects.for_municipality(inkan_case.municipality).filter(pk=row.pk).update(
        payload=canonical_json(forged)
    )
    [finding] = verify(inkan_case.municipality).invalid
    assert finding.reason == "the signature does not match the payload"


def replace_signature(row: OrganisationSignature, key: OrganisationKey) -> None:
    der = cms_sign(organisation_key=key, content=bytes(row.payload), signing_time=row.signed_at)
    OrganisationSignature.objects.for_municipality(row.municipality).filter(pk=row.pk).update(
        cms=der, signer_certificate_sha256=certificate_sha256(key.certificate)
    )


def test_a_signature_by_a_key_not_chained_to_the_organisation_anchors_fails(
    signatures_configured, inkan_case, shimin, now
):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    real = datetime.now(UTC)
    rogue_root = pki.issue_ca("偽の認証局", not_before=real - pki.days(10), not_after=real + pki.days(10))
    rogue = org_key(rogue_root, name="青葉市")
    [row] = signatures_of(inkan_case)
    replace_signature(row, OrganisationKey(rogue.certificate, (rogue_root.certificate,), rogue.key))
    [finding] = verify(inkan_case.municipality).invalid
    assert finding.reason.startswith("the signer's certificate is not issued under the organisation's trust anchors")


def test_another_municipalitys_key_does_not_count_even_under_the_shared_root(
    signatures_configured, inkan_case, shimin, now
):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    [row] = signatures_of(inkan_case)
    replace_signature(row, municipality_signatures("082023").signing_key)
    [finding] = verify(inkan_case.municipality).invalid
    assert finding.reason == "signed by a certificate that is not one of this municipality's organisation certificates"


def test_a_deleted_signature_is_reported_missing(signatures_configured, inkan_case, shimin, now):
    approval = step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    OrganisationSignature.objects.for_municipality(inkan_case.municipality).all().delete()
    report = verify(inkan_case.municipality)
    assert [(f.object_type, f.object_id) for f in report.missing] == [("approval", approval.pk)]
    assert not report.ok(allow_unsigned=True)


def test_each_municipality_signs_only_its_own_decisions(signatures_configured, aoba, minatogawa, version_of):
    real = datetime.now(UTC)
    cases = {}
    for municipality, clerk in ((aoba, "aoba-clerk"), (minatogawa, "minatogawa-clerk")):
        case = case_start_review(staff=demo_staff(clerk), case=submit_inkan(municipality, version_of, now=real))
        cases[municipality.code] = complete_route(case, now=real)
    for code, case in cases.items():
        own = certificate_sha256(municipality_signatures(code).signing_key.certificate)
        rows = signatures_of(case)
        assert len(rows) == 3
        assert {r.signer_certificate_sha256 for r in rows} == {own}
        assert {json.loads(r.payload)["municipality"] for r in rows} == {code}
        report = verify(case.municipality)
        assert (report.checked, report.valid) == (3, 3)


# --- key rotation -------------------------------------------------------------------------------


def test_signatures_by_a_retired_key_still_verify_after_rotation(
    signatures_file, org_root, inkan_case, shimin, now, monkeypatch
):
    real = datetime.now(UTC)
    # Key A signed a month ago and has expired since: checked at its signing time, it holds.
    key_a = org_key(org_root, name="青葉市", not_before=real - pki.days(90), not_after=real - pki.days(1))
    chain = [org_root.certificate]
    signatures_file("a", {"082015": {"keys": [("sign", key_a, chain)], "anchors": [org_root]}})
    monkeypatch.setattr(organisation, "signing_clock", lambda: real - pki.days(30))
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)

    monkeypatch.setattr(organisation, "signing_clock", organisation._wall_clock)
    key_b = org_key(org_root, name="青葉市")
    signatures_file("b", {"082015": {"keys": [("sign", key_b, chain), ("retired", key_a)], "anchors": [org_root]}})
    step_approve(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", now=now)

    signers = [r.signer_certificate_sha256 for r in signatures_of(inkan_case)]
    assert signers == [certificate_sha256(key_a.certificate), certificate_sha256(key_b.certificate)]
    report = verify(inkan_case.municipality)
    assert (report.checked, report.valid, report.invalid) == (2, 2, [])


def test_dropping_a_retired_certificate_from_the_file_breaks_its_old_signatures(
    signatures_file, org_root, inkan_case, shimin, now
):
    chain = [org_root.certificate]
    key_a, key_b = org_key(org_root, name="青葉市"), org_key(org_root, name="青葉市")
    signatures_file("a", {"082015": {"keys": [("sign", key_a, chain)], "anchors": [org_root]}})
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    signatures_file("b", {"082015": {"keys": [("sign", key_b, chain)], "anchors": [org_root]}})
    [finding] = verify(inkan_case.municipality).invalid
    assert finding.reason == "signed by a certificate that is not one of this municipality's organisation certificates"


# --- without a key ------------------------------------------------------------------------------


def test_without_a_signing_key_decisions_go_through_unsigned_and_are_reported(inkan_case, shimin, now, caplog):
    approval = step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="起案", now=now)
    [row] = signatures_of(inkan_case)
    assert (row.object_type, row.object_id, row.is_signed, row.signer_certificate_sha256) == (
        "approval",
        approval.pk,
        False,
        "",
    )
    assert json.loads(row.payload)["comment"] == "起案"
    assert "recorded without an organisational signature" in caplog.text
    report = verify(inkan_case.municipality)
    assert [(f.object_type, f.object_id) for f in report.unsigned] == [("approval", approval.pk)]
    assert not report.ok() and report.ok(allow_unsigned=True)


def test_a_configured_key_that_cannot_be_loaded_refuses_the_stamp(signatures_file, org_root, inkan_case, shimin, now):
    path = signatures_file("a", {"082015": {"keys": [("sign", org_key(org_root, name="青葉市"), [])], "anchors": []}})
    for passphrase in path.parent.glob("*.pass"):
        passphrase.write_bytes(b"wrong")
    with pytest.raises(SigningFailed):
        step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    assert not Approval.objects.for_municipality(inkan_case.municipality).exists()
    assert not OrganisationSignature.objects.for_municipality(inkan_case.municipality).exists()


def test_an_expired_signing_certificate_refuses_the_stamp(signatures_file, org_root, inkan_case, shimin, now):
    real = datetime.now(UTC)
    expired = org_key(org_root, name="青葉市", not_before=real - pki.days(90), not_after=real - pki.days(1))
    signatures_file("a", {"082015": {"keys": [("sign", expired, [org_root.certificate])], "anchors": [org_root]}})
    with pytest.raises(SigningFailed):
        step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    assert not Approval.objects.for_municipality(inkan_case.municipality).exists()


def test_a_user_renamed_after_the_stamp_fails_verification(signatures_configured, inkan_case, shimin, now):
    approval = step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    get_user_model().objects.filter(pk=approval.user_id).update(username="renamed")
    [finding] = verify(inkan_case.municipality).invalid
    assert finding.reason == "changed after signing: user"
