"""A live API for tests that talk HTTP from outside: schemathesis and a generated client.

pytest-django's live server runs in a thread of the test process, on the test database;
``transactional_db`` commits the data so the server thread sees it. Rate limits are off,
the demo PKI signs documents and tasks run at once (test settings).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from tests.api.support import pdf_upload
from tests.samples import ADDRESS, NAME

from madoguchi.cases import workflow
from madoguchi.cases.services import case_submit
from madoguchi.integrations.services import integrator_credential_create
from madoguchi.procedures.selectors import procedure_get
from madoguchi.signatures.documents.services import document_receipt_request
from madoguchi.staff.tokens import staff_token_create
from madoguchi.tenants.access import staff_context_for

JUMINHYO = {
    "requester_name": dict(NAME),
    "relationship": "self",
    "target_address": dict(ADDRESS),
    "target_birth_date": "1980-05-06",
    "scope": "individual",
    "copies": 1,
    "purpose": "employment",
    "delivery_method": "counter",
    "phone": "0292001234",
    "consent": True,
}


@dataclass
class SeededCase:
    receipt_number: str
    access_code: str
    document_id: int | None = None


@dataclass
class LiveApi:
    url: str
    staff_token: str
    integrator_basic: str
    cases: dict[str, SeededCase] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"


def _submit(municipality, key: str) -> SeededCase:
    version = procedure_get(municipality=municipality, slug="juminhyo-copy").current_version
    result = case_submit(
        municipality=municipality,
        procedure_version=version,
        answers=JUMINHYO,
        # Unsigned, so with the copy of photo ID the procedure asks for instead (unsigned_requires).
        files={"identity_document": [pdf_upload("本人確認書類.pdf")]},
        idempotency_key=key,
    )
    return SeededCase(result.case.receipt_number, result.access_code)


@pytest.fixture
def live_api(live_server, transactional_db, municipalities, settings, signatures_configured) -> LiveApi:
    """The live server with a staff token (aoba-admin), an integrator credential of 青葉市 and cases.

    Cases: ``open`` (submitted, with a 受理証明書), ``correction`` (a correction requested),
    ``withdraw`` (submitted), ``staff`` (submitted, for the staff operations).
    """
    settings.MADOGUCHI_SUBMIT_RATE = settings.MADOGUCHI_LOOKUP_RATE = settings.MADOGUCHI_ASSISTANT_RATE = ""
    settings.MADOGUCHI_ASSISTANT_EMBEDDER = "tests.assistant.embedder.MemoisedE5"
    aoba = municipalities[0]
    admin = get_user_model().objects.get(username="aoba-admin")
    _token, plain = staff_token_create(user=admin, name="conformance")
    credential, secret = integrator_credential_create(municipality=aoba, name="conformance", rate="")
    basic = base64.b64encode(f"{credential.client_id}:{secret}".encode()).decode()
    cases = {name: _submit(aoba, f"live-{name}") for name in ("open", "correction", "withdraw", "staff")}
    staff = staff_context_for(admin)
    from madoguchi.cases.models import Case

    correction = Case.objects.for_municipality(aoba).get(receipt_number=cases["correction"].receipt_number)
    workflow.case_request_correction(staff=staff, case=correction, message="生年月日を確認してください。")
    opened = Case.objects.for_municipality(aoba).get(receipt_number=cases["open"].receipt_number)
    cases["open"].document_id = document_receipt_request(case=opened).pk
    return LiveApi(url=live_server.url, staff_token=plain, integrator_basic=basic, cases=cases)
