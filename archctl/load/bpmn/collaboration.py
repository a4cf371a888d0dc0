"""BPMN collaborations become systems: one component per pool, one channel per message flow.

Each pool's process is still imported as its workflow (checked alone, as before); on top,
a collaboration whose pools exchange messages (or that has several pools) becomes a
``kind: system``: each pool is a statemachine whose states are the pool's own markings
(:mod:`archctl.load.bpmn.collaboration_net`), each message flow a channel with
``ordering: bag`` (BPMN says nothing about the order in which messages arrive; fbpmn's
Network01Bag). The system checker then finds what the pools do to each other: a pool waiting
for a message never sent (SY102), messages nobody receives (SY104), pools that can no longer
complete together (SY103), elements no run executes (SY105). Transitions carry the span of
their BPMN element, so traces and findings point at the element's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.load.bpmn.collaboration_net import (
    MARKING_LIMIT,
    TOKEN_LIMIT,
    MarkingGraph,
    Op,
    PoolNet,
    Unbounded,
    explore,
)
from archctl.load.bpmn.messages import Collaboration, MessageFlow, Pool, read_collaborations
from archctl.load.bpmn.process import ProcessImporter
from archctl.load.bpmn.xml import XElement
from archctl.load.errors import located
from archctl.model.spec import Spec
from archctl.model.statemachine import ChannelOp, State, StateMachine, Transition
from archctl.model.system import Channel, Component, System
from archctl.model.workflow import Workflow
from archctl.source import SourceFile, Span

#: messages of one message flow explored at most: BPMN sets no limit, so a run that would
#: send more is inconclusive (SY901 with its trace), never a pass and never a deadlock
CAPACITY = 3


@dataclass(frozen=True)
class PoolImport:
    """What the front end imported for one ``<process>``."""

    process: XElement
    workflow: Workflow
    importer: ProcessImporter


def collaboration_specs(
    source: SourceFile, root: XElement, imported: list[PoolImport], taken: set[str]
) -> tuple[list[Spec], list[Diagnostic], set[str]]:
    """The systems (and their pool machines) of the document's collaborations, the notes,
    and the ids of the collaborations turned into systems (their message flows are used)
    and of the event-based gateways whose race those systems model exactly."""
    by_process = {item.process.attrs.get("id", ""): item for item in imported}
    owners = {
        bpmn_id: process for process, item in by_process.items() for bpmn_id in item.importer.entry
    }
    collaborations, notes = read_collaborations(source, root, owners)
    specs: list[Spec] = []
    built: set[str] = set()
    for collaboration in collaborations:
        pools = [pool for pool in collaboration.pools if pool.process in by_process]
        if not pools or (not collaboration.flows and len(pools) < 2):
            continue
        made = _system(source, collaboration, pools, by_process, taken, notes)
        if made is not None:
            specs.extend(made)
            built.add(collaboration.id)
            for pool in pools:
                built |= _tagged(by_process[pool.process], "eventBasedGateway")
    return specs, notes, built


def _system(
    source: SourceFile,
    collaboration: Collaboration,
    pools: list[Pool],
    by_process: dict[str, PoolImport],
    taken: set[str],
    notes: list[Diagnostic],
) -> list[Spec] | None:
    name = spec_name(collaboration.id, taken)
    machines: list[StateMachine] = []
    for pool in pools:
        item = by_process[pool.process]
        try:
            machines.append(_machine(pool, item, collaboration.flows, taken, notes))
        except Unbounded as error:
            notes.append(
                Diagnostic(
                    codes.SY901,
                    default_severity(codes.SY901),
                    f"{pool.label}: its local marking graph cannot be built ({error}; at most "
                    f"{TOKEN_LIMIT} tokens per flow and {MARKING_LIMIT:,} markings), so "
                    f"collaboration '{collaboration.id}' is not checked as a system",
                    pool.span,
                    spec=name,
                    subject=pool.name,
                    help="each pool is still checked alone as a workflow; bound its loops",
                )
            )
            return None
    components = tuple(
        Component(pool.name, machine.name, None, pool.span, pool.span, origin=pool.label)
        for pool, machine in zip(pools, machines, strict=True)
    )
    inside = {pool.process for pool in pools}
    channels = tuple(
        Channel(flow.channel, CAPACITY, None, flow.span, ordering="bag", unbounded=True)
        for flow in collaboration.flows
        if flow.sender in inside and flow.receiver in inside
    )
    system = System(
        name=name,
        span=collaboration.span,
        components=components,
        channels=channels,
        description=f"BPMN collaboration {collaboration.id}",
    )
    return [*machines, system]


def spec_name(base: str, taken: set[str], fallback: str = "collaboration") -> str:
    """A spec name of ``[A-Za-z0-9_-]`` not taken yet (``name``, ``name-2``, ...)."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", base) or fallback
    name, number = clean, 2
    while name in taken:
        name, number = f"{clean}-{number}", number + 1
    taken.add(name)
    return name


def _machine(
    pool: Pool,
    item: PoolImport,
    flows: list[MessageFlow],
    taken: set[str],
    notes: list[Diagnostic],
) -> StateMachine:
    importer, workflow = item.importer, item.workflow
    sends: dict[str, list[Op]] = {}
    receives: dict[str, list[Op]] = {}
    # BPMN gives an embedded subprocess a none start event only: a message start inside
    # one never fires (as in fbpmn), so its subprocess never gets going
    starts = _tagged(item, "startEvent")
    for flow in flows:
        if flow.sender == pool.process:
            node = importer.entry[flow.source]
            sends.setdefault(node, []).append(Op(True, flow.channel, flow.message))
        if flow.receiver == pool.process:
            node = importer.entry[flow.target]
            ops = receives.setdefault(node, [])
            if node in importer.top or flow.target not in starts:
                ops.append(Op(False, flow.channel, flow.message))
            else:
                notes.append(
                    located(
                        codes.LD009,
                        f"startEvent '{flow.target}' receives message flow '{flow.id}' inside a "
                        "subprocess, where BPMN allows only a none start event: it never fires, "
                        "so its subprocess never starts",
                        _span(workflow, node, pool.span),
                        "start the subprocess with a none start event and receive the message "
                        "in a catch event or receive task after it",
                        flow.target,
                    )
                )
    elements = set(importer.entry.values())
    event_gateways = {importer.entry[i] for i in _tagged(item, "eventBasedGateway")}
    racing = {
        node.id
        for node in workflow.nodes
        if node.gateway == "exclusive" and (node.id not in elements or node.id in event_gateways)
    }
    ends = {node.id for node in workflow.nodes if node.type == "end" and node.id in elements}
    graph = explore(PoolNet(workflow, sends, receives, racing, ends))
    return _statemachine(spec_name(f"{workflow.name}-pool", taken), pool, item, graph, elements)


def _tagged(item: PoolImport, tag: str) -> set[str]:
    """BPMN ids of the process's elements with this tag, subprocesses included."""
    found: set[str] = set()
    stack = [item.process]
    while stack:
        element = stack.pop()
        if element.is_bpmn and element.tag == tag and "id" in element.attrs:
            found.add(element.attrs["id"])
        stack.extend(element.children)
    return found


def _statemachine(
    name: str, pool: Pool, item: PoolImport, graph: MarkingGraph, elements: set[str]
) -> StateMachine:
    workflow = item.workflow
    spans = {node.id: node.span for node in workflow.nodes}
    names = _state_names(graph, workflow)
    states = tuple(
        State(names[i], _state_span(graph, i, spans, workflow.span)) for i in range(len(names))
    )
    transitions = []
    for number, firing in enumerate(graph.firings):
        span = spans[firing.node]
        op = None
        if firing.op is not None:
            mark = "!" if firing.op.send else "?"
            text = f"{firing.op.channel}{mark}{firing.op.message}"
            op = ChannelOp(
                firing.op.send, firing.op.channel, None, firing.op.message, (), (), text, span
            )
        transitions.append(
            Transition(
                number,
                names[firing.source],
                names[firing.target],
                None,
                None,
                (),
                span,
                firing.node if firing.node in elements else None,
                op,
            )
        )
    finals = tuple(names[i] for i, marking in enumerate(graph.markings) if graph.final(marking))
    return StateMachine(
        name=name,
        span=workflow.span,
        variables=(),
        states=states,
        initial=names[0],
        final=finals,
        events=(),
        transitions=tuple(transitions),
        description=f"the markings of {pool.label} (process {pool.process})",
    )


def _state_names(graph: MarkingGraph, workflow: Workflow) -> list[str]:
    """Readable, unique names: where the tokens wait (``Task_A+Task_B``), ``done``, or
    ``improper:End`` for an end event reached twice."""
    out: list[str] = []
    seen: set[str] = set()
    waiting = [place.split("->", 1)[-1].removeprefix("start:") for place in graph.places]
    for marking in graph.markings:
        parts = []
        for place, count in enumerate(graph.tokens(marking)):
            if count:
                parts.append(waiting[place] + (f"x{count}" if count > 1 else ""))
        counts = marking[len(graph.places) :]
        twice = [end for end, count in zip(graph.ends, counts, strict=True) if count > 1]
        parts.extend(f"improper:{end}" for end in twice)
        base = "+".join(sorted(parts)) or "done"
        candidate, number = base, 2
        while candidate in seen:
            candidate, number = f"{base}#{number}", number + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _state_span(graph: MarkingGraph, index: int, spans: dict[str, Span], default: Span) -> Span:
    marking = graph.markings[index]
    for place, count in enumerate(graph.tokens(marking)):
        if count:
            node = graph.places[place].split("->", 1)[-1].removeprefix("start:")
            return spans.get(node, default)
    return default


def _span(workflow: Workflow, node_id: str, default: Span) -> Span:
    node = workflow.node(node_id)
    return default if node is None else node.span
