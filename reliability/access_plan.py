"""The access matrix's probes, from the live URLconf and the OpenAPI document (``python -m reliability.access_plan``).

Run inside the instance (production settings) with the receipt numbers of the suite's own
cases as JSON on stdin. Walks ``django.urls.get_resolver()`` and ``api.get_openapi_schema()``
and fills every path parameter with a real object of the owning municipality (青葉市, 082015),
so that "not found" can only mean "not allowed". Prints one JSON list of probes:
``{"route", "name", "method", "path", "marker", "body"}`` — ``marker`` is text that only
someone allowed to see the object should get back (its receipt number).

API operations come from the OpenAPI document (so new or renamed operations are probed as
they are); the API's URL patterns are skipped in the URLconf walk except those the document
does not list (the schema, the docs page, the catch-all).
"""

from __future__ import annotations

import json
import re
import sys
import time

import django

OWNER = "082015"
PARAMETER_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
OPENAPI_PARAMETER_RE = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]+)?\}")


def main() -> None:
    django.setup()
    from django_scopes import scopes_disabled

    objects = json.load(sys.stdin)
    with scopes_disabled():
        values = _values(objects)
        probes = _page_probes(values) + _api_probes(values)
    print(json.dumps(probes, ensure_ascii=False))


def _values(objects: dict) -> dict:
    """Real objects of the owning municipality for every kind of path parameter."""
    from django.contrib.auth import get_user_model

    from madoguchi.approvals.models import Approval
    from madoguchi.assistant.models import FaqEntry, Inquiry
    from madoguchi.cases.models import Attachment, Case
    from madoguchi.notifications.models import Notification
    from madoguchi.procedures.models import Procedure
    from madoguchi.signatures.models import IssuedDocument
    from madoguchi.tenants.models import Municipality, StaffMembership

    decided = Case.objects.get(receipt_number=objects["decided"])
    routed = Case.objects.get(receipt_number=objects["routed"])
    pending = Case.objects.get(receipt_number=objects["pending"])
    spare = get_user_model()._default_manager.get(username="aoba-spare")
    procedure = Procedure.objects.get(municipality__code=OWNER, slug=decided.procedure_version.definition["slug"])
    return {
        "code": OWNER,
        "owner_name": Municipality.objects.get(code=OWNER).display_name,
        "slug": procedure.slug,
        "form_step": decided.procedure_version.definition["steps"][0]["id"],
        "decided": decided.receipt_number,
        "routed": routed.receipt_number,
        "pending": pending.receipt_number,
        "attachment_id": Attachment.objects.filter(case=decided).first().pk,
        "document_id": _issued_document(IssuedDocument, decided).pk,
        "notification_id": Notification.objects.filter(municipality__code=OWNER).first().pk,
        "approval_id": Approval.objects.filter(case=routed).first().pk,
        # Of 市民課, where the demo clerk, reviewer and approver work.
        "public_id": Inquiry.objects.filter(municipality__code=OWNER).order_by("-pk").first().public_id,
        "external_id": _owner_only_faq_id(FaqEntry),
        "question_id": objects["question_id"],
        "user_id": spare.pk,
        "membership_id": StaffMembership.objects.filter(user=spare).order_by("-pk").first().pk,
    }


def _issued_document(issued_document, case, *, seconds: float = 180.0):
    """The decided case's decision document, once the documents worker has issued it (after the decision commits)."""
    deadline = time.monotonic() + seconds
    while (document := issued_document.objects.filter(case=case).order_by("pk").first()) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{case.receipt_number}: no document issued within {seconds:.0f} s")
        time.sleep(1)
    return document


def _owner_only_faq_id(faq_entry) -> str:
    """An FAQ entry id of 市民課 that only the owner has.

    The demo gives both municipalities the same ids, so the other municipality's administrator
    would get their own entry under the owner's id; in the suite's own throwaway instance the
    other's copy is renamed, so that a 200 can only be the owner's entry.
    """
    external_id = (
        faq_entry.objects.filter(municipality__code=OWNER, department__code="shimin").order_by("pk").first().external_id
    )
    faq_entry.objects.exclude(municipality__code=OWNER).filter(external_id=external_id).update(
        external_id=f"{external_id}-other"
    )
    return external_id


def _fill(route: str, name: str, values: dict, regex: re.Pattern) -> tuple[str, str | None]:
    """Return the path with each parameter filled, and the marker of the object it shows."""
    marker = None

    def value(match: re.Match) -> str:
        nonlocal marker
        parameter = match.group("name")
        if parameter == "receipt_number":
            # The route of an approval belongs to the case still under review; the rest to the decided one.
            receipt = values["pending"] if "route" in route else values["decided"]
            # The route's answer lists its steps, not the receipt number; it is the case's all the same.
            marker = None if route.endswith("/route") else receipt
            return receipt
        if parameter == "step_id":
            return "kian" if "route" in route else values["form_step"]
        if parameter == "action":
            return {"backoffice:faq_status": "publish", "backoffice:route_action": "return"}.get(name, "comment")
        if parameter == "kind":
            return "approved"
        if parameter in {"purpose", "uidb64", "token"}:
            return {"purpose": "set", "uidb64": "MQ", "token": "not-a-token"}[parameter]
        if parameter in {"rest", "object_id"}:
            return "no-such-thing"
        if parameter in {"document_id", "attachment_id"}:
            marker = marker or values["decided"]
        return str(values.get(parameter, "1"))

    return regex.sub(value, route), marker


REGEX_GROUP_RE = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _route_text(pattern) -> str:
    """A path pattern as text; a regular expression becomes a path with its first alternative per group."""
    from django.urls.resolvers import RegexPattern

    text = str(pattern.pattern)
    if not isinstance(pattern.pattern, RegexPattern):
        return text
    text = REGEX_GROUP_RE.sub(lambda m: m.group("body").split("|")[0] if "|" in m.group("body") else "x", text)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            yield from _walk(pattern.url_patterns, prefix + _route_text(pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + _route_text(pattern), name, pattern.callback


def _admin_object_id(callback) -> str | None:
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is None:
        return None
    first = model_admin.model._default_manager.order_by("pk").first()
    return None if first is None else str(first.pk)


def _page_probes(values: dict) -> list[dict]:
    from django.urls import get_resolver

    from madoguchi.api.urls import api

    api_prefix = "api/v1/"
    # The document's paths carry the prefix already (``/api/v1/...``); the URLconf's routes have no leading slash.
    documented = {path.lstrip("/") if path.lstrip("/").startswith(api_prefix) else api_prefix + path.lstrip("/")
                  for path in _openapi_paths(api)}  # fmt: skip
    probes = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route.startswith(api_prefix) and OPENAPI_PARAMETER_RE.sub("x", _angle_to_brace(route)) in {
            OPENAPI_PARAMETER_RE.sub("x", d) for d in documented
        }:
            continue  # probed from the OpenAPI document
        path, marker = _fill(route, name, values, PARAMETER_RE)
        if marker is None:
            marker = _page_marker(route, name, values)
        object_id = _admin_object_id(callback)
        if object_id is not None:
            path = path.replace("no-such-thing", object_id)
        probes.append(
            {
                "route": "/" + route,
                "name": name,
                "door": "page",
                "method": "GET",
                "path": "/" + path,
                "marker": marker,
                "body": None,
            }
        )
    return probes


def _page_marker(route: str, name: str, values: dict) -> str | None:
    """What shows that a page without an object in its path is the owner's.

    The status page shows the looked-up application; a back-office page shows the signed-in
    staff member's municipality, so another municipality's administrator who gets their own
    list or form gets a page, not access.
    """
    if name == "portal:status":
        return values["decided"]
    if route.startswith("staff/"):
        return values["owner_name"]
    return None


def _angle_to_brace(route: str) -> str:
    return PARAMETER_RE.sub(lambda m: "{" + m.group("name") + "}", route)


def _openapi_paths(api) -> dict:
    return api.get_openapi_schema(path_prefix="")["paths"]


API_BODIES = {
    "/api/v1/staff/cases/{receipt_number}/actions": {"action": "comment", "message": ""},
    "/api/v1/staff/cases/{receipt_number}/route/{step_id}": {"action": "return", "message": ""},
    "/api/v1/municipalities/{code}/assistant/ask": {"question": "粗大ごみの出し方"},
    "/api/v1/municipalities/{code}/assistant/questions/{question_id}/feedback": {"feedback": "helpful"},
    "/api/v1/municipalities/{code}/assistant/inquiries": {"question": "アクセス確認のための問い合わせです。"},
}


# A list without path parameters shows the owner's object only to the owner's staff; another
# municipality's staff get their own list (a page), which must not count as access.
LIST_MARKERS = {"/api/v1/staff/cases": "pending"}


def _api_probes(values: dict) -> list[dict]:
    from madoguchi.api.urls import api

    probes = []
    for template, operations in _openapi_paths(api).items():
        route = "/api/v1" + template if not template.startswith("/api/") else template
        for method, operation in operations.items():
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            path, marker = _fill(route, operation.get("operationId", route), values, OPENAPI_PARAMETER_RE)
            if route in LIST_MARKERS:
                marker = values[LIST_MARKERS[route]]
            probes.append(
                {
                    "route": route,
                    "name": operation.get("operationId", ""),
                    "door": "api",
                    "method": method.upper(),
                    "path": path,
                    "marker": marker,
                    "body": API_BODIES.get(route, {} if method.upper() != "GET" else None),
                }
            )
    return probes


if __name__ == "__main__":
    main()
