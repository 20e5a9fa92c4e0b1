"""Back-office page of the assistant's FAQ categories: the municipality's own, created by the
import from its file's category names, each labelled per language by staff.

Doors only: the page parses the form and calls ``authoring.category_labels_update_by_staff``
(who may, then ``categories.category_labels_update``), and shows what it refuses next to the
label it concerns.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.assistant import authoring, categories
from madoguchi.assistant.models import LANGUAGES
from madoguchi.assistant.validation import FaqInvalid
from madoguchi.backoffice.views.cases import staff_page


@staff_page
@require_http_methods(["GET", "POST"])
def category_list(request):
    """The municipality's FAQ categories with their label per language (the import creates them)."""
    staff = request.staff
    may_edit = authoring.category_may_edit(staff=staff)
    errors: dict[str, str] = {}
    posted = None
    status = 200
    if request.method == "POST":
        key = request.POST.get("key", "")[:64]
        posted = {"key": key, "labels": {code: request.POST.get(f"label-{code}", "") for code in LANGUAGES}}
        try:
            authoring.category_labels_update_by_staff(staff=staff, key=key, labels=posted["labels"])
        except FaqInvalid as refusal:
            errors = {error.field.partition(".")[0]: error.message for error in reversed(refusal.errors)}
            status = 400
        else:
            messages.success(request, _("The labels were saved."))
            return redirect("backoffice:assistant_categories")
    rows = []
    for category in categories.category_list(municipality=staff.municipality):
        mine = posted is not None and posted["key"] == category.key
        labels = posted["labels"] if mine else category.labels
        rows.append(
            {
                "key": category.key,
                "languages": [
                    {
                        "code": code,
                        "name": name,
                        "value": labels.get(code, ""),
                        "error": errors.get(code, "") if mine else "",
                    }
                    for code, name in LANGUAGES.items()
                ],
            }
        )
    context = {"rows": rows, "may_edit": may_edit, "has_errors": bool(errors)}
    return render(request, "backoffice/assistant/categories.html", context, status=status)
