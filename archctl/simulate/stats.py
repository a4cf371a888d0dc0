"""Summaries of many instances: outcomes, latency percentiles, per-node figures.

Results are gathered per fixed-size chunk of instances and merged in chunk order, so the
summary (floating-point sums included) is the same whatever the number of workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archctl.simulate.counters import NodeCounters
from archctl.simulate.records import CUT, FAILED, OUTCOME_LABEL, STUCK
from archctl.simulate.workflow import END, TASK, Program

#: Outcome keys for instances that did not end at an end node. Node ids cannot contain
#: parentheses, so these never clash with an end node (order-workflow has one named `failed`).
SPECIAL = OUTCOME_LABEL


def outcome_label(program: Program, outcome: int) -> str:
    return program.ids[outcome] if outcome >= 0 else SPECIAL[outcome]


@dataclass
class Totals:
    """What a run of instances produced; ``latencies`` in instance order (finished ones)."""

    outcomes: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    counters: dict[str, NodeCounters] = field(default_factory=dict)
    instances: int = 0

    def merge(self, other: Totals) -> None:
        """Add a later chunk's results (call in chunk order)."""
        self.instances += other.instances
        for outcome, count in other.outcomes.items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + count
        self.latencies.extend(other.latencies)
        for name, theirs in other.counters.items():
            mine = self.counters.get(name)
            if mine is None:
                self.counters[name] = NodeCounters(
                    list(theirs.visits), [list(t) for t in theirs.tries], list(theirs.busy)
                )
                continue
            for i in range(len(mine.visits)):
                mine.visits[i] += theirs.visits[i]
                mine.busy[i] += theirs.busy[i]
                for k in range(3):
                    mine.tries[i][k] += theirs.tries[i][k]


def percentile(ordered: Any, p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (no interpolation: a real sample)."""
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return float(ordered[rank - 1])


def _ms(value: float) -> float:
    return round(value, 3)


def latency(latencies: list[float]) -> dict[str, float | None]:
    if not latencies:
        return {"mean": None, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = np.sort(np.array(latencies, dtype=np.float64))  # millions: not list.sort
    return {
        "mean": _ms(math.fsum(latencies) / len(latencies)),
        "p50": _ms(percentile(ordered, 50)),
        "p95": _ms(percentile(ordered, 95)),
        "p99": _ms(percentile(ordered, 99)),
        "max": _ms(float(ordered[-1])),
    }


def _programs(root: Program) -> list[Program]:
    out: list[Program] = []
    stack = [root]
    while stack:
        current = stack.pop(0)
        if all(current.name != seen.name for seen in out):
            out.append(current)
            stack.extend(current.children())
    return out


def node_rows(root: Program, totals: Totals) -> dict[str, dict[str, Any]]:
    """Per node, in declaration order; nodes of subprocesses as `workflow/node`."""
    rows: dict[str, dict[str, Any]] = {}
    for program in _programs(root):
        counters = totals.counters.get(program.name)
        if counters is None:
            continue
        prefix = "" if program is root else program.name + "/"
        for i, node_id in enumerate(program.ids):
            row: dict[str, Any] = {"visits": counters.visits[i]}
            if program.kinds[i] == TASK:
                attempts, failures, timeouts = counters.tries[i]
                row.update(
                    attempts=attempts,
                    failures=failures,
                    timeouts=timeouts,
                    time_ms=_ms(counters.busy[i]),
                )
            rows[prefix + node_id] = row
    return rows


def summary(
    root: Program,
    totals: Totals,
    seed: int,
    until: float,
    max_steps: int,
    sla_ms: int | None = None,
) -> dict[str, Any]:
    """The JSON summary of issue 7: spec, instances, seed, outcomes, latency_ms, nodes.

    With the workflow's ``sla``: how many instances finished later than it (``sla``).
    """
    outcomes: dict[str, int] = {}
    for i, kind in enumerate(root.kinds):
        if kind == END:
            outcomes[root.ids[i]] = totals.outcomes.get(i, 0)
    outcomes = dict(sorted(outcomes.items()))
    for code in (FAILED, STUCK, CUT):
        if totals.outcomes.get(code):
            outcomes[SPECIAL[code]] = totals.outcomes[code]
    out: dict[str, Any] = {
        "spec": root.name,
        "instances": totals.instances,
        "seed": seed,
        "outcomes": outcomes,
        "latency_ms": latency(totals.latencies),
        "nodes": node_rows(root, totals),
    }
    if sla_ms is not None:
        out["sla"] = sla_line(totals, sla_ms)
    if totals.outcomes.get(CUT):
        out["cut"] = {
            "instances": totals.outcomes[CUT],
            "until_ms": None if math.isinf(until) else until,
            "max_steps": max_steps,
        }
    return out


def sla_line(totals: Totals, sla_ms: int) -> dict[str, Any]:
    """Instances whose latency exceeds the SLA, and their share of all instances.

    Instances cut off by --until/--max-steps have no latency and are not counted as over:
    the line says how many were cut, so a reader can tell.
    """
    over = int(np.count_nonzero(np.array(totals.latencies, dtype=np.float64) > sla_ms))
    share = over / totals.instances if totals.instances else 0.0
    return {"sla_ms": sla_ms, "over": over, "share": share}
