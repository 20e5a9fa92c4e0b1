"""How a resident's application is reached: its receipt number and access code."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext

from madoguchi.api.http import enforce_rate
from madoguchi.api.integrators.auth import optional_integrator
from madoguchi.api.requests import RequestRefused
from madoguchi.cases.models import Case
from madoguchi.cases.selectors import case_get_for_resident, normalize_receipt_number
from madoguchi.core.errors import NotFound


def resident_case(request: HttpRequest, receipt_number: str, *, group: str = "lookup") -> Case:
    """Return the case the request's ``X-Access-Code`` opens; NotFound for a wrong code or number.

    A wrong code and an unknown number are answered alike; a missing header is a 400, since
    it tells nothing about any application.
    """
    integrator = optional_integrator(request)
    if integrator is not None and not normalize_receipt_number(receipt_number).startswith(
        f"{integrator.municipality.code}-"
    ):
        raise NotFound  # an integrator reaches its own municipality's applications only
    enforce_rate(request, group, settings.MADOGUCHI_LOOKUP_RATE)
    access_code = request.headers.get("X-Access-Code")
    if access_code is None:
        raise RequestRefused(
            400,
            "malformed-request",
            gettext("Send the access code in the X-Access-Code header."),
            code="access_code_required",
        )
    case = case_get_for_resident(receipt_number=receipt_number[:40], access_code=access_code[:40])
    if case is None:
        raise NotFound
    return case
