"""Shapes every audience shares: the problem document and the enumerations.

Enumerations are published as named components (``CaseStatus``, ``DocumentKind``, …) so a
generated client gets a type for each; their values come from the models and the catalog's
own JSON Schema, so adding a status or a category changes the contract in one place.
"""

from __future__ import annotations

from enum import Enum

from ninja import Schema

from madoguchi.cases.models import CaseStatus, Channel
from madoguchi.procedures.definition import definition_schema
from madoguchi.signatures.models import DocumentKind


def _enum(name: str, values) -> type[Enum]:
    return Enum(name, [(str(value).upper().replace("-", "_"), str(value)) for value in values], type=str)


_PROCEDURE = definition_schema()["properties"]
CaseStatusEnum = _enum("CaseStatus", CaseStatus.values)
ChannelEnum = _enum("Channel", Channel.values)
DocumentKindEnum = _enum("DocumentKind", DocumentKind.values)
CategoryEnum = _enum("Category", _PROCEDURE["category"]["enum"])
LifeEventEnum = _enum("LifeEvent", _PROCEDURE["life_events"]["items"]["enum"])
SignatureRequirementEnum = _enum("SignatureRequirement", _PROCEDURE["signature"]["enum"])


class ProblemFieldOut(Schema):
    field: str
    code: str
    message: str


class ProblemOut(Schema):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[ProblemFieldOut] | None = None
