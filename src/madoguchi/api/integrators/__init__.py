"""The integrators' API: what a municipality's server checks about its own credential."""

from __future__ import annotations

from ninja import Router, Schema

from madoguchi.api.integrators.auth import IntegratorCredential
from madoguchi.api.openapi import declare

router = Router(auth=IntegratorCredential(), tags=["integrators"])


class IntegratorOut(Schema):
    client_id: str
    name: str
    municipality: str
    rate: str


@router.get(
    "/integrator",
    operation_id="getIntegratorCredential",
    summary="Describe the integrator credential in use",
    **declare({200: IntegratorOut}, [401]),
)
def whoami(request):
    """Return the credential the request authenticated with: its municipality and rate limit.

    A credential lets a municipality's server submit applications for residents with a rate
    limit of its own instead of the per-address one; it opens no application without its
    access code, and it is valid for its own municipality only.
    """
    integrator = request.integrator
    return {
        "client_id": integrator.client_id,
        "name": integrator.name,
        "municipality": integrator.municipality.code,
        "rate": integrator.rate,
    }
