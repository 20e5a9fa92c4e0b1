"""The access matrix: every URL pattern and API operation × every kind of visitor → allowed or not.

The probes come from the live URLconf and OpenAPI document (:mod:`reliability.access_plan`),
filled with real objects of 青葉市 made here through the API (an application with an
attachment, decided, so that it has its document; one decided through its approval route;
one waiting at 起案). Every visitor asks every probe; a route whose GET answers 405 is asked
again with a POST (a form with the visitor's CSRF token and an empty message: an allowed
visitor gets the form's refusal, which still shows they were let in). The answers are
compared with :mod:`reliability.policy`; an allow where the policy says no fails the suite.

An answer counts as **allowed** when it is 2xx and shows the object (its receipt number) —
or, for a probe without an object, any 2xx — or a 3xx that is not to a sign-in or look-up
page, or a 400/409/415/422 (the request got past the access check and was refused for its input:
a page-door POST of a form to an API route answers 415), or a 2xx file download (a PDF or an
image attachment, whose bytes do not show the receipt number as text).
It counts as **denied** on 401, 403, 404, a redirect to a sign-in page, or a 400 asking for the
access code; a 2xx that does not
show the object is a **page** (a public form, the visitor's own empty list), never an allow.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass

from reliability import policy
from reliability.client import Client, NoAnswer, Response
from reliability.instance import SuiteInstance, log
from reliability.ledger import Ledger
from reliability.load import LoadGenerator
from reliability.report import Row
from reliability.sessions import Session, demo_totp_key
from reliability.workload import Workload

DEMO_PASSWORD = "madoguchi-demo-2026"  # noqa: S105 - the demo's public password (README)
DENIAL_PAGES = ("/staff/login/", "/admin/login/", "/status/")
CREDENTIAL_CODES = ("access_code_required",)
SIGN_OUT_LAST = ("logout", "remove", "deactivate")


@dataclass(frozen=True)
class Outcome:
    actor: str
    probe: dict
    status: int
    verdict: str  # allowed, denied, page, error, n/a


def asks_for_credential(response: Response) -> bool:
    """A resident API call without ``X-Access-Code`` is refused with 400 before anything is looked up."""
    try:
        return response.json().get("code") in CREDENTIAL_CODES
    except (ValueError, AttributeError):
        return False


def is_download(response: Response) -> bool:
    # Only the files a route names by id: a CSV export is text and must show its marker.
    return response.headers.get("content-type", "").startswith(("application/pdf", "image/"))


def classify(response: Response, marker: str | None) -> str:
    status = response.status
    if status == 405:
        return "n/a"
    if status in (401, 403, 404):
        return "denied"
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        return "denied" if any(page in location for page in DENIAL_PAGES) else "allowed"
    if status == 400 and asks_for_credential(response):
        return "denied"
    if status in (400, 409, 415, 422):
        return "allowed"
    if 200 <= status < 300:
        if marker is None or marker.encode() in response.body or is_download(response):
            return "allowed"
        return "page"
    return "error"


def _objects(client: Client, seed: dict) -> dict:
    """Make the owner's objects the probes point at; return their receipt numbers and access code."""
    workload = Workload(client)
    ledger = Ledger()
    load = LoadGenerator(
        client=client, workload=workload, tokens=seed["tokens"], ledger=ledger, submitters=0, deciders=0
    )
    load.stop()  # no threads and no new work: only the decisions asked for below, repeated until answered
    made = {}
    for role, slug in (("decided", "juminhyo-copy"), ("routed", "inkan-certificate"), ("pending", "inkan-certificate")):
        while True:
            application = workload.make(rng=random.Random())
            if application.municipality == "082015" and application.procedure == slug:
                break
        body, headers = application.request()
        response = client.request("POST", application.path, headers=headers, body=body)
        data = response.json()
        application.receipt, application.access_code = data["receipt_number"], data["access_code"]
        made[role] = application
    load.decide(made["decided"], "approve")
    load.decide(made["routed"], "approve")
    token = {"Authorization": f"Bearer {seed['tokens']['aoba-clerk']}"}
    client.json(
        "POST", f"/api/v1/staff/cases/{made['pending'].receipt}/actions", {"action": "start_review"}, headers=token
    )
    asked = client.json("POST", "/api/v1/municipalities/082015/assistant/ask", {"question": "粗大ごみの出し方"}).json()
    client.json(
        "POST", "/api/v1/municipalities/082015/assistant/inquiries", {"question": "窓口の受付時間を教えてください。"}
    )
    return {
        "decided": made["decided"].receipt,
        "routed": made["routed"].receipt,
        "pending": made["pending"].receipt,
        "access_code": made["decided"].access_code,
        "question_id": asked["question_id"],
    }


def _sessions(client: Client, seed: dict, objects: dict) -> dict[str, Session]:
    tokens = seed["tokens"]
    sessions = {"anonymous": Session(client)}
    resident = Session(client, headers={"X-Access-Code": objects["access_code"]})
    resident.resident_look_up(objects["decided"], objects["access_code"])
    wrong = Session(client, headers={"X-Access-Code": "WRONGCODE234"})
    wrong.resident_look_up(objects["decided"], "WRONGCODE234")
    sessions.update({"resident": resident, "resident-wrong": wrong})
    for actor, username in (
        ("clerk", "aoba-clerk"),
        ("reviewer", "aoba-reviewer"),
        ("approver", "aoba-approver"),
        ("admin", "aoba-admin"),
        ("other-admin", "minatogawa-admin"),
        ("prefecture", "ibaraki-pref"),
    ):
        session = Session(client, headers={"Authorization": f"Bearer {tokens[username]}"} if username in tokens else {})
        session.staff_sign_in(username, DEMO_PASSWORD, demo_totp_key(username))
        sessions[actor] = session
    operator = Session(client)
    operator.staff_sign_in(seed["operator"]["username"], seed["operator"]["password"], seed["operator"]["totp_key"])
    sessions["operator"] = operator
    return sessions


def _ask(session: Session, probe: dict, method: str) -> Response:
    for attempt in range(3):
        try:
            if probe["door"] == "api":
                body = None if probe["body"] is None else json.dumps(probe["body"], ensure_ascii=False).encode()
                return session.request(method, probe["path"], json_body=body, extra={"Accept": "application/json"})
            if method == "POST":
                session.ensure_csrf()
                return session.request("POST", probe["path"], form={"message": ""})
            return session.request(method, probe["path"])
        except NoAnswer:
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"{probe['path']}: no answer")


def run(instance: SuiteInstance, client: Client, seed: dict) -> list[Row]:
    log("access matrix: making the owner's objects, signing everyone in")
    objects = _objects(client, seed)
    plan = json.loads(instance.python("reliability.access_plan", stdin=json.dumps(objects)).stdout)
    sessions = _sessions(client, seed, objects)
    log(f"access matrix: {len(plan)} probes × {len(sessions)} visitors")
    outcomes: list[Outcome] = []
    posts = []
    for probe in plan:
        for actor in policy.ACTORS:
            response = _ask(sessions[actor], probe, probe["method"])
            verdict = classify(response, probe["marker"])
            outcomes.append(Outcome(actor, probe, response.status, verdict))
            if probe["door"] == "page" and response.status == 405 and probe not in posts:
                posts.append(probe)
    # Routes that take only POST, asked with a POST; those that end a session or remove a role last.
    posts.sort(key=lambda p: (any(word in p["name"] for word in SIGN_OUT_LAST), "logout" in p["name"]))
    outcomes = [o for o in outcomes if o.probe not in posts]
    for probe in posts:
        post = {**probe, "method": "POST"}
        for actor in policy.ACTORS:
            response = _ask(sessions[actor], post, "POST")
            outcomes.append(Outcome(actor, post, response.status, classify(response, probe["marker"])))
    return _judge(outcomes, instance)


def _judge(outcomes: list[Outcome], instance: SuiteInstance) -> list[Row]:
    unexpected_allow, unexpected_deny, errors, unknown = [], [], [], set()
    by_route: dict[tuple[str, str, str], dict[str, Outcome]] = {}
    for outcome in outcomes:
        probe = outcome.probe
        by_route.setdefault((probe["method"], probe["route"], probe["name"]), {})[outcome.actor] = outcome
        allowed = policy.expected(name=probe["name"], route=probe["route"])
        if allowed is None:
            continue
        if allowed == policy.NOBODY and probe["name"] not in policy.PAGES and outcome.verdict == "allowed":
            unknown.add(f"{probe['method']} {probe['route']} ({probe['name']})")
        if outcome.verdict == "error":
            errors.append(outcome)
        elif outcome.verdict == "allowed" and outcome.actor not in allowed:
            unexpected_allow.append(outcome)
        elif outcome.verdict in ("denied", "page") and outcome.actor in allowed and allowed != policy.EVERYONE:
            unexpected_deny.append(outcome)
    matrix = render_matrix(by_route)
    instance.suite.results_dir.mkdir(parents=True, exist_ok=True)
    (instance.suite.results_dir / "access-matrix.txt").write_text(matrix + "\n", encoding="utf-8")
    print(matrix)
    for outcome in unexpected_allow + errors + unexpected_deny:
        kind = "ALLOW" if outcome in unexpected_allow else ("ERROR" if outcome in errors else "deny")
        log(f"access {kind}: {outcome.actor} {outcome.probe['method']} {outcome.probe['path']} -> {outcome.status}")
    verdicts = Counter(o.verdict for o in outcomes)
    return [
        Row(
            "access",
            "routes and operations probed × visitors",
            f"{len(by_route)} × {len(policy.ACTORS)} = {len(outcomes)} answers",
        ),
        Row("access", "answers", ", ".join(f"{v} {n}" for v, n in verdicts.most_common())),
        Row.zero("access", "unexpected allows", len(unexpected_allow)),
        Row.zero("access", "5xx or 429 answers", len(errors)),
        Row("access", "expected allows that were denied (policy or product to check)", str(len(unexpected_deny))),
        Row("access", "routes the policy does not know that let someone in", ", ".join(sorted(unknown)) or "none"),
    ]


SYMBOLS = {"allowed": "A", "denied": ".", "page": "p", "error": "E", "n/a": "-"}


def render_matrix(by_route: dict[tuple[str, str, str], dict[str, Outcome]]) -> str:
    """One line per route: a letter per visitor (A allowed, . denied, p page without the object, E error)."""
    header = "  ".join(f"{i}={a}" for i, a in enumerate(policy.ACTORS))
    lines = [
        f"access matrix (A allowed, . denied, p page without the object, E error, - method not allowed; * unexpected)\n{header}"
    ]
    for (method, route, name), answers in sorted(by_route.items(), key=lambda item: item[0][1]):
        allowed = policy.expected(name=name, route=route)
        cells = []
        for actor in policy.ACTORS:
            outcome = answers.get(actor)
            symbol = SYMBOLS[outcome.verdict] if outcome else " "
            wrong = outcome and allowed is not None and outcome.verdict == "allowed" and actor not in allowed
            cells.append(symbol + ("*" if wrong else " "))
        lines.append(f"{''.join(cells)}  {method:4} {route}")
    return "\n".join(lines)
