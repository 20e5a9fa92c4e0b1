"""Who may do what: the access matrix's expectations, by route name (pages) or path (API operations).

Actors: ``anonymous``; ``resident`` (looked up their application with the right access code)
and ``resident-wrong`` (a wrong code); the owning municipality's ``clerk``, ``reviewer``,
``approver`` and ``admin``; ``other-admin`` (the administrator of the other municipality);
``prefecture`` (prefecture staff: figures, never cases); ``operator`` (the platform operator,
password and TOTP). An expectation is the set of actors that may get the object; everyone else
must get "not found" (404), 401, 403 or the sign-in page — or, on a page anyone may open, a
page that does not show the object. A route this file does not know falls back to the rule of
its path prefix; a route that matches nothing is reported so that someone decides.
"""

from __future__ import annotations

ACTORS = [
    "anonymous",
    "resident",
    "resident-wrong",
    "clerk",
    "reviewer",
    "approver",
    "admin",
    "other-admin",
    "prefecture",
    "operator",
]
EVERYONE = frozenset(ACTORS)
NOBODY: frozenset[str] = frozenset()
RESIDENT = frozenset({"resident"})
STAFF = frozenset({"clerk", "reviewer", "approver", "admin"})
PUBLISHERS = frozenset({"reviewer", "approver", "admin"})
ADMIN = frozenset({"admin"})
OPERATOR = frozenset({"operator"})

PAGES: dict[str, frozenset[str]] = {
    # Residents' own application: only with the right access code in the session.
    "portal:status": RESIDENT,
    "portal:correction": NOBODY,  # only while a correction is requested; the probed case is decided
    "portal:receipt_certificate": RESIDENT,
    "portal:document": RESIDENT,
    "portal:demo_software_card": NOBODY,  # refused in production
    # The back office: staff of the owning municipality, by role.
    "backoffice:queue": STAFF,
    "backoffice:notifications": STAFF,
    "backoffice:notification_retry": STAFF,
    "backoffice:case": STAFF,
    "backoffice:attachment": STAFF,
    "backoffice:case_action": STAFF,  # comment: every role
    "backoffice:case_document": STAFF,
    "backoffice:case_document_reissue": STAFF,
    "backoffice:route_action": frozenset({"clerk"}),  # 差戻し from 起案: who may act on that step
    "backoffice:approvals": STAFF,
    "backoffice:post_review": NOBODY,  # 後閲 of a step a deputy decided; the probed approval had none
    "backoffice:faq_list": STAFF,
    "backoffice:faq_create": STAFF,
    "backoffice:assistant_unanswered": STAFF,
    "backoffice:assistant_inquiries": STAFF,
    "backoffice:assistant_inquiry": STAFF,
    "backoffice:faq_edit": STAFF,
    "backoffice:faq_status": PUBLISHERS,
    "backoffice:assistant_categories": STAFF,  # every staff member reads the labels; who may edit them is checked on POST
    "observability:metrics": NOBODY,  # nginx never passes it from outside
    # Forms that act on the signed-in staff member's own municipality (no object in the path):
    # the other municipality's administrator acts on theirs, which is not access to the owner's.
    "backoffice:absence_create": STAFF | {"other-admin"},
    "backoffice:assistant_draft": STAFF | {"other-admin"},
    "backoffice:audit_admin_verify": ADMIN | {"other-admin"},
}
# Prefixes of route names or paths, longest first: the rule for what PAGES does not name.
PREFIXES: list[tuple[str, frozenset[str]]] = [
    ("backoffice:staff_admin", ADMIN),
    ("backoffice:audit_admin", ADMIN),
    ("/admin/", OPERATOR),
    ("admin:", OPERATOR),
    ("/api/v1/staff/", STAFF),
    ("/api/v1/applications/", RESIDENT),
]
# Routes that anyone may open, by name prefix (sign-in, public portal pages, health).
PUBLIC_PREFIXES = (
    "portal:",
    "backoffice:login",
    "backoffice:enrol",
    "backoffice:logout",
    "backoffice:password",
    "observability:",
    "set_language",
    "api-1.0.0:",
    "/api/v1/",
    "problem",  # the API's problem type pages (/problems/, /problems/<kind>)
)
# Routes no actor's answer is judged on: they depend on a sign-in in progress, or end the session.
UNJUDGED = {"backoffice:login_verify", "backoffice:enrol", "backoffice:logout", "admin:login", "admin:logout"}
API: dict[str, frozenset[str]] = {
    # Stamping 起案 (or returning from it) is for whoever may act on that step: the clerk.
    "/api/v1/staff/cases/{receipt_number}/route/{step_id}": frozenset({"clerk"}),
}


# In /admin/ the operator may not make or delete evidence: the audit chains, job records and
# sign-in logs, published procedure versions; a second factor or an API token is only ever made
# by the staff member's own enrolment. (route prefix, the endings refused)
ADMIN_READ_ONLY: list[tuple[str, tuple[str, ...]]] = [
    ("/admin/audit/", ("/add/", "/delete/")),
    ("/admin/operations/", ("/add/", "/delete/")),
    ("/admin/django_tasks_database/", ("/add/", "/delete/")),
    ("/admin/procedures/procedureversion/", ("/add/", "/delete/")),
    ("/admin/procedures/procedure/add/", ("/add/",)),
    ("/admin/axes/", ("/add/",)),
    ("/admin/otp_", ("/add/",)),
    ("/admin/tenants/staffapitoken/add/", ("/add/",)),
]


def expected(*, name: str, route: str) -> frozenset[str] | None:
    """The actors who may get the object of this route; None: not judged."""
    if name in UNJUDGED:
        return None
    if any(route.startswith(prefix) and route.endswith(endings) for prefix, endings in ADMIN_READ_ONLY):
        return NOBODY
    if route in API:
        return API[route]
    if name in PAGES:
        return PAGES[name]
    for prefix, actors in PREFIXES:
        if name.startswith(prefix) or route.startswith(prefix):
            return actors
    if name.startswith(PUBLIC_PREFIXES) or route.startswith(PUBLIC_PREFIXES):
        return EVERYONE
    return NOBODY  # unknown: only "not found" for everyone passes until someone decides
