"""A real full disk for the storage tests: a tiny tmpfs mounted as MEDIA_ROOT.

Mounting needs root (CAP_SYS_ADMIN), as the test machines and CI run. Without it the tests
that need a full disk are skipped with the reason, except in CI (``CI=true``), where a
missing mechanism fails instead of passing silently.
"""

from __future__ import annotations

import errno
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.signatures.conftest import document_pki, documents_configured  # noqa: F401 (fixtures)

DISK_SIZE = "1m"
FILLER = "filler"


@dataclass
class SmallDisk:
    root: Path

    def fill(self) -> None:
        """Write a filler file until the file system refuses another byte (ENOSPC)."""
        block = b"\0" * 65536
        with open(self.root / FILLER, "ab", buffering=0) as handle:
            while True:
                try:
                    handle.write(block)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
        for size in (4096, 1):
            try:
                with open(self.root / FILLER, "ab", buffering=0) as handle:
                    handle.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        assert os.statvfs(self.root).f_bavail == 0

    def free(self) -> None:
        (self.root / FILLER).unlink()

    def files(self) -> list[str]:
        """Every regular file on the disk but the filler, as paths relative to its root."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file() and p.name != FILLER)


def _refuse(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"a full disk cannot be made here: {reason}")
    pytest.skip(f"a full disk cannot be made here: {reason}")


@pytest.fixture
def small_disk(tmp_path, settings):
    """MEDIA_ROOT on a real 1 MiB tmpfs; ``fill()`` it, ``free()`` it."""
    root = tmp_path / "small-disk"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        _refuse(f"mount -t tmpfs failed ({mounted.stderr.strip() or mounted.returncode}); run as root")
    settings.MEDIA_ROOT = root
    try:
        yield SmallDisk(root)
    finally:
        subprocess.run(["umount", "--lazy", str(root)], check=True)
