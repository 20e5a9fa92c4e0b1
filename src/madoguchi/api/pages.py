"""The pages problem ``type`` URIs point at: ``/problems/`` and ``/problems/<kind>``.

A client that meets a problem it does not know can follow its ``type`` and read, in Japanese
or English, what it means and what to do. The pages are public and hold no data.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from madoguchi.api.problems import KINDS


@require_safe
def problem_index(request):
    return render(request, "api/problems.html", {"kinds": list(KINDS.values())})


@require_safe
def problem_page(request, kind: str):
    if kind not in KINDS:
        raise Http404
    return render(request, "api/problem.html", {"kind": KINDS[kind]})
