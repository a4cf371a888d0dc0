"""Sequence diagrams of a system trace: one lifeline per replica, one arrow per message.

Distributed-system bugs are read this way: a send is drawn as an arrow from the step that
sends it to the step that receives it (FIFO per channel, so the n-th receive on a channel
takes the n-th send), a rendezvous as one horizontal arrow, a component's own steps as notes
with its new state. Messages never received are listed at the end as still queued, and the
last configuration says where every replica stopped (for a deadlock: who waits where).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from archctl.evidence import Trace
from archctl.model.system import System
from archctl.render.dot import quote as dot_quote

_PARTNER = re.compile(r"^rendezvous: (\S+) receives")
_OP = re.compile(r"^([^!?]+)[!?](.*)$")


@dataclass
class Sequence:
    """The format-neutral sequence: participants in order and timed events."""

    participants: list[str] = field(default_factory=list)
    #: (kind, source, target, label, sent_at, received_at); kind: message | note | queued
    events: list[tuple[str, str, str, str, int, int]] = field(default_factory=list)
    ending: list[tuple[str, str]] = field(default_factory=list)  # (replica, state)


def build_sequence(system: System, trace: Trace) -> Sequence:
    out = Sequence()
    first = trace.steps[0].values if trace.steps else {}
    names = sorted(
        {key.rsplit(".", 1)[0] for key in first if key.endswith(".state")},
        key=lambda name: _order(system, name),
    )
    out.participants = names or [c.name for c in system.components]
    pending: dict[str, list[tuple[str, str, int]]] = {}
    for number, step in enumerate(trace.steps[1:], 2):
        actor = step.component or "?"
        if actor not in out.participants:
            out.participants.append(actor)
        partner = _PARTNER.match(step.note or "")
        if step.send is not None and step.receive is not None and partner:
            out.events.append(("message", actor, partner.group(1), step.send, number, number))
            continue
        if step.send is not None:
            channel, message = _split(step.send)
            pending.setdefault(channel, []).append((actor, message, number))
            continue
        if step.receive is not None:
            channel, message = _split(step.receive)
            queue = pending.get(channel) or []
            sender, _, sent = queue.pop(0) if queue else ("?", message, number)
            label = f"{channel}: {message}"
            out.events.append(("message", sender, actor, label, sent, number))
            continue
        what = f"--{step.event}--> {step.state}" if step.event else f"-> {step.state}"
        out.events.append(("note", actor, actor, what, number, number))
    for channel in sorted(pending):
        for sender, message, sent in pending[channel]:
            out.events.append(("queued", sender, sender, f"{channel}: {message}", sent, sent))
    last = trace.steps[-1].values if trace.steps else {}
    out.ending = [
        (name, str(last[f"{name}.state"])) for name in out.participants if f"{name}.state" in last
    ]
    out.events.sort(key=lambda event: (event[5], event[4]))
    return out


def _order(system: System, name: str) -> tuple[int, int]:
    base, _, index = name.partition("[")
    position = next((i for i, c in enumerate(system.components) if c.name == base), 99)
    return position, int(index.rstrip("]") or 0) if index else 0


def _split(operation: str) -> tuple[str, str]:
    match = _OP.match(operation)
    if match is None:
        return operation, operation
    return match.group(1), match.group(2)


def _id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def sequence_mermaid(system: System, trace: Trace) -> str:
    """A Mermaid ``sequenceDiagram``; step numbers in the labels match the trace."""
    seq = build_sequence(system, trace)
    lines = ["sequenceDiagram", f"  title {system.name}"]
    for name in seq.participants:
        lines.append(f"  participant {_id(name)} as {name}")
    for kind, source, target, label, sent, received in seq.events:
        steps = f"{sent}" if sent == received else f"{sent}-{received}"
        if kind == "message":
            lines.append(f"  {_id(source)}->>{_id(target)}: {steps}. {_escape(label)}")
        elif kind == "note":
            lines.append(f"  Note over {_id(source)}: {steps}. {_escape(label)}")
        else:
            lines.append(f"  Note over {_id(source)}: sent at {steps}, never received: {label}")
    if seq.ending:
        ids = ",".join(_id(name) for name, _ in seq.ending[:2])
        ending = "; ".join(f"{name} in {state}" for name, state in seq.ending)
        lines.append(f"  Note over {ids}: end: {_escape(ending)}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace(";", ",").replace("#", "")


def sequence_dot(system: System, trace: Trace) -> str:
    """The same sequence for Graphviz: lifelines of points, one row per trace step."""
    seq = build_sequence(system, trace)
    rows = len(trace.steps) + 1
    out = [
        f"digraph {dot_quote(system.name)} {{",
        "  rankdir=TB; newrank=true; splines=false; nodesep=1.2;",
        '  node [shape=point, width=0.05, label=""]; edge [arrowhead=none, style=dashed];',
    ]
    for name in seq.participants:
        out.append(f"  {dot_quote(name + '@0')} [shape=box, width=1, label={dot_quote(name)}];")
        chain = " -> ".join(dot_quote(f"{name}@{row}") for row in range(rows))
        out.append(f"  {chain};")
    for row in range(rows):
        same = " ".join(dot_quote(f"{name}@{row}") for name in seq.participants)
        out.append(f"  {{ rank=same; {same} }}")
    heads = [dot_quote(f"{name}@0") for name in seq.participants]
    for left, right in itertools.pairwise(heads):
        out.append(f"  {left} -> {right} [style=invis];  // keeps the lifelines in order")
    for kind, source, target, label, sent, received in seq.events:
        if kind == "message":
            out.append(
                f"  {dot_quote(f'{source}@{sent}')} -> {dot_quote(f'{target}@{received}')} "
                f"[style=solid, arrowhead=normal, constraint=false, "
                f"label={dot_quote(f'{sent}. {label}')}];"
            )
        else:
            text = label if kind == "note" else f"never received: {label}"
            note = f"note{sent}_{_id(source)}_{kind}"
            out.append(f"  {note} [shape=note, width=0, label={dot_quote(f'{sent}. {text}')}];")
            out.append(
                f"  {dot_quote(f'{source}@{sent}')} -> {note} [style=dotted, constraint=false];"
            )
            out.append(f"  {{ rank=same; {dot_quote(f'{source}@{sent}')} {note} }}")
    out.append("}")
    return "\n".join(out) + "\n"
