"""Dependencies between Madoguchi's apps point one way (ARCHITECTURE.md, "Domain events").

Every import in ``src/madoguchi`` — at module level, inside functions, and under
``TYPE_CHECKING`` — is an arrow from one app to another. Doors (portal, backoffice, api,
platform_admin) may import domains; domains may import the ground (core, jp, tenants, …); no
domain imports a door; and no two apps import each other, directly or round a longer loop. A domain that needs another to react publishes an event instead
(``cases.events``, ``approvals.events``).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "madoguchi"
# The admin (platform_admin) is a door too: the operator's, signed in through the back office's sign-in.
DOORS = frozenset({"portal", "backoffice", "api", "platform_admin"})
COMPOSITION_ROOT = frozenset({"conf"})
# The ground floor: apps every other app may stand on, which import nothing above themselves.
GROUND = {
    "core": frozenset(),
    "jp": frozenset({"core"}),
    "tenants": frozenset({"core", "jp"}),
}


def _apps() -> list[str]:
    return sorted(p.name for p in SOURCE.iterdir() if (p / "__init__.py").exists())


def _imported_modules(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names if node.module == "madoguchi")
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def import_graph() -> dict[str, dict[str, set[str]]]:
    """Return ``{app: {imported app: {file, …}}}`` for every import between two apps."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE)
        if len(relative.parts) < 2 or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            parts = module.split(".")
            if parts[0] == "madoguchi" and len(parts) > 1 and parts[1] != app and (SOURCE / parts[1]).is_dir():
                graph[app][parts[1]].add(str(relative))
    return graph


def _cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for target in graph.get(app, {}):
            if target not in index:
                visit(target)
                low[app] = min(low[app], low[target])
            elif target in on_stack:
                low[app] = min(low[app], index[target])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for app in list(graph):
        if app not in index:
            visit(app)
    return groups


def _describe(graph, group: list[str]) -> str:
    arrows = [
        f"{a} -> {b} ({', '.join(sorted(graph[a][b])[:3])})" for a in group for b in group if b in graph.get(a, {})
    ]
    return "; ".join(arrows)


def test_no_two_apps_import_each_other_directly_or_round_a_loop():
    graph = import_graph()
    cycles = _cycles(graph)
    assert cycles == [], "\n".join(_describe(graph, group) for group in cycles)


def test_no_domain_imports_a_door():
    graph = import_graph()
    into_doors = [
        f"{app} -> {door} ({', '.join(sorted(files))})"
        for app, targets in graph.items()
        if app not in DOORS | COMPOSITION_ROOT
        for door, files in targets.items()
        if door in DOORS
    ]
    assert into_doors == []


@pytest.mark.parametrize("app", sorted(GROUND))
def test_the_ground_floor_imports_nothing_above_itself(app):
    above = {target: files for target, files in import_graph().get(app, {}).items() if target not in GROUND[app]}
    assert above == {}


def test_the_walk_sees_every_app_and_finds_known_arrows():
    """The walk is alive: it finds the apps and arrows that must exist (doors use domains)."""
    graph = import_graph()
    assert {"cases", "approvals", "signatures", "portal", "api"} <= set(_apps())
    assert "cases" in graph["api"] and "cases" in graph["approvals"] and "cases" in graph["signatures"]
    assert "approvals" not in graph["cases"]  # approvals reacts to cases, never the reverse


def test_a_loop_is_found(monkeypatch):
    graph = {"a": {"b": {"a/x.py"}}, "b": {"c": {"b/y.py"}}, "c": {"a": {"c/z.py"}}, "d": {"a": {"d/w.py"}}}
    assert _cycles(graph) == [["a", "b", "c"]]
