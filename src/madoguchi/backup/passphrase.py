"""Where the archive's passphrase comes from: a file or the environment, never the command line.

A command-line argument is visible to every account on the server (``ps``, /proc) and ends
up in shell histories; a file readable only by the operator, or an environment variable
from a secret store (systemd ``LoadCredential=``, a vault agent), is not.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

ENVIRONMENT_VARIABLE = "MADOGUCHI_BACKUP_PASSPHRASE"


class PassphraseMissing(Exception):
    pass


def passphrase_read(file: str | None) -> tuple[bytes, list[str]]:
    """Return the passphrase (from ``file``, else the environment) and warnings about its file."""
    warnings: list[str] = []
    if file:
        path = Path(file)
        try:
            data = path.read_bytes().strip()
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError as exc:
            raise PassphraseMissing(f"cannot read the passphrase file {file}: {exc.strerror}") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            warnings.append(f"the passphrase file {file} is readable by group or others (mode {mode:04o}; use 0600)")
    elif os.environ.get(ENVIRONMENT_VARIABLE):
        data = os.environ[ENVIRONMENT_VARIABLE].encode()
    else:
        raise PassphraseMissing(
            f"give the archive's passphrase with --passphrase-file FILE or the environment variable "
            f"{ENVIRONMENT_VARIABLE} (never on the command line)"
        )
    if not data:
        raise PassphraseMissing("the passphrase is empty")
    return data, warnings
