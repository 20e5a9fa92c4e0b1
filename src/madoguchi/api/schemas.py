"""Response shapes of the public API, published in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class PrefectureOut(Schema):
    code: str
    name: str
    name_kana: str
    name_en: str


class MunicipalityOut(Schema):
    code: str
    name: str
    name_kana: str
    name_en: str
    prefecture: PrefectureOut


class FeeOut(Schema):
    amount: int
    unit: str = ""
    note: str = ""


class ProcedureSummaryOut(Schema):
    slug: str
    version: int
    title: str
    summary: str
    category: str
    life_events: list[str]
    fee: FeeOut
    processing_period_days: int
    signature: str


class FilePartOut(Schema):
    field: str
    label: str
    required: bool
    condition: dict[str, Any] | None
    accept: list[str]
    max_files: int
    max_size_mb: float


class ProcedureDetailOut(ProcedureSummaryOut):
    definition: dict[str, Any]
    answers_schema: dict[str, Any]
    files: list[FilePartOut]
    example: dict[str, Any]


class ApplicationCreatedOut(Schema):
    receipt_number: str
    access_code: str
    status: str
    procedure: str
    procedure_version: int
    submitted_at: datetime
    status_url: str


class IssuedDocumentOut(Schema):
    id: int
    kind: str
    title: str
    version: int
    issued_at: datetime
    sha256: str
    size: int
    url: str


class ApplicationStatusOut(Schema):
    receipt_number: str
    status: str
    status_label: str
    municipality: str
    procedure: str
    procedure_title: str
    procedure_version: int
    submitted_at: datetime
    updated_at: datetime
    documents: list[IssuedDocumentOut]


class ProblemFieldOut(Schema):
    field: str
    code: str
    message: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemFieldOut] | None = None
