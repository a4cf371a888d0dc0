"""The conform report as JSON (the contract of docs/conform.md) and as text for people."""

from __future__ import annotations

import json
from typing import Any

from archctl.conform.outcome import INCOMPLETE, MISSING, UNEXPECTED, UNKNOWN
from archctl.conform.run import CaseDeviation, ConformResult
from archctl.source import Span

Locate = dict[str, Span]


def to_json(result: ConformResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": 1,
        "spec": result.spec,
        "cases": result.cases,
        "fitting": result.fitting,
        "fitness": round(result.fitness, 6),
        "deviations": [_deviation_json(d, result.aligned) for d in result.deviations],
    }
    if result.problems:
        out["problems"] = [p.to_json() for p in result.problems]
    return out


def render_json(result: ConformResult) -> str:
    return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


def _deviation_json(item: CaseDeviation, aligned: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "case": item.case,
        "kind": item.deviation.kind,
        "index": item.deviation.index,
        "line": item.line,
        "activity": item.activity,
        "expected": list(item.deviation.expected),
    }
    alignment = item.alignment
    out["cost"] = alignment.cost if alignment is not None else None
    out["moves"] = [list(move) for move in alignment.moves] if alignment is not None else None
    return out


def describe(item: CaseDeviation) -> str:
    """One sentence: what the case did and what the spec allowed there instead."""
    expected = ", ".join(item.deviation.expected) or "nothing (the run had ended)"
    kind = item.deviation.kind
    if kind == UNKNOWN:
        return f"'{item.activity}' is not an activity of the spec; expected one of: {expected}"
    if kind == MISSING:
        return (
            f"'{item.activity}' came before an activity it needs was recorded "
            f"(a step is missing); expected one of: {expected}"
        )
    if kind == UNEXPECTED:
        return f"'{item.activity}' is not possible here; expected one of: {expected}"
    assert kind == INCOMPLETE
    return f"the case stops before the spec can end; expected one of: {expected}"


def summary_line(result: ConformResult) -> str:
    share = 100.0 * result.fitting / result.cases if result.cases else 100.0
    what = "token-based replay fitness" if result.kind == "workflow" else "fitting share"
    line = (
        f"{result.spec}: {result.cases} case(s), {result.fitting} fitting ({share:.1f}%), "
        f"{what} {result.fitness:.4f}"
    )
    if result.problems:
        line += f"; {len(result.problems)} unreadable record(s)"
    return line
