"""Fixtures of the backup tests: an instance with real data, and the command line in a subprocess.

The data is made through the services (submissions with attachments in both demo cities, and
one application approved along its route, so organisational signatures and a signed PDF
exist). Backups of SQLite run the online backup API on the test database, which must not
be inside a transaction, and ``pg_dump`` sees only committed rows: the tests that back up
are transactional. Restores run ``madoguchi restore`` in a subprocess with production
settings pointing at a fresh, empty target, as an operator would.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from tests.backoffice.casework import complete_route, pay_fee, staff, submit_inkan, submit_jido_teate, submit_sodai_gomi
from tests.samples import png_bytes
from tests.storage.test_s3 import bucket, s3_environ, s3_server  # noqa: F401 (fixtures: a real S3 API server)

from madoguchi.cases import workflow
from madoguchi.signatures.models import IssuedDocument

CHECKS = {
    "archive",
    "files",
    "counts",
    "audit chains",
    "organisational signatures",
    "stored files",
}
# Restores into an SQLite file take an SQLite backup: they run in the (default) SQLite run.
sqlite_only = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="restores an SQLite backup"
)
PASSPHRASE = "drill passphrase: 7f3a-c1d9-88b2-40e6"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def passphrase_file(tmp_path) -> Path:
    path = tmp_path / "backup.pass"
    path.write_text(PASSPHRASE + "\n")
    path.chmod(0o600)
    return path


@dataclass
class Instance:
    cases: list
    decided: object
    documents: list


@pytest.fixture
def instance(aoba, minatogawa, version_of, now, signatures_configured) -> Instance:
    """Two cities' applications with attachments, and one approved with its signed notice."""
    jido = submit_jido_teate(aoba, version_of, now=now)
    gomi = submit_sodai_gomi(minatogawa, version_of, now=now, photo=png_bytes(4, 4))
    decided = workflow.case_start_review(
        staff=staff("aoba-clerk"), case=pay_fee(submit_inkan(aoba, version_of, now=now), now=now), now=now
    )
    complete_route(decided, now=now)
    decided = workflow.case_decide(staff=staff("aoba-approver"), case=decided, approve=True, now=now)
    documents = list(IssuedDocument.objects.for_municipality(aoba).filter(case=decided))
    assert len(documents) == 1  # issued after the decision committed
    return Instance([jido, gomi, decided], decided, documents)


def backup(output: Path, passphrase_file: Path, *args: str) -> str:
    out = StringIO()
    call_command("backup", "--output", str(output), "--passphrase-file", str(passphrase_file), *args, stdout=out)
    return out.getvalue()


@dataclass(frozen=True)
class Target:
    """An empty instance to restore into: its database URL and where its files go."""

    directory: Path
    database_url: str
    extra: dict = field(default_factory=dict)  # more environment, e.g. an S3 bucket as its storage

    @property
    def media(self) -> Path:
        return self.directory / "media"

    @property
    def signatures_file(self) -> Path:
        return self.directory / "keys" / "signatures.yaml"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MADOGUCHI_", "DATABASE_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="madoguchi.conf.settings.production",
            MADOGUCHI_SECRET_KEY="restore-drill-secret-key",
            MADOGUCHI_BASE_DIR=str(ROOT),
            MADOGUCHI_VAR_DIR=str(self.directory / "var"),
            DATABASE_URL=self.database_url,
            MADOGUCHI_MEDIA_ROOT=str(self.media),
            MADOGUCHI_SIGNATURES_FILE=str(self.signatures_file),
        )
        env.update(self.extra)
        return env

    def restore(self, archive: Path, *args: str, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess:
        env = self.environment()
        env["MADOGUCHI_BACKUP_PASSPHRASE"] = passphrase
        return subprocess.run(
            [sys.executable, "-m", "madoguchi", "restore", "--input", str(archive),
             "--work-dir", str(self.directory), *args],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def holds_nothing(self) -> bool:
        """No media and no signature files (the database is the caller's to check)."""
        media = list(self.media.rglob("*")) if self.media.exists() else []
        staged = [p for p in self.directory.glob("madoguchi-restore-*")]
        return not media and not self.signatures_file.parent.exists() and not staged


@pytest.fixture
def sqlite_target(tmp_path) -> Target:
    directory = tmp_path / "restored"
    directory.mkdir()
    return Target(directory, f"sqlite:///{directory / 'madoguchi.sqlite3'}")


def summary(stdout: str) -> dict[str, str]:
    """The restore's table as {check: result} (columns: 26 characters of name, then the result)."""
    rows = {}
    for line in stdout.splitlines():
        name, result = line[:26].strip(), line[27:33].strip()
        if name and result in ("OK", "FAIL"):
            rows[name] = result
    return rows


def digests(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def flip_byte(archive: Path, *, from_end: int) -> Path:
    """A copy of ``archive`` with one bit changed ``from_end`` bytes before its end."""
    data = bytearray(archive.read_bytes())
    data[len(data) - from_end] ^= 0x01
    changed = archive.with_name(f"tampered-{archive.name}")
    changed.write_bytes(data)
    return changed
