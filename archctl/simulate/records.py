"""What the scalar engine records of a run: the outcome codes and the records that are not
made inline in its event loop (an instant task, a subprocess's events, the finish).

Records are tuples (``gateways.Record``) turned into the timeline, ``--trace-out`` and
``--events-out`` by ``live.py``, ``events.py`` and ``eventlog.py``.
"""

from __future__ import annotations

from heapq import heappush
from typing import Any

from archctl.simulate.gateways import LOG, Entry, Record, alive
from archctl.simulate.workflow import Program

FAILED, STUCK, CUT = -1, -2, -3
#: Outcome names of instances that did not end at an end node (node ids have no parentheses).
OUTCOME_LABEL = {FAILED: "(failed)", STUCK: "(stuck)", CUT: "(cut)"}


def record_instant(
    records: list[Record],
    now: float,
    node_id: str,
    assignments: tuple[Any, ...],
    env: dict[str, Any],
    heap: list[Entry],
    held: dict[int, int],
) -> None:
    """The attempt and completion records of a task that takes no time."""
    tokens = alive(heap, held) + 1
    records.append((now, "attempt", node_id, 1, "ok", 0.0, tokens))
    changes = {a[0]: env[a[0]] for a in assignments}
    records.append((now, "complete", node_id, 0, "ok", changes, tokens))


def queue_child_records(
    heap: list[Entry], seq: int, node: int, task_id: str, inner: list[Record]
) -> int:
    """Queue a subprocess's records as LOG entries under ``task/node`` ids; the next seq."""
    for at, event, child_node, attempt, outcome, data, _tokens in inner:
        heappush(
            heap, (at, seq, node, (event, f"{task_id}/{child_node}", attempt, outcome, data), LOG)
        )
        seq += 1
    return seq


def finish(
    program: Program,
    outcome: int,
    now: float,
    records: list[Record] | None,
    heap: list[Entry],
    held: dict[int, int],
    where: str | None = None,
) -> tuple[int, float]:
    if records is not None:
        if outcome >= 0:
            label, data = program.ids[outcome], None
        else:
            label = OUTCOME_LABEL[outcome]
            waiting = sorted(program.ids[node] for node, count in held.items() if count > 0)
            data = sorted({*waiting, where}) if where is not None else waiting
        records.append((now, "finish", program.name, 0, label, data, alive(heap, held)))
    return outcome, now
