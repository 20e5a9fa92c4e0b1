"""The sustained load during the faults: residents submitting and checking, staff deciding.

* **Submitters** (threads) submit applications through nginx — JSON, or multipart with a
  unique PNG — each with its own Idempotency-Key. A request that got no answer, a 502, 503 or
  504 is repeated with the same key and the same body after a short pause, as an integrator
  would, until it is acknowledged (201) or the drain deadline passes. Now and then a
  submitter looks up the status of an acknowledged application with its access code.
* **Deciders** take acknowledged cases and decide them through the staff API as the demo
  staff would: start the review, stamp every step of the approval route (who may act is read
  from the route), then approve (four in five) or reject. Each step is repeated on a missing
  answer or a 5xx; a 409 after a repeat means the first try had done it.

Anything else (a 4xx that is not expected, a 500, a 429) is counted as unexpected.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable

from reliability.client import Client, NoAnswer, Response
from reliability.ledger import Ledger
from reliability.workload import Application, Workload

RETRYABLE = {502, 503, 504}
REJECT_SHARE = 0.2
STATUS_CHECK_SHARE = 0.3
DECIDE_SHARE = 0.5
ROLE_USERS = {"clerk": "clerk", "reviewer": "reviewer", "approver": "approver", "admin": "admin"}
SLUGS = {"082015": "aoba", "082023": "minatogawa"}


def _pause(attempt: int) -> float:
    return min(2.0, 0.2 * (2 ** min(attempt, 4))) * random.uniform(0.5, 1.0)


class LoadGenerator:
    """Runs submitters and deciders until :meth:`stop`; then :meth:`drain` finishes what was sent."""

    def __init__(
        self,
        *,
        client: Client,
        workload: Workload,
        tokens: dict[str, str],
        ledger: Ledger,
        submitters: int,
        deciders: int,
    ):
        self.client, self.workload, self.tokens, self.ledger = client, workload, tokens, ledger
        self.submitters, self.deciders = submitters, deciders
        self.to_decide: queue.Queue[Application] = queue.Queue()
        self._stop = threading.Event()  # no new applications or decisions
        self._deadline = float("inf")  # repeats of what was sent end here
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ control

    def start(self) -> None:
        for number in range(self.submitters):
            self._spawn(self._submitter, f"submitter-{number}", number)
        for number in range(self.deciders):
            self._spawn(self._decider, f"decider-{number}", number)

    def _spawn(self, target: Callable[[int], None], name: str, number: int) -> None:
        thread = threading.Thread(target=target, args=(number,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()

    def drain(self, seconds: float) -> None:
        """Stop new work; let what was sent be repeated until acknowledged, for at most ``seconds``."""
        self._stop.set()
        self._deadline = time.monotonic() + seconds
        for thread in self._threads:
            thread.join(timeout=max(0.0, self._deadline - time.monotonic()) + 35)

    def _giving_up(self) -> bool:
        return time.monotonic() > self._deadline

    # ------------------------------------------------------------------ residents

    def _submitter(self, number: int) -> None:
        rng = random.Random(number)
        while not self._stop.is_set():
            application = self.workload.make(rng=rng)
            self._submit(application)
            if rng.random() < STATUS_CHECK_SHARE:
                self._status_check(rng)

    def _submit(self, application: Application) -> None:
        body, headers = application.request()
        self.ledger.sent(application)
        attempt = 0
        while not self._giving_up():
            began = time.monotonic()
            try:
                response = self.client.request("POST", application.path, headers=headers, body=body)
            except NoAnswer:
                self.ledger.record("submit", 0, began, with_file=application.attachment is not None)
                attempt += 1
                time.sleep(_pause(attempt))
                continue
            self.ledger.record(
                "submit",
                response.status,
                began,
                retry_after="retry-after" in response.headers,
                with_file=application.attachment is not None,
            )
            if response.status == 201:
                data = response.json()
                if application.receipt and data["receipt_number"] != application.receipt:
                    self.ledger.note_unexpected("submit: a repeat answered another receipt number")
                application.receipt, application.access_code = data["receipt_number"], data["access_code"]
                self.ledger.acknowledge(application, replayed=response.headers.get("idempotent-replayed") == "true")
                if random.random() < DECIDE_SHARE:
                    self.to_decide.put(application)
                return
            if response.status in RETRYABLE:
                attempt += 1
                time.sleep(_pause(attempt))
                continue
            self.ledger.note_unexpected(f"submit {response.status}: {response.body[:120]!r}")
            return

    def _status_check(self, rng: random.Random) -> None:
        with self.ledger._lock:
            known = list(self.ledger.acknowledged.values())[-200:]
        if not known:
            return
        application = rng.choice(known)
        began = time.monotonic()
        try:
            response = self.client.json(
                "GET",
                f"/api/v1/applications/{application.receipt}",
                headers={"X-Access-Code": application.access_code or ""},
            )
        except NoAnswer:
            self.ledger.record("status", 0, began)
            return
        self.ledger.record("status", response.status, began, retry_after="retry-after" in response.headers)
        if response.status not in {200, *RETRYABLE}:
            self.ledger.note_unexpected(f"status {response.status}: {response.body[:120]!r}")

    # ------------------------------------------------------------------ staff

    def _decider(self, number: int) -> None:
        rng = random.Random(1000 + number)
        while not self._stop.is_set():
            try:
                application = self.to_decide.get(timeout=0.5)
            except queue.Empty:
                continue
            decision = "reject" if rng.random() < REJECT_SHARE else "approve"
            if self.decide(application, decision):
                self.ledger.decide(application.receipt or "", decision)

    def _token(self, municipality: str, user_suffix: str) -> str:
        return self.tokens[f"{SLUGS[municipality]}-{user_suffix}"]

    def _staff(
        self, municipality: str, user: str, method: str, path: str, payload: dict | None = None
    ) -> Response | None:
        """One staff API call, repeated on no answer or a 5xx; None once the suite gives up."""
        attempt = 0
        while not self._giving_up():
            began = time.monotonic()
            try:
                response = self.client.json(
                    method, path, payload, headers={"Authorization": f"Bearer {self.tokens[user]}"}
                )
            except NoAnswer:
                self.ledger.record("staff", 0, began)
                attempt += 1
                time.sleep(_pause(attempt))
                continue
            self.ledger.record("staff", response.status, began, retry_after="retry-after" in response.headers)
            if response.status in RETRYABLE:
                attempt += 1
                time.sleep(_pause(attempt))
                continue
            return response
        return None

    def decide(self, application: Application, decision: str) -> bool:
        code, receipt = application.municipality, application.receipt
        slug = SLUGS[code]
        base = f"/api/v1/staff/cases/{receipt}"
        for _round in range(12):  # each round re-reads where the case stands
            case = self._staff(code, f"{slug}-clerk", "GET", base)
            if case is None or case.status != 200:
                self._unexpected_staff("case", case)
                return False
            status = case.json()["status"]
            if status in {"approved", "rejected"}:
                return True
            if status == "submitted":
                self._staff(code, f"{slug}-clerk", "POST", f"{base}/actions", {"action": "start_review"})
                continue
            route = self._staff(code, f"{slug}-clerk", "GET", f"{base}/route")
            if route is None or route.status != 200:
                self._unexpected_staff("route", route)
                return False
            steps = [s for s in route.json()["steps"] if s["status"] != "approved"]
            if steps:
                step = steps[0]
                actors = [name for name in step["may_act"] if name in self.tokens]
                if not actors:
                    self.ledger.note_unexpected(f"route step {step['step_id']}: nobody of the suite may act")
                    return False
                self._staff(
                    code,
                    actors[0],
                    "POST",
                    f"{base}/route/{step['step_id']}",
                    {"action": "approve", "department": step["department"] or None},
                )
                continue
            payload = {
                "action": decision,
                "message": "審査の結果、要件を満たしません。" if decision == "reject" else "",
            }
            self._staff(code, f"{slug}-approver", "POST", f"{base}/actions", payload)
        self.ledger.note_unexpected("decide: case not decided after 12 rounds")
        return False

    def _unexpected_staff(self, what: str, response: Response | None) -> None:
        if response is not None:
            self.ledger.note_unexpected(f"staff {what} {response.status}: {response.body[:120]!r}")
