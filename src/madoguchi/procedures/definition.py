"""Procedure definitions: load a YAML file, check it, and refuse it precisely.

A definition is refused with the file, the line and the reason, because the people who
edit ``catalog/*.yaml`` are municipal DX staff, not programmers: "line 42: 'max' must be
an integer" is something they can fix, a stack trace is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from madoguchi.core.registry import Registry

SCHEMA_PATH = Path(__file__).parent / "schemas" / "procedure.schema.json"
CONDITION_SOURCE_TYPES = {"choice", "multichoice", "consent"}
_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class DefinitionError(Exception):
    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


class DefinitionProblem(Exception):
    """Raised by a registered definition check: ``reason`` at ``path`` (keys into the YAML)."""

    def __init__(self, reason: str, *, path: list | None = None):
        super().__init__(reason)
        self.reason, self.path = reason, path or []


# Checks other apps own, run after the procedure's own: each takes the definition and raises
# DefinitionProblem. Apps register them in AppConfig.ready() (approvals checks the route).
definition_checks: Registry[Callable[[dict], None]] = Registry("procedures.definition_checks")


@cache
def definition_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(definition_schema())


def _line_of(node: yaml.Node | None, path: list) -> int | None:
    """Return the 1-based line of the YAML node at ``path`` (or its deepest existing parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def parse_definition(text: str, *, source: str = "<definition>") -> dict[str, Any]:
    """Return the definition in ``text`` (YAML) after full validation, or raise DefinitionError."""
    try:
        data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DefinitionError(source, line, f"not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise DefinitionError(source, 1, "the file must contain one mapping (a procedure)")

    def node() -> yaml.Node:
        # Composing keeps line numbers but is slow; only done to report an error.
        return yaml.compose(text, Loader=yaml.SafeLoader)

    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        path = list(error.absolute_path)
        location = "/".join(str(p) for p in path) or "(top level)"
        raise DefinitionError(source, _line_of(node(), path), f"{location}: {error.message}")
    _check_semantics(data, node, source)
    return data


def load_definition_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), None, f"cannot read: {exc}") from exc
    return parse_definition(text, source=path.name)


def _check_semantics(data: dict, node: Callable[[], yaml.Node], source: str) -> None:
    """Check what JSON Schema cannot: unique ids and conditions that refer backwards."""
    seen: dict[str, dict] = {}
    step_ids: set[str] = set()
    for s_index, step in enumerate(data["steps"]):
        if step["id"] in step_ids:
            raise DefinitionError(
                source, _line_of(node(), ["steps", s_index, "id"]), f"duplicate step id '{step['id']}'"
            )
        step_ids.add(step["id"])
        for f_index, field in enumerate(step["fields"]):
            path = ["steps", s_index, "fields", f_index]
            if field["id"] in seen:
                raise DefinitionError(source, _line_of(node(), [*path, "id"]), f"duplicate field id '{field['id']}'")
            condition = field.get("show_if")
            if condition:
                _check_condition(condition, seen, source, lambda path=path: _line_of(node(), [*path, "show_if"]))
            if "min" in field and "max" in field and field["min"] > field["max"]:
                raise DefinitionError(source, _line_of(node(), [*path, "min"]), "'min' is greater than 'max'")
            if field["type"] == "consent" and "consent_text" not in field:
                raise DefinitionError(source, _line_of(node(), path), "a consent field needs 'consent_text'")
            seen[field["id"]] = field
    for check in definition_checks:
        try:
            check(data)
        except DefinitionProblem as problem:
            raise DefinitionError(source, _line_of(node(), problem.path), problem.reason) from None


def _check_condition(condition: dict, seen: dict[str, dict], source: str, line: Callable[[], int | None]) -> None:
    target = seen.get(condition["field"])
    if target is None:
        raise DefinitionError(
            source, line(), f"show_if refers to '{condition['field']}', which is not an earlier field"
        )
    if target["type"] not in CONDITION_SOURCE_TYPES:
        raise DefinitionError(source, line(), "show_if may only depend on a choice, multichoice or consent field")
    expected = condition.get("in", [condition.get("equals")])
    if target["type"] == "consent":
        if expected != [True]:
            raise DefinitionError(source, line(), "a condition on a consent field must be 'equals: true'")
        return
    values = {c["value"] for c in target["choices"]}
    unknown = [v for v in expected if v not in values]
    if unknown:
        raise DefinitionError(source, line(), f"show_if value(s) {unknown} are not choices of '{target['id']}'")


def definition_hash(definition: dict) -> str:
    canonical = json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def iter_fields(definition: dict):
    """Yield ``(step, field)`` for every field in order."""
    for step in definition["steps"]:
        for field in step["fields"]:
            yield step, field


def translated(text: dict[str, str] | None, language: str | None) -> str:
    """Return ``text`` in ``language``, falling back to its base language, then Japanese."""
    if not text:
        return ""
    if language:
        if language in text:
            return text[language]
        base = language.split("-")[0]
        if base in text:
            return text[base]
    return text.get("ja", "")
