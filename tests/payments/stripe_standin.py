"""A local HTTP server that speaks the part of Stripe's published API the adapter uses.

A stand-in, not Stripe: no provider can be reached from the test machines. It implements
``POST /v1/checkout/sessions`` (form-encoded, Bearer key, Idempotency-Key replays the first
response) and ``GET /v1/checkout/sessions`` (a list page with ``has_more``/``starting_after``),
and signs webhook events the way Stripe documents it: header ``Stripe-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the endpoint secret>``.

Like Stripe Checkout, a session's ``url`` is a hosted page (``GET /pay/<id>``) with a pay button
and a cancel link. Paying (``POST /pay/<id>``) marks the session paid, delivers a signed
``checkout.session.completed`` event to ``webhook_url`` (the endpoint a municipality registers in
Stripe's dashboard) and then sends the browser to the session's ``success_url`` — the order
Stripe's own flow keeps only loosely, which is why our return page reads our state.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_KEY = "sk_test_standin"
WEBHOOK_SECRET = "whsec_standin"


class StripeStandIn:
    def __init__(self, page_size: int = 100):
        self.sessions: list[dict] = []
        self.requests: list[dict] = []
        self.replayed: dict[str, dict] = {}
        self.page_size = page_size
        self.webhook_url = ""  # where paying on the hosted page delivers the signed event
        self.deliveries: list[int] = []  # the webhook's HTTP status of each delivery
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                    self._send(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}})
                    return False
                return True

            def _page(self, status: int, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _hosted_session(self) -> dict | None:
                reference = self.path.split("?")[0].removeprefix("/pay/")
                return next((s for s in standin.sessions if s["id"] == reference), None)

            def do_POST(self):
                if self.path.startswith("/pay/"):
                    session = self._hosted_session()
                    if session is None:
                        return self._page(404, "<p>No such session</p>")
                    standin.pay(session["id"])
                    standin.deliver(session["id"], "checkout.session.completed")
                    self.send_response(303)
                    self.send_header("Location", session["success_url"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if not self._authorised() or self.path != "/v1/checkout/sessions":
                    return
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                standin.requests.append(form)
                key = self.headers.get("Idempotency-Key", "")
                if key and key in standin.replayed:
                    return self._send(200, standin.replayed[key])
                session = {
                    "id": f"cs_test_{len(standin.sessions) + 1:04d}",
                    "object": "checkout.session",
                    "url": f"{standin.url}/pay/cs_test_{len(standin.sessions) + 1:04d}",
                    "client_reference_id": form.get("client_reference_id"),
                    "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                    "currency": form["line_items[0][price_data][currency]"],
                    "payment_status": "unpaid",
                    "status": "open",
                    "success_url": form.get("success_url"),
                    "cancel_url": form.get("cancel_url"),
                    "description": form.get("line_items[0][price_data][product_data][name]", ""),
                }
                standin.sessions.append(session)
                if key:
                    standin.replayed[key] = session
                self._send(200, session)

            def do_GET(self):
                if self.path.startswith("/pay/"):
                    session = self._hosted_session()
                    if session is None:
                        return self._page(404, "<p>No such session</p>")
                    return self._page(200, _HOSTED_PAGE.format(
                        name=html.escape(session["description"]),
                        amount=f"{session['amount_total']:,}",
                        action=html.escape(f"/pay/{session['id']}"),
                        cancel=html.escape(session["cancel_url"] or ""),
                    ))  # fmt: skip
                if not self._authorised():
                    return
                parsed = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                ordered = list(reversed(standin.sessions))  # newest first, as Stripe lists
                start = 0
                if "starting_after" in query:
                    start = next(i for i, s in enumerate(ordered) if s["id"] == query["starting_after"]) + 1
                limit = min(int(query.get("limit", 10)), standin.page_size)
                page = ordered[start : start + limit]
                self._send(200, {"object": "list", "data": page, "has_more": start + limit < len(ordered)})

        return Handler

    def start(self) -> StripeStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def pay(self, reference: str) -> None:
        """The resident pays on the provider's page."""
        next(s for s in self.sessions if s["id"] == reference).update(payment_status="paid", status="complete")

    def deliver(self, reference: str, kind: str) -> None:
        """Post a signed ``kind`` event for ``reference`` to ``webhook_url``, as Stripe delivers it."""
        body, headers = self.event(reference, kind, event_id=f"evt_{reference}_{len(self.deliveries) + 1}")
        request = urllib.request.Request(self.webhook_url, data=body, method="POST")  # noqa: S310 (a local test URL)
        request.add_header("Content-Type", "application/json")
        for name, value in headers.items():
            request.add_header(name, value)
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            self.deliveries.append(response.status)

    def event(self, reference: str, kind: str, *, event_id: str, at: float | None = None, secret: str = WEBHOOK_SECRET):
        """Return ``(body, headers)`` of a webhook delivery for ``reference``, signed as Stripe signs."""
        session = next(s for s in self.sessions if s["id"] == reference)
        body = json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": session}}).encode()
        timestamp = str(int(at if at is not None else time.time()))
        signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return body, {"Stripe-Signature": f"t={timestamp},v1={signature}"}


_HOSTED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pay - stand-in checkout</title></head>
<body><main><h1>Stand-in checkout (not Stripe)</h1>
<p>{name}</p><p>JPY {amount}</p>
<form method="post" action="{action}"><button type="submit">Pay</button></form>
<p><a href="{cancel}">Cancel</a></p></main></body></html>
"""
