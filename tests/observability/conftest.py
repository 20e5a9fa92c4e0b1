"""Fixtures for the observability tests."""

from tests.backoffice.conftest import login_staff  # noqa: F401 (the back office's sign-in fixture)
