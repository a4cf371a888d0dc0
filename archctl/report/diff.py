"""Rendering of ``archctl diff``: the regions of requests whose decision changed.

The report layer may not import the checkers, so the diff result is described here by the
shape it must have (Protocols); ``check.po_diff.DiffOutcome`` has exactly that shape.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from archctl.evidence import JSONValue, Witness
from archctl.report.text import evidence_lines
from archctl.source import Span

CHANGES = ("newly allowed", "newly denied", "newly undecided")


class SideLike(Protocol):
    @property
    def decision(self) -> str: ...
    @property
    def rule(self) -> str | None: ...
    @property
    def span(self) -> Span | None: ...


class RegionLike(Protocol):
    @property
    def change(self) -> str: ...
    @property
    def witness(self) -> Witness: ...
    @property
    def old(self) -> SideLike: ...
    @property
    def new(self) -> SideLike: ...


class DiffLike(Protocol):
    old_file: str
    new_file: str
    old_policy: str | None
    new_policy: str | None
    inconclusive: list[str]
    truncated: list[str]

    @property
    def regions(self) -> Sequence[RegionLike]: ...
    @property
    def equivalent(self) -> bool: ...


def _who(side: SideLike) -> str:
    if side.rule is None:
        return f"{side.decision} by the default"
    where = f" ({side.span.file}:{side.span.line})" if side.span is not None else ""
    return f"{side.decision} by rule '{side.rule}'{where}"


def render_diff_text(diff: DiffLike) -> str:
    """Plain text, one block per region, witness as an aligned table."""
    lines = [
        f"policy '{diff.old_policy}' ({diff.old_file}) -> '{diff.new_policy}' ({diff.new_file})"
    ]
    if diff.equivalent:
        lines.append("equivalent: every request gets the same decision")
        return "\n".join(lines) + "\n"
    for change in CHANGES:
        regions = [r for r in diff.regions if r.change == change]
        if not regions:
            continue
        more = " (more exist)" if change in diff.truncated else ""
        lines.append("")
        lines.append(f"{change}: {len(regions)} region(s){more}")
        for number, region in enumerate(regions, 1):
            lines.append(f"  {number}. {region.old.decision} -> {region.new.decision}")
            lines.append(f"     old: {_who(region.old)}")
            lines.append(f"     new: {_who(region.new)}")
            lines.extend(f"     {line}" for line in evidence_lines(region.witness))
    for change in diff.inconclusive:
        lines.append("")
        lines.append(f"inconclusive: the solver gave up on '{change}' (raise --timeout)")
    counts = ", ".join(f"{sum(1 for r in diff.regions if r.change == c)} {c}" for c in CHANGES)
    lines.append("")
    lines.append(f"changed: {counts} region(s)")
    return "\n".join(lines) + "\n"


def _side_json(side: SideLike) -> dict[str, JSONValue]:
    return {
        "decision": side.decision,
        "rule": side.rule,
        "file": side.span.file if side.span else None,
        "line": side.span.line if side.span else None,
    }


def render_diff_json(diff: DiffLike) -> str:
    document: dict[str, JSONValue] = {
        "version": 1,
        "old": {"file": diff.old_file, "policy": diff.old_policy},
        "new": {"file": diff.new_file, "policy": diff.new_policy},
        "equivalent": diff.equivalent,
        "inconclusive": list(diff.inconclusive),
        "truncated": list(diff.truncated),
        "changes": [
            {
                "change": region.change,
                "old": _side_json(region.old),
                "new": _side_json(region.new),
                "evidence": region.witness.to_json(),
            }
            for region in diff.regions
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
