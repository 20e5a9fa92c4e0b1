"""The observability app is ground level: domains and doors use it, it imports none of them."""

import ast
from pathlib import Path

import madoguchi.observability

PACKAGE = Path(madoguchi.observability.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_observability_imports_no_other_madoguchi_app_but_the_core():
    offending = {
        f"{path.name}: {module}"
        for path in PACKAGE.rglob("*.py")
        for module in imported_modules(path)
        if module.startswith("madoguchi.") and not module.startswith(("madoguchi.observability", "madoguchi.core"))
    }
    assert offending == set()
