"""Supply chain: every third-party import is a declared, exactly pinned dependency, and the lock files agree."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest
from tests.deploy.tools import REPO_DIR

SOURCE_DIR = REPO_DIR / "src" / "madoguchi"
PYPROJECT = tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))
LOCK_LINE_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    result = {}
    for requirement in requirements:
        match = PIN_RE.match(requirement.strip())
        assert match, f"{requirement!r} is not pinned exactly (name==version)"
        result[normalise(match.group(1))] = match.group(3)
    return result


def top_level_imports() -> dict[str, str]:
    """Top-level module name -> the first source file that imports it (absolute imports only)."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(REPO_DIR)))
    return found


def test_every_third_party_import_is_a_declared_dependency():
    declared = set(pins(PYPROJECT["project"]["dependencies"]))
    distributions = packages_distributions()
    undeclared = []
    for module, where in sorted(top_level_imports().items()):
        if module in sys.stdlib_module_names or module in {"madoguchi", "__future__"}:
            continue
        providers = {normalise(d) for d in distributions.get(module, [])}
        if not providers & declared:
            undeclared.append(f"{module} (imported in {where}; installed from {sorted(providers) or 'nothing'})")
    assert undeclared == [], "add these to [project] dependencies in pyproject.toml: " + ", ".join(undeclared)


def test_every_dependency_is_pinned_exactly():
    pins(PYPROJECT["project"]["dependencies"])
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        pins(extra)


@pytest.mark.parametrize(("lock", "extras"), [("lock.txt", []), ("dev-lock.txt", ["dev"])])
def test_the_lock_file_pins_what_pyproject_pins_with_hashes(lock, extras):
    text = (REPO_DIR / "requirements" / lock).read_text(encoding="utf-8")
    locked = {normalise(name): version for name, version in LOCK_LINE_RE.findall(text)}
    wanted = pins(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        wanted.update(pins(PYPROJECT["project"]["optional-dependencies"][extra]))

    stale = {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version}
    assert stale == {}, f"requirements/{lock} is stale (pyproject, lock): {stale}; run `make lock`"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    unhashed = [entry.split()[0] for entry in entries if "==" in entry and "--hash=sha256:" not in entry]
    assert unhashed == []


def test_the_production_lock_holds_no_development_tool():
    text = (REPO_DIR / "requirements" / "lock.txt").read_text(encoding="utf-8")
    locked = {normalise(name) for name, _ in LOCK_LINE_RE.findall(text)}
    assert locked.isdisjoint({"pytest", "ruff", "playwright", "supervisor", "uv"})
