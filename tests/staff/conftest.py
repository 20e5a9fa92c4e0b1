"""Fixtures shared with the notification tests: a real SMTP server (aiosmtpd), or none listening."""

from tests.notifications.conftest import smtp_down, smtp_server  # noqa: F401 - fixtures
