"""Browser-like sessions for the access matrix: cookies, CSRF, staff sign-in with TOTP, a resident's look-up."""

from __future__ import annotations

import hashlib
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django_otp.oath import totp

from reliability.client import Client, Response

CSRF_INPUT_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def demo_totp_key(username: str) -> str:
    """The demo staff's TOTP key (public by design; madoguchi.demo.tenants.demo_totp_key)."""
    return hashlib.sha1(f"madoguchi-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest()


def totp_code(hex_key: str) -> str:
    return f"{totp(bytes.fromhex(hex_key)):06d}"


class Session:
    """One visitor: a cookie jar, and the headers every request of theirs carries (a token, an access code)."""

    def __init__(self, client: Client, *, headers: dict[str, str] | None = None):
        self.client = client
        self.cookies: dict[str, str] = {}
        self.headers = dict(headers or {})
        self.origin = f"https://{client.host}:{client.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        json_body: bytes | None = None,
        extra: dict[str, str] | None = None,
    ) -> Response:
        headers = {**self.headers, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            token = self.cookies.get("csrftoken", "")
            body = urlencode({"csrfmiddlewaretoken": token, **form}).encode()
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": token,
                    "Referer": self.origin + path,
                }
            )
        elif json_body is not None:
            body = json_body
            headers.update(
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                    "Referer": self.origin + path,
                }
            )
        response = self.client.request(method, path, headers=headers, body=body)
        for name, value in _set_cookies(response):
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def ensure_csrf(self) -> None:
        if "csrftoken" not in self.cookies:
            self.request("GET", "/staff/login/")

    def staff_sign_in(self, username: str, password: str, totp_key: str) -> None:
        self.request("GET", "/staff/login/")
        first = self.request("POST", "/staff/login/", form={"username": username, "password": password, "next": ""})
        if first.status != 302 or "verify" not in first.headers.get("location", ""):
            raise RuntimeError(f"sign-in of {username}: password step answered {first.status}")
        second = self.request("POST", "/staff/login/verify/", form={"code": totp_code(totp_key)})
        if second.status != 302:
            raise RuntimeError(f"sign-in of {username}: code step answered {second.status}")

    def resident_look_up(self, receipt: str, access_code: str) -> int:
        self.request("GET", "/status/")
        return self.request("POST", "/status/", form={"receipt_number": receipt, "access_code": access_code}).status


def _set_cookies(response: Response) -> list[tuple[str, str]]:
    # http.client joins repeated headers with ", ": split on the cookie names we know of.
    raw = response.headers.get("set-cookie", "")
    if not raw:
        return []
    found = []
    for part in re.split(r",\s*(?=[A-Za-z0-9_-]+=)", raw):
        cookie = SimpleCookie()
        try:
            cookie.load(part)
        except Exception:  # noqa: S112 - a cookie the suite does not need
            continue
        for name, morsel in cookie.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            found.append((name, "" if expired else morsel.value))
    return found
