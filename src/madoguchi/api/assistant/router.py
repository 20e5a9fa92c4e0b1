"""The assistant's API: ask a question, give feedback on an answer, hand a question to staff.

Public like the catalog (no token) and rate limited per client address
(``MADOGUCHI_ASSISTANT_RATE``). Bodies are JSON objects held to the same I-JSON rules as
applications; a bad value is a 422 problem document naming the member and the reason. This
door checks only the shape (a member's JSON type); what a question or an inquiry may be —
required, how long, a valid address — is the services' rule (``assistant.validation``), and
their refusal is the problem document, with the same codes and messages as every other door.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from madoguchi.api.http import enforce_rate
from madoguchi.api.openapi import declare
from madoguchi.api.requests import RequestRefused, parse_json
from madoguchi.assistant.answering import QuestionNotFound, assistant_ask, inquiry_create, question_feedback
from madoguchi.assistant.language import supported_language
from madoguchi.assistant.validation import MAX_EMAIL_LENGTH, MAX_INQUIRY_LENGTH, MAX_QUESTION_LENGTH
from madoguchi.core import errors as core_errors
from madoguchi.tenants.selectors import municipality_get

router = Router(tags=["assistant"])
PROBLEMS = [400, 404, 415, 422, 429]
MAX_LIMIT = 10


class Invalid(core_errors.Invalid):
    """A member of the body has a bad value: (member, code, message)."""

    def __init__(self, member: str, code: str, message: str):
        super().__init__()
        self.member, self.member_code, self.member_message = member, code, message

    def as_dict(self) -> dict:
        return {"field": self.member, "code": self.member_code, "message": self.member_message}

    def extensions(self) -> dict:
        return {"errors": [self.as_dict()]}


class AnswerOut(Schema):
    id: str
    question: str
    answer: str
    answer_html: str
    score: float
    source_url: str
    language: str
    fallback: bool
    category: str
    procedure: str | None


class HandoffOut(Schema):
    department: str
    phone: str
    inquiry_url: str


class AskOut(Schema):
    question_id: uuid.UUID
    language: str
    confident: bool
    confidence: float
    note: str | None
    answers: list[AnswerOut]
    handoff: HandoffOut | None


class FeedbackOut(Schema):
    question_id: uuid.UUID
    feedback: str


class InquiryOut(Schema):
    id: uuid.UUID
    status: str
    reference: str = Field(description="What the resident quotes (screen, e-mail, phone), e.g. Q-7KX3-9PMD.")
    email_given: bool = Field(
        description="An acknowledgement was queued to the address given, and staff's answer will be e-mailed. "
        "Without an address nothing is sent."
    )


def _body(request, members: set[str]) -> dict:
    if (request.content_type or "").lower() != "application/json":
        raise RequestRefused(415, "unsupported-media-type")
    document = parse_json(request.body)
    if not isinstance(document, dict):
        raise RequestRefused(400, "malformed-request", "The body must be a JSON object.")
    unknown = set(document) - members
    if unknown:
        raise RequestRefused(400, "malformed-request", f"Unknown member(s): {', '.join(sorted(unknown))[:200]}.")
    return document


def _text(document: dict, member: str) -> str:
    """Return the string ``member`` ("" when absent); whether it is acceptable is the service's call."""
    value = document.get(member)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(member, "type", f"'{member}' must be a string.")
    return value


def _language(document: dict) -> str | None:
    value = document.get("language")
    if value is None or value == "":
        return None
    language = supported_language(value) if isinstance(value, str) and len(value) <= 35 else None
    if language is None:
        raise Invalid("language", "unknown", "Unknown or unsupported language; use a BCP 47 tag such as ja, en or vi.")
    return language


def _enforce_rate(request) -> None:
    enforce_rate(request, "assistant", settings.MADOGUCHI_ASSISTANT_RATE)


ASK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["question"],
                    "additionalProperties": False,
                    "properties": {
                        "question": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_LENGTH},
                        "language": {
                            "type": ["string", "null"],
                            "maxLength": 35,
                            "description": "BCP 47 tag of the resident's language (ja, ja-x-easy, en, zh-Hans, "
                            "zh-Hant, ko, vi, pt-BR, tl, ne, id); detected from the question if omitted.",
                        },
                        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 3},
                    },
                }
            }
        },
    }
}


@router.post(
    "/municipalities/{code}/assistant/ask",
    operation_id="askAssistant",
    summary="Ask the assistant",
    url_name="assistant_ask",
    **declare({200: AskOut}, PROBLEMS, body=ASK_BODY["requestBody"]),
)
def ask(request, code: str):
    """Answer a question from the municipality's approved FAQ (never generated text).

    ``answers`` holds the best entry first, then related ones. ``confident`` is false when
    the assistant is not sure; ``handoff`` then names the office to contact and where to
    send the question as an inquiry.
    """
    _enforce_rate(request)
    municipality = municipality_get(code=code)
    document = _body(request, {"question", "language", "limit"})
    question = _text(document, "question")
    language = _language(document)
    limit = document.get("limit", 3)
    if isinstance(limit, float) and limit.is_integer():  # JSON does not tell 3 from 3.0
        limit = int(limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid("limit", "out_of_range", f"'limit' must be an integer from 1 to {MAX_LIMIT}.")
    result = assistant_ask(municipality=municipality, question=question, language=language, limit=limit)
    inquiry_url = f"/api/v1/municipalities/{municipality.code}/assistant/inquiries"
    return {
        "question_id": result.question_id,
        "language": result.language,
        "confident": result.confident,
        "confidence": result.confidence,
        "note": result.note or None,
        "answers": [
            {
                "id": a.external_id,
                "question": a.question,
                "answer": a.answer_text,
                "answer_html": a.answer_html,
                "score": a.score,
                "source_url": a.source_url,
                "language": a.language,
                "fallback": a.fallback,
                "category": a.category,
                "procedure": a.procedure_slug or None,
            }
            for a in result.answers
        ],
        "handoff": (
            {"department": result.handoff.department, "phone": result.handoff.phone, "inquiry_url": inquiry_url}
            if result.handoff
            else None
        ),
    }


FEEDBACK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["feedback"],
                    "additionalProperties": False,
                    "properties": {"feedback": {"type": "string", "enum": ["helpful", "not_helpful"]}},
                }
            }
        },
    }
}


@router.post(
    "/municipalities/{code}/assistant/questions/{question_id}/feedback",
    operation_id="sendAssistantFeedback",
    summary="Say whether an answer helped",
    **declare({200: FeedbackOut}, PROBLEMS, body=FEEDBACK_BODY["requestBody"]),
)
def feedback(request, code: str, question_id: str):
    """Record whether the answer to a question (``question_id`` from ask) helped."""
    _enforce_rate(request)
    municipality = municipality_get(code=code)
    document = _body(request, {"feedback"})
    value = document.get("feedback")
    if value not in ("helpful", "not_helpful"):
        raise Invalid("feedback", "invalid", "'feedback' must be 'helpful' or 'not_helpful'.")
    try:
        log = question_feedback(municipality=municipality, question_id=question_id, feedback=value)
    except QuestionNotFound:
        raise Http404 from None
    return {"question_id": log.public_id, "feedback": log.feedback}


INQUIRY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["question"],
                    "additionalProperties": False,
                    "properties": {
                        "question": {"type": "string", "minLength": 1, "maxLength": MAX_INQUIRY_LENGTH},
                        "email": {
                            "type": ["string", "null"],
                            "maxLength": MAX_EMAIL_LENGTH,
                            "description": "Optional, for a reply.",
                        },
                        "language": {"type": ["string", "null"], "maxLength": 35},
                        "question_id": {
                            "type": ["string", "null"],
                            "description": "From ask, if any.",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/municipalities/{code}/assistant/inquiries",
    operation_id="createAssistantInquiry",
    summary="Send a question to staff",
    **declare({201: InquiryOut}, PROBLEMS, body=INQUIRY_BODY["requestBody"]),
)
def inquiry(request, code: str):
    """Send a question to the municipality's staff (an inquiry ticket, status open)."""
    _enforce_rate(request)
    municipality = municipality_get(code=code)
    document = _body(request, {"question", "email", "language", "question_id"})
    question = _text(document, "question")
    email = _text(document, "email")
    language = _language(document) or "ja"
    question_id = _text(document, "question_id")
    created = inquiry_create(
        municipality=municipality, question=question, email=email, language=language, question_id=question_id
    )
    return Status(
        201,
        {
            "id": created.public_id,
            "status": created.status,
            "reference": created.reference,
            "email_given": created.email_given,
        },
    )
