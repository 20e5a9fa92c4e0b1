from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from madoguchi.cases.drafts import drafts_purge


def test_old_draft_files_are_purged_and_recent_ones_kept(settings):
    default_storage.save("drafts/tok1/aaa", ContentFile(b"old"))
    default_storage.save("drafts/tok2/bbb", ContentFile(b"new"))
    later = timezone.now() + timedelta(hours=80)
    assert drafts_purge(older_than=timedelta(hours=72), now=later) == 2
    assert not default_storage.exists("drafts/tok1/aaa")


def test_recent_draft_files_are_kept():
    default_storage.save("drafts/tok3/ccc", ContentFile(b"new"))
    assert drafts_purge(older_than=timedelta(hours=72)) == 0
    assert default_storage.exists("drafts/tok3/ccc")


def test_purge_without_drafts_does_nothing(capsys):
    call_command("drafts", "purge")
    assert "deleted 0" in capsys.readouterr().out
