"""Municipality administrator pages (管理者): the municipality's audit log.

The administrator sees their own municipality's chain only, newest first, filtered and paged
by keyset. Which views are themselves audited:

* browsing and filtering is not: the log holds staff user names, event names and receipt
  numbers, not residents' personal data, and an entry per page view would bury the changes
  the log exists for under reads of itself;
* a CSV export is (``audit.log.exported``, with the filters): a copy leaves the system;
* a verification run is (``audit.chain.verified``, with its outcome): it is what the page
  shows as "verified up to".
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from madoguchi.audit.selectors import (
    AuditFilters,
    audit_chain_status,
    audit_details,
    audit_export_rows,
    audit_page,
)
from madoguchi.audit.services import audit_chain_verify_recorded, audit_export_record
from madoguchi.backoffice.forms_admin import AuditFilterForm
from madoguchi.backoffice.views.staff_admin import admin_page

FILTER_NAMES = ("date_from", "date_to", "actor", "event", "object_id")
CSV_COLUMNS = ("sequence", "created_at", "actor", "event", "object_type", "object_id", "details", "hash")


def _filters(request) -> tuple[AuditFilterForm, AuditFilters]:
    data = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    form = AuditFilterForm(data)
    if not form.is_valid():
        return form, AuditFilters()
    cleaned = form.cleaned_data
    return form, AuditFilters(
        date_from=cleaned["date_from"],
        date_to=cleaned["date_to"],
        actor=cleaned["actor"].strip(),
        event=cleaned["event"].strip(),
        object_id=cleaned["object_id"].strip(),
    )


def _cursor(request) -> int | None:
    value = request.GET.get("cursor", "")
    return int(value) if value.isdigit() and len(value) < 20 else None


@admin_page
@require_GET
def audit_index(request):
    municipality = request.staff.municipality
    form, filters = _filters(request)
    cursor = _cursor(request)
    page = audit_page(municipality=municipality, filters=filters, cursor=cursor) if form.is_valid() else None
    params = request.GET.copy()
    params.pop("cursor", None)
    next_url = ""
    if page is not None and page.next_cursor is not None:
        params["cursor"] = str(page.next_cursor)
        next_url = f"?{params.urlencode()}"
        params.pop("cursor")
    context = {
        "form": form,
        "page": page,
        "status": audit_chain_status(municipality=municipality),
        "is_later_page": cursor is not None,
        "first_url": f"?{params.urlencode()}",
        "next_url": next_url,
        "query": params.urlencode(),
    }
    return render(request, "backoffice/admin/audit_log.html", context, status=200 if form.is_valid() else 400)


@admin_page
@require_POST
def audit_verify_run(request):
    report = audit_chain_verify_recorded(municipality=request.staff.municipality, actor=request.staff.actor_label)
    if report.ok:
        messages.success(
            request,
            ngettext(
                "The audit log is intact: %(count)s entry verified.",
                "The audit log is intact: all %(count)s entries verified.",
                report.entries,
            )
            % {"count": report.entries},
        )
    else:
        messages.error(
            request,
            _("The audit log is damaged from entry %(sequence)s on. Tell the system operator at once.")
            % {"sequence": report.problem.sequence if report.problem.sequence is not None else "?"},
        )
    return redirect("backoffice:audit_admin")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(entries) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"  # BOM: Excel then reads the file as UTF-8
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries:
        yield writer.writerow(
            [
                entry.sequence,
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                entry.actor,
                entry.event,
                entry.object_type,
                entry.object_id,
                audit_details(entry),
                entry.hash,
            ]
        )


@admin_page
@require_GET
def audit_export(request):
    """Download the filtered log as CSV (UTF-8 with BOM, CRLF: opens in Excel as it is)."""
    staff = request.staff
    form, filters = _filters(request)
    if not form.is_valid():
        return redirect("backoffice:audit_admin")
    audit_export_record(municipality=staff.municipality, actor=staff.actor_label, filters=filters.as_payload())
    rows = audit_export_rows(municipality=staff.municipality, filters=filters)
    filename = f"audit-{staff.municipality.code}-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
