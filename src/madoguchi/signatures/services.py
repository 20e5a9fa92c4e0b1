"""Resident signatures on applications: what is signed, checking it, keeping the evidence."""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives import hashes
from django.utils import timezone
from django.utils.translation import get_language

from madoguchi.procedures.answers import CleanAnswers, clean_answers
from madoguchi.procedures.models import ProcedureVersion
from madoguchi.procedures.unsigned import unsigned_requirements_check
from madoguchi.procedures.wording import signature_requirement
from madoguchi.signatures.canonical import application_document, canonical_json
from madoguchi.signatures.models import ResidentSignature
from madoguchi.signatures.verification import Evidence, SignatureRejected, SubmittedSignature, verifier_for
from madoguchi.tenants.models import Municipality


def application_content(*, municipality: Municipality, procedure_version: ProcedureVersion, clean: CleanAnswers) -> bytes:
    """The canonical bytes a resident signs for these (already cleaned) answers."""
    return canonical_json(
        application_document(
            municipality=municipality.code,
            procedure=procedure_version.definition["slug"],
            procedure_version=procedure_version.number,
            answers=clean.values,
            attachments=[
                {"field": a.field_id, "name": a.name, "size": a.size, "sha256": a.sha256} for a in clean.attachments
            ],
        )
    )


def application_signing_content(
    *,
    municipality: Municipality,
    procedure_version: ProcedureVersion,
    answers: dict,
    files: dict[str, list] | None = None,
    language: str = "ja",
    now: datetime | None = None,
) -> bytes:
    """Validate answers as a submit would and return the bytes to sign (raises AnswersInvalid)."""
    now = now or timezone.now()
    clean = clean_answers(
        procedure_version.definition, answers, files, today=timezone.localdate(now), language=language
    )
    return application_content(municipality=municipality, procedure_version=procedure_version, clean=clean)


def signature_mode(procedure_version: ProcedureVersion) -> str:
    # The same reading as the procedure page's (procedures.wording), so they cannot disagree.
    return signature_requirement(procedure_version.definition)


def resident_signature_check(
    *,
    municipality: Municipality,
    procedure_version: ProcedureVersion,
    clean: CleanAnswers,
    submitted: SubmittedSignature | None,
    at: datetime,
) -> Evidence | None:
    """Verify the signature the procedure asks for; raise SignatureRejected with the reason.

    An unsigned application must attach what the procedure asks instead of the signature
    (``unsigned_requires``, e.g. a copy of photo ID), or AnswersInvalid names each missing file.
    Runs before the case is stored, so a refusal stores nothing.
    """
    mode = signature_mode(procedure_version)
    if submitted is None:
        if mode == "required":
            raise SignatureRejected("missing")
        unsigned_requirements_check(procedure_version.definition, clean.values, language=get_language() or "ja")
        return None
    if mode == "none":
        raise SignatureRejected("not_accepted")
    content = application_content(municipality=municipality, procedure_version=procedure_version, clean=clean)
    return verifier_for(municipality.code).verify(content=content, submitted=submitted, at=at)


def resident_signature_store(*, case, evidence: Evidence, at: datetime) -> ResidentSignature:
    """Keep the evidence with the case (inside the transaction that stores the case)."""
    certificate = evidence.certificate
    return ResidentSignature.objects.for_municipality(case.municipality).create(
        municipality=case.municipality,
        case=case,
        answers_version=case.answers_version,
        cms=evidence.cms,
        content_sha256=evidence.content_sha256,
        certificate_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        certificate_serial=f"{certificate.serial_number:x}",
        certificate_issuer=certificate.issuer.rfc4514_string()[:400],
        certificate_not_after=certificate.not_valid_after_utc,
        facts=evidence.facts.as_dict(),
        revocation=evidence.revocation,
        verifier=evidence.verifier,
        verified_at=at,
    )
