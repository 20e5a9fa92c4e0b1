"""The suite's table: one row per figure, what it must be, and whether it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    section: str
    figure: str
    value: str
    must: str = ""  # "" for a figure that is reported, not judged
    ok: bool = True

    @classmethod
    def zero(cls, section: str, figure: str, count: int) -> Row:
        return cls(section, figure, str(count), "0", count == 0)

    @classmethod
    def passes(cls, section: str, figure: str, passed: bool, detail: str = "") -> Row:
        value = ("pass" if passed else "FAIL") + (f" ({detail})" if detail else "")
        return cls(section, figure, value, "pass", passed)


def render_table(rows: list[Row]) -> str:
    """A Markdown table (readable on a terminal, pasted as is into docs/operations/reliability.md)."""
    lines = ["| section | figure | value | must be | |", "|---|---|---|---|---|"]
    for row in rows:
        mark = "" if not row.must else ("ok" if row.ok else "**FAIL**")
        lines.append(f"| {row.section} | {row.figure} | {row.value} | {row.must} | {mark} |")
    return "\n".join(lines)
