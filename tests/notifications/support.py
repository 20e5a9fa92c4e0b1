"""The SMTP side of the notification tests: a recording handler for aiosmtpd, and settings."""

from __future__ import annotations

import socket
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

ADDRESS = "hanako@example.jp"
# Distinct from the municipality's and departments' numbers, so finding it in a mail means a leak.
APPLICANT_PHONE = "090-1111-2222"


class RecordingHandler:
    """Keep every message received; refuse recipients in ``refused`` with ``refusal``."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelope_recipients: list[list[str]] = []
        self.refused: set[str] = set()
        self.refuse_everyone = False
        self.refusal = "550 5.1.1 Recipient address rejected: User unknown"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_everyone or address in self.refused:
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.raw.append(raw)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(raw))
        self.envelope_recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "madoguchi@city.example.jp"
