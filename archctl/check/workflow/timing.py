"""Worst and best time of one task, exactly as spec-format.md 1.1 defines them for `sla`.

Worst case of one attempt: the task's ``deadline``, or else the maximum of its ``duration``
(fixed or uniform; other distributions have no maximum); a subprocess task's attempt is its
process's own worst case or its deadline, whichever is smaller. Between attempts the task
waits ``backoff * multiplier^(n-1)``, capped by ``max_backoff``. A task that cannot fail (no
failure rate, a duration that stays within the deadline) has exactly one attempt; one that
can fail may use every attempt before it succeeds or gives up. The best case is one attempt
at the minimal duration (a task that always fails: every attempt), with the same backoffs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archctl.check.workflow.graph import task_failure
from archctl.model.workflow import Node

#: a subprocess's (worst, best) case in ms, None when it has no bound
ProcessTime = Callable[[str], tuple[float, float] | None]


@dataclass(frozen=True)
class TaskTime:
    """Milliseconds from the token's arrival to the task's outcome, per outcome kind."""

    ok: float  # succeeds (worst: after every allowed failed attempt)
    failed: float  # gives up after the last attempt
    attempts: int  # attempts in the worst case
    note: str  # how the worst case comes about, for the slowest-run trace


def attempt_bounds(node: Node, process_time: ProcessTime) -> tuple[float | None, float]:
    """(worst, best) of one attempt; worst None when nothing bounds it."""
    best = 0.0
    worst: float | None = None
    duration = node.duration
    if duration is not None:
        if duration.kind == "fixed":
            worst = best = duration.value
        elif duration.kind == "uniform":
            worst, best = duration.high, duration.low
    if node.task == "subprocess" and node.process is not None:
        inner = process_time(node.process)
        worst = None if inner is None else inner[0]
        best = 0.0 if inner is None else inner[1]
        if node.deadline_ms is not None:
            worst = node.deadline_ms if worst is None else min(worst, node.deadline_ms)
            best = min(best, node.deadline_ms)
        return worst, best
    if node.deadline_ms is not None:
        worst = node.deadline_ms
        best = min(best, node.deadline_ms)
    return worst, best


def backoffs(node: Node, failed_attempts: int) -> float:
    retry = node.retry
    if retry is None:
        return 0.0
    return sum(retry.delay_after(n) for n in range(1, failed_attempts + 1))


def task_times(node: Node, process_time: ProcessTime) -> tuple[TaskTime, TaskTime] | None:
    """(worst, best) per outcome, or None when the task has no time bound (WF113)."""
    worst, best = attempt_bounds(node, process_time)
    if worst is None:
        return None
    can_fail, always = task_failure(node)
    attempts = node.retry.max_attempts if node.retry is not None else 1
    worst_tries = attempts if can_fail else 1
    gave_up = attempts * worst + backoffs(node, attempts - 1)
    slow = worst_tries * worst + backoffs(node, worst_tries - 1)
    timed_out = node.deadline_ms is not None and worst == node.deadline_ms
    how = "timed out at its deadline" if timed_out else "took its longest duration"
    note = f"{worst_tries} attempt(s) that each {how}"
    if worst_tries > 1:
        note += f", with {_ms(backoffs(node, worst_tries - 1))} of backoff"
    worst_case = TaskTime(slow, gave_up, worst_tries, note)
    first = attempts if always else 1
    best_case = TaskTime(
        first * best + backoffs(node, first - 1),
        attempts * best + backoffs(node, attempts - 1),
        first,
        "",
    )
    return worst_case, best_case


def _ms(value: float) -> str:
    return f"{int(value)} ms" if float(value).is_integer() else f"{value} ms"


def seconds(value: float) -> str:
    """``3.8 s``, ``250 ms``: how the proved bound and WF112 messages show a duration."""
    if value < 1000:
        return _ms(value)
    text = f"{value / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{text} s"
