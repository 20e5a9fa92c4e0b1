"""Staff with roles per department, and cases in review on the three demo procedures with a route:
inkan-certificate (起案 → 審査 → 決裁), jido-teate (… → 合議 zeimu+hoken → 決裁) and
doro-senyo (決裁 delegated to 審査 under 1,000,000 yen: 専決)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident
from tests.samples import pdf_bytes

from madoguchi.approvals.absences import absence_register
from madoguchi.cases.workflow import case_start_review
from madoguchi.procedures.schema_export import example_answers
from madoguchi.tenants.access import StaffContext, staff_context_for
from madoguchi.tenants.models import Department, StaffMembership


@pytest.fixture
def make_staff(aoba):
    """Return ``make(username, (department code or None, role), ..., municipality=aoba)`` -> StaffContext."""

    def make(username: str, *grants: tuple[str | None, str], municipality=None) -> StaffContext:
        municipality = municipality or aoba
        user = get_user_model().objects.create_user(username)
        for code, role in grants:
            department = Department.objects.for_municipality(municipality).get(code=code) if code else None
            StaffMembership.objects.create(municipality=municipality, user=user, department=department, role=role)
        return staff_context_for(user)

    return make


def user_of(staff: StaffContext):
    return get_user_model().objects.get(pk=staff.user_id)


@pytest.fixture
def admin(make_staff):
    return make_staff("kanri", (None, "admin"))


@pytest.fixture
def away(admin, now):
    """Return ``away(department code, role="approver", deputy=None)``: register every holder of
    ``role`` in the department (including the demo staff and all-departments holders) as absent
    today, which is what makes 代決 possible."""

    def register(code: str, role: str = "approver", deputy=None) -> list:
        holders = (
            StaffMembership.objects.for_municipality(admin.municipality)
            .filter(role=role)
            .filter(Q(department__isnull=True) | Q(department__code=code))
            .select_related("user")
        )
        users = {m.user_id: m.user for m in holders}
        today = date(now.year, now.month, now.day)
        return [
            absence_register(staff=admin, user=user, start=today, end=today, deputy=deputy, now=now)
            for _pk, user in sorted(users.items())
        ]

    return register


@pytest.fixture
def in_review(admin, now):
    """Return ``start(case)``: start review (which lays out the route) and return the case."""

    def start(case):
        return case_start_review(staff=admin, case=case, now=now)  # which lays out the route

    return start


@pytest.fixture
def shimin(make_staff):
    """市民課: a clerk (担当), two reviewers (審査) and an approver (課長, 決裁者)."""
    return {
        "clerk": make_staff("shimin-tanto", ("shimin", "clerk")),
        "reviewer": make_staff("shimin-shinsa", ("shimin", "reviewer")),
        "reviewer2": make_staff("shimin-shinsa2", ("shimin", "reviewer")),
        "approver": make_staff("shimin-kacho", ("shimin", "approver")),
    }


@pytest.fixture
def inkan_case(aoba, version_of, now, in_review):
    result = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="approvals-inkan",
        now=now,
    )
    return in_review(result.case)


@pytest.fixture
def kosodate(make_staff):
    """子育て支援課 with its chain, and reviewers of the consulted 税務課 and 保険年金課."""
    return {
        "clerk": make_staff("kosodate-tanto", ("kosodate", "clerk")),
        "reviewer": make_staff("kosodate-shinsa", ("kosodate", "reviewer")),
        "approver": make_staff("kosodate-kacho", ("kosodate", "approver")),
        "zeimu": make_staff("zeimu-shinsa", ("zeimu", "reviewer")),
        "hoken": make_staff("hoken-shinsa", ("hoken", "reviewer")),
    }


@pytest.fixture
def jido_case(aoba, version_of, now, in_review):
    version = version_of(aoba, "jido-teate")
    answers = {**example_answers(version.definition), "child_birth_date": "2020-04-01"}
    upload = SimpleUploadedFile("保険証.pdf", pdf_bytes(), "application/pdf")
    result = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version,
        answers=answers,
        files={"health_insurance_copy": [upload]},
        idempotency_key="approvals-jido",
        now=now,
    )
    return in_review(result.case)


@pytest.fixture
def doboku(make_staff):
    return {
        "clerk": make_staff("doboku-tanto", ("doboku", "clerk")),
        "reviewer": make_staff("doboku-shinsa", ("doboku", "reviewer")),
        "reviewer2": make_staff("doboku-kakaricho", ("doboku", "reviewer")),
        "approver": make_staff("doboku-kacho", ("doboku", "approver")),
    }


@pytest.fixture
def doro_case(aoba, version_of, now, in_review):
    """Return ``make(construction_cost)``: a road occupancy case in review (None: cost left blank)."""
    version = version_of(aoba, "doro-senyo")

    def make(cost: int | None):
        answers = {**example_answers(version.definition), "period_start": "2026-07-01", "period_end": "2026-09-30"}
        if cost is None:
            answers.pop("construction_cost")
        else:
            answers["construction_cost"] = cost
        upload = SimpleUploadedFile("図面.pdf", pdf_bytes(), "application/pdf")
        result = case_submit_as_resident(
            municipality=aoba,
            procedure_version=version,
            answers=answers,
            files={"plan_drawing": [upload]},
            idempotency_key=f"approvals-doro-{cost}",
            now=now,
        )
        return in_review(result.case)

    return make
