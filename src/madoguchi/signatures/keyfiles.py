"""File permissions of the organisation signing keys named in the signatures file.

A private key or its passphrase that another account on the server can read is as good as
published: the check warns about any key file or passphrase file readable by group or
others, and any directory holding one that is open to group or others
(docs/operations/signing-keys.md: files 0600, directories 0700, owned by the app user).
"""

from __future__ import annotations

import stat
from pathlib import Path

import yaml

from madoguchi.signatures.config import signatures_file

SECRET_KEYS = ("pkcs12", "passphrase_file", "key")


def _loose(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def key_file_warnings(path: Path | None = None) -> list[str]:
    """Return one warning per key file, passphrase file or directory others can reach."""
    path = path or signatures_file()
    if path is None or not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    base = path.parent
    warnings: list[str] = []
    directories: set[Path] = set()
    for code, entry in sorted((data.get("municipalities") or {}).items()):
        for key in ((entry or {}).get("organisation") or {}).get("keys", []):
            for name in SECRET_KEYS:
                if name not in key:
                    continue
                file = base / key[name]
                if not file.exists():
                    warnings.append(f"{code}: {key[name]} does not exist")
                    continue
                directories.add(file.parent)
                if _loose(file):
                    mode = stat.S_IMODE(file.stat().st_mode)
                    warnings.append(f"{code}: {key[name]} is readable by group or others (mode {mode:04o}; use 0600)")
    for directory in sorted(directories):
        if _loose(directory):
            mode = stat.S_IMODE(directory.stat().st_mode)
            shown = directory.relative_to(base) if directory.is_relative_to(base) else directory.name
            warnings.append(f"directory {shown} holding keys is open to group or others (mode {mode:04o}; use 0700)")
    return warnings
