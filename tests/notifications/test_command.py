"""``madoguchi notifications send``: once (cron, systemd timer) or in a bounded loop."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from madoguchi.notifications.management.commands.notifications import Command


@pytest.fixture
def sleeps(monkeypatch):
    slept = []
    monkeypatch.setattr(Command, "sleep", staticmethod(slept.append))
    return slept


def send(*args):
    out, err = StringIO(), StringIO()
    call_command("notifications", "send", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_send_delivers_due_notifications_once(submit, staff, request_correction, smtp_server, sleeps):
    request_correction(staff, submit().case, at=timezone.now())
    out, err = send()
    assert out == "sent 1, retrying 0, failed 0\n"
    assert (err, sleeps, len(smtp_server.messages)) == ("", [], 1)


def test_send_reports_an_unreachable_server_and_failures_on_stderr(
    submit, staff, request_correction, smtp_down, settings, sleeps
):
    settings.MADOGUCHI_NOTIFY_MAX_ATTEMPTS = 1
    request_correction(staff, submit().case, at=timezone.now())
    out, err = send()
    assert out == "sent 0, retrying 0, failed 1 (mail server unreachable)\n"
    assert "1 notification(s) failed for good" in err


def test_send_loop_sleeps_between_runs_and_stops_after_max_runs(smtp_server, sleeps, db):
    out, _err = send("--loop", "30", "--max-runs", "3")
    assert sleeps == [30, 30]
    assert out == ""  # quiet while there is nothing to send


def test_send_loop_goes_on_at_once_while_batches_are_full(submit, staff, request_correction, smtp_server, sleeps):
    for _ in range(2):
        request_correction(staff, submit().case, at=timezone.now())
    out, _err = send("--loop", "30", "--max-runs", "4", "--limit", "1")
    assert out.splitlines() == ["sent 1, retrying 0, failed 0"] * 2
    assert sleeps == [30]  # only after the run that found nothing


@pytest.mark.parametrize("args", [("--loop", "0"), ("--loop", "5", "--max-runs", "0"), ("--limit", "0")])
def test_send_refuses_nonsense_arguments(args, db):
    with pytest.raises(CommandError):
        send(*args)
