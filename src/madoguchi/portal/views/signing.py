"""Electronic signatures on the confirmation page (確認画面).

A resident signs the canonical bytes of exactly what the page shows. Two ways in:

- upload a detached CMS signature file (``.p7s``) made over the bytes downloaded from
  :func:`apply_signing_content` by any signing software (e.g. the JPKI client software or
  ``madoguchi sign``);
- in the demo only, the browser signs with a demo "software card" (PKCS#12) chosen by the
  resident; the file never leaves the browser, only the signature and certificates do;
- where the municipality chose the ``authapp`` provider, the resident signs on their smartphone
  with the national authentication app (views/authapp.py).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse

from madoguchi.cases import drafts
from madoguchi.demo.selectors import demo_software_card_path
from madoguchi.portal.middleware import DEFAULT_POLICY
from madoguchi.procedures.definition import translated
from madoguchi.procedures.errors import FieldError
from madoguchi.procedures.unsigned import unsigned_missing_error, unsigned_missing_fields
from madoguchi.signatures.authapp.config import authapp_config
from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.providers import AUTHAPP, signing_provider_name
from madoguchi.signatures.services import application_signing_content, signature_mode
from madoguchi.signatures.verification import SignatureRejected, SubmittedSignature

MAX_SIGNATURE_BYTES = 64 * 1024  # a CMS signature with a 3-certificate chain is ~5 KB


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureRejected("malformed", "not base64") from exc


def _signature_file(upload) -> bytes:
    if upload.size > MAX_SIGNATURE_BYTES:
        raise SignatureRejected("malformed", "the signature file is too large")
    data = upload.read()
    if data.startswith(b"0"):  # DER: a SEQUENCE
        return data
    text = data.decode("ascii", errors="replace")
    body = "".join(line for line in text.splitlines() if line and not line.startswith("-----"))
    return _b64(body)


def signature_from_post(request) -> SubmittedSignature | None:
    """The signature the confirmation form carries, if any; SignatureRejected if unreadable."""
    upload = request.FILES.get("signature_file")
    if upload is not None:
        return SubmittedSignature(cms=_signature_file(upload))
    value = request.POST.get("signature_value", "")
    if not value:
        return None
    if len(value) > MAX_SIGNATURE_BYTES or len(request.POST.get("signature_chain", "")) > MAX_SIGNATURE_BYTES:
        raise SignatureRejected("malformed", "too large")
    chain = [item for item in request.POST.get("signature_chain", "").split(",") if item]
    return SubmittedSignature(
        signature=_b64(value),
        certificate=_b64(request.POST.get("signature_certificate", "")),
        chain=tuple(_b64(item) for item in chain[:5]),
    )


def signing_content_for_draft(*, municipality, procedure, draft, language: str) -> bytes:
    return application_signing_content(
        municipality=municipality,
        procedure_version=procedure.current_version,
        answers=draft.values,
        files=drafts.draft_pending_files(draft),
        language=language,
    )


def signing_context(*, municipality, procedure, draft, language: str) -> dict:
    """What the confirmation page needs to offer signing (empty when the procedure takes none)."""
    mode = signature_mode(procedure.current_version)
    if mode == "none":
        return {}
    content = signing_content_for_draft(municipality=municipality, procedure=procedure, draft=draft, language=language)
    authapp = signing_provider_name(municipality.code) == AUTHAPP
    return {
        "signature_mode": mode,
        "unsigned_missing": _unsigned_missing(procedure, draft, language),
        "signing_content_b64": base64.b64encode(content).decode(),
        "software_card": not authapp and demo_software_card_path() is not None,
        "demo_card_url": reverse("portal:demo_software_card"),
        "authapp_origin": _authapp_origin(municipality.code) if authapp else "",
        "authapp_start_url": (
            reverse("portal:authapp_start", kwargs={"code": municipality.code, "slug": procedure.slug})
            if authapp
            else ""
        ),
    }


def _unsigned_missing(procedure, draft, language: str) -> list[dict]:
    """What the resident must attach unless they sign (unsigned_requires), with the way to the step."""
    definition = procedure.current_version.definition
    step_of_field = {f["id"]: s["id"] for s in definition["steps"] for f in s["fields"]}
    items = []
    for spec in unsigned_missing_fields(definition, draft.values):
        url = reverse(
            "portal:apply_step",
            kwargs={"code": procedure.municipality.code, "slug": procedure.slug, "step_id": step_of_field[spec["id"]]},
        )
        attach = FieldError(spec["id"], "file_required", {"label": translated(spec["label"], language), "kind": "attach"})
        items.append(
            {
                "message": unsigned_missing_error(spec, language).message,
                "link": attach.message,
                "href": f"{url}?return=confirm#f-{spec['id']}",
            }
        )
    return items


def _authapp_origin(code: str) -> str:
    """The service's origin, which the page's CSP form-action must allow (the start redirects there)."""
    try:
        base = urlsplit(authapp_config(municipality_signatures(code)).base_url)
    except SignaturesNotConfigured:
        return ""
    return f"{base.scheme}://{base.netloc}" if base.scheme in ("http", "https") and base.netloc else ""


def with_form_action(response: HttpResponse, origin: str) -> HttpResponse:
    """Let the confirmation form's redirect go to the national authentication app (CSP form-action)."""
    if origin:
        policy = getattr(settings, "MADOGUCHI_CSP", DEFAULT_POLICY)
        response.headers["Content-Security-Policy"] = policy.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
    return response


def demo_software_card(request):
    """The demo card's PKCS#12 file, so a demo user can try signing without a card reader."""
    path = demo_software_card_path()
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="demo-software-card.p12",
                        content_type="application/x-pkcs12")  # fmt: skip


def signing_content_response(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="application-to-sign.json"'
    return response
