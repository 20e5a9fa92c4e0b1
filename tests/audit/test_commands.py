"""``madoguchi audit verify`` and ``madoguchi audit checkpoint``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from tests.audit import tamper

from madoguchi.audit.models import AuditCheckpoint


def audit(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_verify_reports_every_municipality_and_the_platform_ok_with_its_count_and_speed(chain):
    lines = audit("verify").splitlines()
    assert lines[0].startswith("OK 082015 4 entries (") and lines[0].endswith(" entries/s)")
    assert lines[1].startswith("OK 082023 0 entries (")
    assert lines[2].startswith("OK platform 0 entries (")
    assert lines[3].startswith("verified 4 entries in ")


def test_verify_names_the_first_bad_entry_and_fails(chain):
    tamper.edit(chain, 3, actor="someone else")
    out = StringIO()
    with pytest.raises(CommandError, match=r"audit chain broken: 082015$"):
        call_command("audit", "verify", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "FAIL 082015 #3: content does not match its hash (edited, or moved to another sequence)"
    assert lines[1].startswith("OK 082023 0 entries")


def test_verify_fails_with_exit_status_1(chain):
    tamper.delete(chain, 2)
    with pytest.raises(CommandError) as failure:  # the command line turns it into sys.exit(returncode)
        audit("verify", "--municipality", "082015")
    assert failure.value.returncode == 1


def test_verify_checks_only_the_given_municipality(chain, minatogawa):
    tamper.edit(chain, 3, actor="someone else")
    assert audit("verify", "--municipality", "082023").startswith("OK 082023 0 entries")


def test_verify_refuses_an_unknown_municipality(municipalities):
    with pytest.raises(CommandError, match="Unknown municipality 999999"):
        audit("verify", "--municipality", "999999")


def test_checkpoint_records_and_prints_each_head(chain):
    out = audit("checkpoint").splitlines()
    last = tamper.entries(chain)[-1]
    assert out[0].startswith(f"082015 checkpoint #4 {last.hash} ")
    assert out[1].startswith("082023 checkpoint #0 " + "0" * 64)
    assert out[2].startswith("platform checkpoint #0 " + "0" * 64)
    assert AuditCheckpoint.objects.for_municipality(chain).get().sequence == 4


def test_checkpoint_for_one_municipality(chain, minatogawa):
    audit("checkpoint", "--municipality", "082015")
    assert AuditCheckpoint.objects.for_municipality(chain).count() == 1
    assert AuditCheckpoint.objects.for_municipality(minatogawa).count() == 0
