"""Read the path ``--highlight`` draws from what other commands write.

Four shapes are accepted, so users can pass whatever they have at hand:

* a ``verify --format json`` report: the first finding of the drawn spec whose evidence is a
  trace or a cycle (report order, which is the canonical file/line order);
* one evidence object: ``{"kind": "trace", "steps": [...]}`` or ``{"kind": "cycle", ...}``,
  or one diagnostic object holding such an ``evidence``;
* a simulate step log (``--trace-out``) or activity log (``--events-out``, the format
  ``archctl conform`` reads): a JSON array of event objects, or JSON lines; events naming a
  ``node``, an ``activity`` or a ``state`` (or a ``to`` target) make the path. In a step log
  only the events where a token enters a node count (first attempt, route, join, end); in
  other logs, consecutive events on one node count once. Only the first ``instance`` (or
  ``case``) is drawn;
* an ``archctl conform --align`` report: the model side of the first aligned deviation.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from archctl.evidence import Cycle, Evidence, Trace, TraceStep


class HighlightError(ValueError):
    """The file is not a trace archctl can draw; the message says what was expected."""


EXPECTED = (
    "expected a `archctl verify --format json` report, an evidence object "
    '({"kind": "trace", "steps": [...]}) or a simulate event log (JSON array or JSON lines)'
)


#: evidence kinds that draw: a lasso is drawn as its prefix followed by one turn of its loop
KINDS = ("trace", "cycle", "lasso")


def parse_highlight(text: str, spec: str) -> Evidence:
    """The trace or cycle to draw on spec ``spec`` from the text of a JSON file."""
    data = _parse_json(text)
    if isinstance(data, list):
        return _from_events(data)
    if not isinstance(data, dict):
        raise HighlightError(EXPECTED)
    if isinstance(data.get("deviations"), list):
        return _from_conform(data["deviations"])
    if isinstance(data.get("diagnostics"), list):
        for item in data["diagnostics"]:
            if not isinstance(item, dict) or item.get("spec") not in (None, spec):
                continue
            evidence = item.get("evidence")
            if isinstance(evidence, dict) and evidence.get("kind") in KINDS:
                return _from_evidence(evidence)
        raise HighlightError(f"the report has no finding with a trace or cycle for spec '{spec}'")
    if isinstance(data.get("evidence"), dict):
        return _from_evidence(data["evidence"])
    if data.get("kind") in KINDS:
        return _from_evidence(data)
    return _from_events([data])


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as whole_error:
        events = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                if number == 1:
                    raise HighlightError(f"not JSON: {whole_error}; {EXPECTED}") from None
                raise HighlightError(f"line {number} is not JSON; {EXPECTED}") from None
        return events


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _tokens(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _from_evidence(evidence: dict[str, Any]) -> Evidence:
    if evidence.get("kind") == "cycle":
        path = evidence.get("path")
        if not isinstance(path, list) or not all(isinstance(item, str) for item in path):
            raise HighlightError("a cycle needs a 'path': a list of names")
        return Cycle(tuple(path))
    steps = evidence.get("steps")
    if evidence.get("kind") == "lasso":
        prefix, loop = evidence.get("prefix"), evidence.get("loop")
        steps = [*prefix, *loop] if isinstance(prefix, list) and isinstance(loop, list) else None
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise HighlightError("a trace needs 'steps': a list of objects")
    system = any("component" in step for step in steps)
    return Trace(tuple(_step(step, system) for step in steps))


def _step(step: dict[str, Any], system: bool) -> TraceStep:
    """What the overlays need; a system trace also keeps who moved, its channel operation and
    the states in ``values`` (its sequence diagram is drawn from them)."""
    base = TraceStep(
        state=_text(step.get("state")),
        event=_text(step.get("event")),
        node=_text(step.get("node")),
        tokens=_tokens(step.get("tokens")),
    )
    if not system:
        return base
    return replace(
        base,
        values=_values(step.get("values")),
        note=_text(step.get("note")),
        component=_text(step.get("component")),
        send=_text(step.get("send")),
        receive=_text(step.get("receive")),
    )


def _values(value: Any) -> dict[str, Any]:
    """Scalar values of a step (systems draw each replica's state from them)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, (bool, int, float, str))}


#: ``archctl simulate --events-out`` events that mean "a token enters this node"; the others
#: (complete, wait, retries, ...) continue a visit already counted.
ENTERING = frozenset({"attempt", "route", "join", "end"})


def _enters(event: dict[str, Any], simulate_log: bool) -> bool:
    if not simulate_log:
        return True
    kind = event.get("event")
    if kind == "attempt":
        return bool(event.get("attempt", 1) == 1)
    return kind in ENTERING


def _from_conform(deviations: list[Any]) -> Trace:
    """The model side of the first aligned deviation of an ``archctl conform --align`` report.

    The drawn path is what the spec did while explaining the case: synchronous moves and the
    activities the log skipped (log-only moves have no place on the diagram).
    """
    for item in deviations:
        moves = item.get("moves") if isinstance(item, dict) else None
        if not isinstance(moves, list):
            continue
        steps = [
            TraceStep(node=move[1])
            for move in moves
            if isinstance(move, list)
            and len(move) == 2
            and isinstance(move[1], str)
            and move[1] != ">>"
        ]
        if steps:
            return Trace(tuple(steps))
    raise HighlightError(
        "the conform report has no aligned deviation to draw: run `archctl conform --align`"
    )


def _from_events(events: list[Any]) -> Trace:
    records = [event for event in events if isinstance(event, dict)]
    key = "instance" if any("instance" in event for event in records) else "case"
    instances = [event[key] for event in records if key in event]
    if instances:
        records = [event for event in records if event.get(key) == instances[0]]
    simulate_log = any(
        event.get("event") in ENTERING for event in records if _text(event.get("node"))
    )
    steps: list[TraceStep] = []
    for event in records:
        node = _text(event.get("node"))
        if node is None and "to" not in event:
            node = _text(event.get("activity"))
        if node is not None:
            repeated = bool(steps) and steps[-1].node == node and not simulate_log
            if _enters(event, simulate_log) and not repeated:
                steps.append(TraceStep(node=node))
            continue
        state = _text(event.get("state")) or _text(event.get("to"))
        if state is not None:
            label = _text(event.get("event")) or _text(event.get("activity"))
            steps.append(TraceStep(state=state, event=label))
    if not steps:
        raise HighlightError(f"no step names a node or a state; {EXPECTED}")
    return Trace(tuple(steps))
