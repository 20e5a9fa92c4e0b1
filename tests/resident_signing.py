"""Sign an application as a resident must where the procedure requires it (印鑑登録証明書, 要介護認定).

The tests run against the shipped catalog, so a fixture that makes a 印鑑登録証明書 case signs it,
as a resident does, instead of the catalog being relaxed for tests. The signature comes from a
test "card" of a test CA whose certificates and CRL cover every clock the tests use (the fixed
2026-06-15 of the ``now`` fixture as well as the real time), so a fixture signs whatever its
clock; the demo PKI (``signatures_configured``) lives 14 days around the real time only. The
verifier points at this CA only while the submit runs (``override_settings``), so a test's own
signatures configuration is left as it was.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from django.test import override_settings

from madoguchi.cases.services import case_submit
from madoguchi.procedures.wording import signature_requirement
from madoguchi.signatures import pki
from madoguchi.signatures.services import application_signing_content
from madoguchi.signatures.signing import sign_cms
from madoguchi.signatures.verification import SubmittedSignature

MUNICIPALITIES = ("082015", "082023")
VALID_FROM = datetime(2020, 1, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2045, 1, 1, tzinfo=UTC)
CARD = {"name": "青葉 花子", "sex": "2", "born": date(1988, 4, 2), "address": "茨城県青葉市本町一丁目1番1号"}


@cache
def _test_ca() -> tuple[Path, pki.Issued, list]:
    """(the signatures file, the card, its chain), made once per test run."""
    directory = Path(tempfile.mkdtemp(prefix="madoguchi-test-jpki-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    root = pki.issue_ca("テスト ルート認証局", not_before=VALID_FROM, not_after=VALID_UNTIL, organisation="Madoguchi Tests")
    ca = pki.issue_ca("テスト 署名用認証局", issuer=root, not_before=VALID_FROM, not_after=VALID_UNTIL,
                      organisation="Madoguchi Tests")  # fmt: skip
    card = pki.issue_signing_certificate(issuer=ca, not_before=VALID_FROM, not_after=VALID_UNTIL, **CARD)
    crl = pki.issue_crl(ca, this_update=VALID_FROM, next_update=VALID_UNTIL)
    (directory / "root.pem").write_bytes(root.pem)
    (directory / "ca.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    residents = {"verifier": "x509", "trust_anchors": ["root.pem"], "crl": {"file": "ca.crl", "source": ""}}
    config = directory / "signatures.yaml"
    config.write_text(
        yaml.safe_dump({"municipalities": {code: {"residents": residents} for code in MUNICIPALITIES}}),
        encoding="utf-8",
    )
    return config, card, [ca.certificate]


def _rewind(files: dict | None) -> None:
    for uploads in (files or {}).values():
        for upload in uploads if isinstance(uploads, list) else [uploads]:
            if hasattr(upload, "seek"):
                upload.seek(0)


def resident_signature(*, municipality, procedure_version, answers: dict, files=None, language="ja", now=None):
    """The test card's CMS signature over the canonical bytes of exactly this application."""
    _config, card, chain = _test_ca()
    content = application_signing_content(
        municipality=municipality, procedure_version=procedure_version, answers=answers, files=files,
        language=language, now=now,
    )  # fmt: skip
    _rewind(files)
    return SubmittedSignature(cms=sign_cms(content, card.key, card.certificate, chain))


def signing_settings():
    """``override_settings`` that make the verifier trust the test card (use around a submit)."""
    config, _card, _chain = _test_ca()
    return override_settings(MADOGUCHI_SIGNATURES_FILE=str(config))


def case_submit_as_resident(**kwargs):
    """``case_submit`` as a resident would call it: signed where the procedure requires a signature.

    Where the signature is optional or none, exactly ``case_submit``.
    """
    version = kwargs["procedure_version"]
    if signature_requirement(version.definition) != "required" or kwargs.get("signature") is not None:
        return case_submit(**kwargs)
    kwargs["signature"] = resident_signature(
        municipality=kwargs["municipality"],
        procedure_version=version,
        answers=kwargs["answers"],
        files=kwargs.get("files"),
        language=kwargs.get("language", "ja"),
        now=kwargs.get("now"),
    )
    with signing_settings():
        return case_submit(**kwargs)


def signed_confirmation(client, base: str) -> dict:
    """The confirmation form's data with a signature file over the draft at ``base`` (…/apply)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    _config, card, chain = _test_ca()
    content = client.get(f"{base}/signing-content/").content
    return {"signature_file": SimpleUploadedFile("application.p7s", sign_cms(content, card.key, card.certificate, chain))}


def post_signed_confirmation(client, base: str, **kwargs):
    """Press 申請する on the confirmation page at ``base`` (…/apply) with the draft signed."""
    data = signed_confirmation(client, base)
    with signing_settings():
        return client.post(f"{base}/confirm/", data, **kwargs)
