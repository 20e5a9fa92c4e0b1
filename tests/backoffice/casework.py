"""Cases and staff for the case-work tests, made through the project's own services.

The demo staff (``aoba-clerk``, ``aoba-reviewer``, ``aoba-approver`` in 市民課 and 子育て支援課,
``aoba-admin`` in every department, the same for ``minatogawa-*``) come with the
``municipalities`` fixture; view tests sign them in with the ``login_staff`` fixture.
:func:`log_in_verified` is for users made in a test, who have no demo authenticator: it does
what the sign-in ends with (``auth.login`` then ``django_otp.login``).
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.resident_signing import case_submit_as_resident
from tests.samples import ADDRESS, NAME, pdf_bytes

from madoguchi.procedures.schema_export import example_answers
from madoguchi.tenants.access import StaffContext, staff_context_for

INKAN = {
    "applicant_name": NAME,
    "birth_date": "昭和55年1月2日",
    "address": ADDRESS,
    "copies": "1",
    "purpose": "real_estate",
    "delivery_method": "counter",
    "phone": "029-200-1234",
    "consent": True,
}
_keys = count()


def user(username: str):
    return get_user_model().objects.get(username=username)


def staff(username: str) -> StaffContext:
    """Return the StaffContext of a staff member, as a signed-in request has it."""
    return staff_context_for(user(username))


def log_in_verified(client, member):
    """Log ``member`` in with a confirmed TOTP device marked as used for this session."""
    client.force_login(member)
    device, _created = TOTPDevice.objects.get_or_create(user=member, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return member


def submit(municipality, version, *, now, answers=None, files=None):
    """Submit an application through case_submit and return the case."""
    return case_submit_as_resident(
        municipality=municipality,
        procedure_version=version,
        answers=answers if answers is not None else INKAN,
        files=files,
        idempotency_key=f"test-{next(_keys)}",
        now=now,
    ).case


def submit_inkan(municipality, version_of, *, now, name=None):
    """An 印鑑登録証明書 application (市民課, 3 business days) by 山田 花子 unless ``name`` is given."""
    answers = INKAN if name is None else {**INKAN, "applicant_name": name}
    return submit(municipality, version_of(municipality, "inkan-certificate"), now=now, answers=answers)


def submit_jido_teate(municipality, version_of, *, now, content: bytes | None = None):
    """A 児童手当 application (子育て支援課, 30 business days) with a PDF attachment."""
    version = version_of(municipality, "jido-teate")
    upload = SimpleUploadedFile("保険証.pdf", content or pdf_bytes(), "application/pdf")
    return submit(
        municipality,
        version,
        now=now,
        answers=example_answers(version.definition),
        files={"health_insurance_copy": [upload]},
    )


def submit_sodai_gomi(municipality, version_of, *, now, photo: bytes | None = None):
    """A 粗大ごみ application (環境課), optionally with a photo."""
    version = version_of(municipality, "sodai-gomi")
    answers = {**example_answers(version.definition), "preferred_date": (now + timedelta(days=14)).date().isoformat()}
    files = {"photos": [SimpleUploadedFile("items.png", photo, "image/png")]} if photo else None
    return submit(municipality, version, now=now, answers=answers, files=files)


def pay_fee(case, *, now):
    """Record ``case``'s fee as paid at the counter: its certificate is issued only once paid (issue #12)."""
    from madoguchi.payments.services import payment_of, payment_transition

    if payment_of(case=case) is not None:  # a free procedure has nothing to pay
        payment_transition(case=case, to="paid", actor="test", now=now)
    return case


def complete_route(case, *, now):
    """Stamp every step of ``case``'s approval route (it must be in review), each with the first
    demo staff member who may act on it: one seal per person, as the route demands."""
    from madoguchi.approvals.selectors import route_status
    from madoguchi.approvals.services import step_approve
    from madoguchi.cases.models import Case

    reload = Case.objects.for_municipality(case.municipality).get
    while not (status := route_status(case=(case := reload(pk=case.pk)), now=now)).complete:
        step = next(step for step in status.steps if step.actionable)
        actor = staff_context_for(get_user_model().objects.get(pk=step.may_act[0].user_id))
        step_approve(staff=actor, case=case, step_id=step.step_id, department=step.department_code, now=now)
    return case
