"""What residents and the municipality's own site read: catalog, receipts, status, documents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from ninja import Schema
from pydantic import Field

from madoguchi.api.schemas import (
    CaseStatusEnum,
    CategoryEnum,
    ChannelEnum,
    DocumentKindEnum,
    LifeEventEnum,
    SignatureRequirementEnum,
)
from madoguchi.cases.workflow import MAX_MESSAGE_LENGTH


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
    category: CategoryEnum
    life_events: list[LifeEventEnum]
    fee: FeeOut
    processing_period_days: int
    signature: SignatureRequirementEnum
    answers_component: str = Field(description="Name of this procedure's answers schema in components/schemas.")


class FilePartOut(Schema):
    field: str
    label: str
    required: bool
    required_unsigned: bool = Field(
        description="An application without the resident's signature must attach it (e.g. a copy of photo ID)."
    )
    condition: dict[str, Any] | None
    accept: list[str]
    max_files: int
    max_size_mb: float


class ExampleFileOut(Schema):
    field: str
    name: str
    content_type: str
    content_base64: str


class ExampleOut(Schema):
    answers: dict[str, Any]
    files: list[ExampleFileOut] = Field(
        description="Attachments the example needs: send each as a multipart part named after its field."
    )


class ProcedureDetailOut(ProcedureSummaryOut):
    definition: dict[str, Any]
    answers_schema: dict[str, Any]
    files: list[FilePartOut]
    example: ExampleOut


class ApplicationCreatedOut(Schema):
    receipt_number: str
    access_code: str
    status: CaseStatusEnum
    channel: ChannelEnum
    procedure: str
    procedure_version: int
    submitted_at: datetime
    status_url: str


class IssuedDocumentOut(Schema):
    id: int
    kind: DocumentKindEnum
    title: str
    document_number: str = Field(description="文書番号 of a decision document, e.g. 青市民第45号; empty for a 受理証明書.")
    version: int
    issued_at: datetime
    sha256: str
    size: int
    url: str


class NoticeOut(Schema):
    """A message from the municipality to the applicant, e.g. what to correct (補正)."""

    kind: str
    message: str
    created_at: datetime


class ApplicationFeeOut(Schema):
    total: int = Field(description="Yen to pay for this application (0: free or exempt).")
    method: str = Field("", description="counter, slip (納付書) or postal_order (定額小為替); empty when free.")
    payment_state: str = Field("", description="unpaid, pending, paid, failed or refunded; empty when free.")
    payment_number: str = Field("", description="The 納付番号 printed on the 納付書 (method slip only).")


class PaymentStateEnum(StrEnum):
    UNPAID = "unpaid"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"


class PaymentMethodEnum(StrEnum):
    COUNTER = "counter"
    SLIP = "slip"
    POSTAL_ORDER = "postal_order"
    ONLINE = "online"


class ApplicationPaymentOut(Schema):
    """The fee's payment: opened at submission when something is due; moves only through the municipality."""

    state: PaymentStateEnum
    method: PaymentMethodEnum = Field(
        description="How it is paid: the method fixed at submission, or online once a provider confirmed it."
    )
    amount: int = Field(description="Yen.")
    payment_number: str = Field(description="The 納付番号 (receipt number digits and a check digit).")
    online_payment_available: bool = Field(
        description="startOnlinePayment may be called now: the procedure takes online payment, the municipality "
        "has a payment provider and the fee is still open."
    )


class OnlinePaymentIn(Schema):
    success_url: str | None = Field(
        None,
        max_length=2000,
        description="Where the provider sends the resident after paying: on the portal or an origin allowed for "
        "CORS (MADOGUCHI_CORS_ALLOWED_ORIGINS). Default: the portal's return page.",
    )
    cancel_url: str | None = Field(
        None, max_length=2000, description="Where the provider sends a resident who gives up. Same rule."
    )


class OnlinePaymentOut(Schema):
    payment_url: str = Field(description="The provider's page: send the resident there (a browser redirect).")
    payment: ApplicationPaymentOut


class ApplicationStatusOut(Schema):
    receipt_number: str
    status: CaseStatusEnum
    status_label: str
    municipality: str
    procedure: str
    procedure_title: str
    procedure_version: int
    answers_version: int
    submitted_at: datetime
    updated_at: datetime
    can_correct: bool
    can_withdraw: bool
    notices: list[NoticeOut]
    documents: list[IssuedDocumentOut]
    fee: ApplicationFeeOut | None = None
    payment: ApplicationPaymentOut | None = None


class WithdrawalIn(Schema):
    message: str = Field("", max_length=MAX_MESSAGE_LENGTH, description="Why, if the applicant wants to say.")


class VerdictEnum(StrEnum):
    AUTHENTIC = "authentic"
    MODIFIED = "modified"
    UNTRUSTED = "untrusted"
    UNSIGNED = "unsigned"
    NOT_PDF = "not_pdf"


class VerifiedMunicipalityOut(Schema):
    code: str
    name: str


class VerifiedDocumentOut(Schema):
    kind: DocumentKindEnum
    title: str
    document_number: str
    version: int
    superseded: bool
    receipt_number: str


class AdditionKindEnum(StrEnum):
    CONTENT = "content"
    PAGES = "pages"
    ANNOTATION = "annotation"
    FORM = "form"
    SIGNATURE = "signature"
    METADATA = "metadata"
    STRUCTURE = "structure"
    OTHER = "other"
    APPENDED = "appended"
    DSS = "dss"
    TIMESTAMP = "timestamp"


class VerificationAdditionOut(Schema):
    """Something that follows the signed revision: a change, unless ``permitted`` (DSS, document timestamp)."""

    kind: AdditionKindEnum
    label: str
    permitted: bool


class VerificationOut(Schema):
    verdict: VerdictEnum
    title: str
    explanation: str
    sha256: str
    municipality: VerifiedMunicipalityOut | None
    document: VerifiedDocumentOut | None
    signer: str
    signer_organisation: str
    signer_unit: str
    signer_name: str
    signed_at: datetime | None
    timestamped: bool
    revoked: bool
    additions: list[VerificationAdditionOut]
