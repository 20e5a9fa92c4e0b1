"""The assistant page: ask in any supported language, get the municipality's approved answer.

Without JavaScript it is a search-and-answer form (GET ``?q=``; feedback and inquiries are
small POST forms). With JavaScript, ``assistant.js`` turns the same page into a chat that
calls the API. ``/<code>/assistant/embed/`` is the same page without the site chrome, made
to sit in the municipality's own web site (see ``widget.js`` and docs/assistant.md).
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.clickjacking import xframe_options_exempt
from django_ratelimit.decorators import ratelimit

from madoguchi.assistant.answering import QuestionNotFound, assistant_ask, inquiry_create, question_feedback
from madoguchi.assistant.language import supported_language
from madoguchi.assistant.messages import MESSAGES, messages_for
from madoguchi.assistant.models import LANGUAGES
from madoguchi.assistant.validation import MAX_INQUIRY_LENGTH, MAX_QUESTION_LENGTH, InquiryInvalid
from madoguchi.portal.middleware import DEFAULT_POLICY
from madoguchi.tenants.selectors import municipality_get


def _rate(group, request) -> str | None:
    return settings.MADOGUCHI_ASSISTANT_RATE or None


def _page(request, code: str, *, embed: bool):
    municipality = municipality_get(code=code)
    url_name = "portal:assistant_embed" if embed else "portal:assistant"
    here = reverse(url_name, args=[municipality.code])
    chosen = supported_language(request.GET.get("lang", "") or request.POST.get("lang", "")) or ""
    context = {
        "municipality": municipality,
        "embed": embed,
        "languages": list(LANGUAGES.items()),
        "chosen": chosen,
        "max_length": MAX_QUESTION_LENGTH,
        "here": here,
        "all_messages": MESSAGES,
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "feedback":
            with contextlib.suppress(QuestionNotFound, ValueError):
                question_feedback(
                    municipality=municipality,
                    question_id=request.POST.get("question_id", ""),
                    feedback=request.POST.get("feedback", ""),
                )
            return redirect(f"{here}?{urlencode({'thanks': 1, 'lang': chosen})}")
        if action == "inquiry":
            try:
                inquiry = inquiry_create(
                    municipality=municipality,
                    question=request.POST.get("question", "")[:MAX_INQUIRY_LENGTH],
                    email=request.POST.get("email", ""),
                    language=chosen or get_language(),
                    question_id=request.POST.get("question_id") or None,
                )
            except InquiryInvalid:
                context.update(
                    inquiry_error=True,
                    inquiry_question=request.POST.get("question", "")[:MAX_INQUIRY_LENGTH],
                    inquiry_email=request.POST.get("email", "")[:254],
                    question_id=request.POST.get("question_id", ""),
                    text=messages_for(chosen or get_language()),
                    text_lang=chosen or get_language(),
                )
                return render(request, "portal/assistant.html", context, status=422)
            context.update(
                inquiry_sent=inquiry, text=messages_for(chosen or get_language()), text_lang=chosen or get_language()
            )
            return render(request, "portal/assistant.html", context)
    query = request.GET.get("q", "").strip()[:MAX_QUESTION_LENGTH]
    context.update(query=query, thanks=bool(request.GET.get("thanks")))
    if query:
        result = assistant_ask(municipality=municipality, question=query, language=chosen or None)
        context.update(result=result, text=messages_for(result.language), text_lang=result.language)
    else:
        context.update(text=messages_for(chosen or get_language()), text_lang=chosen or get_language())
    response = render(request, "portal/assistant.html", context)
    if embed:
        # The portal's policy, except that the municipality's site may frame this page.
        ancestors = settings.MADOGUCHI_ASSISTANT_FRAME_ANCESTORS
        response["Content-Security-Policy"] = DEFAULT_POLICY.replace(
            "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
        )
    return response


@ratelimit(key="ip", rate=_rate, method="GET", group="assistant-page", block=True)
@ratelimit(key="ip", rate=_rate, method="POST", group="assistant-page", block=True)
def assistant(request, code: str):
    return _page(request, code, embed=False)


@xframe_options_exempt
@ratelimit(key="ip", rate=_rate, method="GET", group="assistant-page", block=True)
@ratelimit(key="ip", rate=_rate, method="POST", group="assistant-page", block=True)
def assistant_embed(request, code: str):
    return _page(request, code, embed=True)


def assistant_widget(request, code: str):
    """A page that shows the snippet a municipality pastes into its web site."""
    municipality = municipality_get(code=code)
    return render(
        request,
        "portal/assistant_widget.html",
        {"municipality": municipality, "public_url": settings.MADOGUCHI_PUBLIC_URL},
    )
