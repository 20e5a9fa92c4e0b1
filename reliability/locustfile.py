"""The benefit-rush mix for locust (run by :mod:`reliability.ramp`, headless, against nginx).

Residents (nine in ten users) mostly submit — JSON, or multipart with a small attachment — and
check their status with the access code they got; some read a procedure first. Staff (one in
ten) list their queue, open cases and decide 住民票 cases (start the review, approve), which
issues documents in the background as in the real thing. Think times are short: this is the
rush of the first days of a benefit, not an ordinary afternoon.

Needs RELIABILITY_LOCUST_SETUP: a JSON file with the staff tokens and the procedures' examples.
"""

from __future__ import annotations

import json
import os
import random
import uuid

from locust import FastHttpUser, between, task

from reliability.workload import PROCEDURES, png

SETUP = json.loads(open(os.environ["RELIABILITY_LOCUST_SETUP"], encoding="utf-8").read())  # noqa: SIM115
EXAMPLES = {tuple(key.split("/")): answers for key, answers in SETUP["examples"].items()}


class Resident(FastHttpUser):
    weight = 9
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.mine: list[tuple[str, str]] = []

    @task(5)
    def submit(self) -> None:
        code, slug, field_id, extra = random.choice(PROCEDURES)
        answers = {**EXAMPLES[(code, slug)], **extra}
        key = f"ramp-{uuid.uuid4()}"
        path = f"/api/v1/municipalities/{code}/procedures/{slug}/applications"
        headers = {"Idempotency-Key": key, "Accept": "application/json"}
        if field_id:
            from reliability.client import multipart

            body, content_type = multipart(
                {"answers": json.dumps(answers, ensure_ascii=False)},
                [(field_id, "scan.png", "image/png", png(key, noise_bytes=256))],
            )
            headers["Content-Type"] = content_type
        else:
            body, headers["Content-Type"] = (
                json.dumps({"answers": answers}, ensure_ascii=False).encode(),
                "application/json",
            )
        with self.client.post(path, data=body, headers=headers, name="submit", catch_response=True) as response:
            if response.status_code == 201:
                data = response.json()
                self.mine.append((data["receipt_number"], data["access_code"]))
            else:
                response.failure(f"{response.status_code}")

    @task(4)
    def status(self) -> None:
        if not self.mine:
            return
        receipt, code = random.choice(self.mine)
        self.client.get(f"/api/v1/applications/{receipt}", headers={"X-Access-Code": code}, name="status")

    @task(1)
    def procedure(self) -> None:
        code, slug, _field, _extra = random.choice(PROCEDURES)
        self.client.get(f"/api/v1/municipalities/{code}/procedures/{slug}", name="procedure")


class Staff(FastHttpUser):
    weight = 1
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.slug = random.choice(["aoba", "minatogawa"])
        self.auth = {
            "Authorization": f"Bearer {SETUP['tokens'][f'{self.slug}-approver']}",
            "Accept": "application/json",
        }

    def _queue(self, status: str) -> list[str]:
        response = self.client.get(
            f"/api/v1/staff/cases?status={status}&procedure=juminhyo-copy", headers=self.auth, name="staff queue"
        )
        if response.status_code != 200:
            return []
        return [case["receipt_number"] for case in response.json()["results"]]

    @task(3)
    def queue_and_detail(self) -> None:
        receipts = self._queue("submitted")
        if receipts:
            self.client.get(f"/api/v1/staff/cases/{random.choice(receipts)}", headers=self.auth, name="staff case")

    @task(1)
    def decide(self) -> None:
        receipts = self._queue("submitted")
        if not receipts:
            return
        receipt = random.choice(receipts)
        actions = f"/api/v1/staff/cases/{receipt}/actions"
        for action in ("start_review", "approve"):
            with self.client.post(
                actions, json={"action": action}, headers=self.auth, name="staff decide", catch_response=True
            ) as response:
                if response.status_code == 409:  # another staff user took it first
                    response.success()
