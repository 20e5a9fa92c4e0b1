"""``madoguchi signatures verify|check``: the summary, the exit code and key file warnings."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.signatures.conftest import org_key

from madoguchi.approvals.models import Approval
from madoguchi.approvals.services import step_approve


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("signatures", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str, CommandError]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("signatures", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), raised.value


@pytest.fixture
def stamped(signatures_configured, inkan_case, shimin, now):
    """Two signed stamps on 青葉市's case."""
    return [
        step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now),
        step_approve(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", comment="確認", now=now),
    ]


def test_verify_prints_a_summary_per_municipality_and_succeeds(stamped):
    out, _err = run("verify")
    assert "OK 082015: 2 checked, 2 valid, 0 invalid, 0 missing, 0 unsigned" in out
    assert "OK 082023: 0 checked" in out
    assert "checked 2 signatures in" in out and "signatures/s" in out


def test_verify_fails_with_exit_code_1_and_names_the_edited_approval(stamped, inkan_case):
    Approval.objects.for_municipality(inkan_case.municipality).filter(pk=stamped[1].pk).update(comment="改ざん")
    out, _err, error = run_failing("verify", "--municipality", "082015")
    assert error.returncode == 1
    assert "FAIL 082015: 2 checked, 1 valid, 1 invalid" in out
    assert f"INVALID {inkan_case.receipt_number} approval {stamped[1].pk}: changed after signing: comment" in out


def test_unsigned_decisions_fail_verification_unless_allowed(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now)
    out, _err, _error = run_failing("verify", "--municipality", "082015")
    assert "FAIL 082015: 1 checked, 0 valid, 0 invalid, 0 missing, 1 unsigned" in out
    out, _err = run("verify", "--municipality", "082015", "--allow-unsigned")
    assert "OK 082015" in out and "UNSIGNED" in out


def test_an_unknown_municipality_is_an_error(municipalities):
    _out, _err, error = run_failing("verify", "--municipality", "999999")
    assert "Unknown municipality 999999" in str(error)


def test_check_shows_each_signing_certificate(signatures_configured, municipalities):
    out, err = run("check")
    assert "OK 082015: signs as" in out and "CN=青葉市長" in out
    assert "OK 082023: signs as" in out
    assert err == ""  # the demo PKI writes its keys 0600 in a 0700 directory


def test_key_files_readable_by_others_are_warned_about(signatures_file, org_root, municipalities):
    path = signatures_file("a", {"082015": {"keys": [("sign", org_key(org_root, name="青葉市"), [])], "anchors": []}})
    [key_file] = path.parent.glob("*.p12")
    key_file.chmod(0o644)
    path.parent.chmod(0o755)
    _out, err = run("check", "--municipality", "082015")
    assert f"WARNING 082015: {key_file.name} is readable by group or others (mode 0644; use 0600)" in err
    assert "WARNING directory . holding keys is open to group or others (mode 0755; use 0700)" in err
    _out, err = run("verify", "--municipality", "082015")
    assert "readable by group or others" in err


def test_verify_in_worker_processes_finds_the_same(stamped, inkan_case, shimin, now):
    step_approve(staff=shimin["approver"], case=inkan_case, step_id="kessai", now=now)
    Approval.objects.for_municipality(inkan_case.municipality).filter(pk=stamped[0].pk).update(comment="改ざん")
    out, _err, _error = run_failing("verify", "--municipality", "082015", "--jobs", "2")
    assert "FAIL 082015: 3 checked, 2 valid, 1 invalid" in out
