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
from archctl.load.bpmn.collaboration_joint import explore_together
from archctl.load.bpmn.collaboration_net import (
    MARKING_LIMIT,
    TOKEN_LIMIT,
    MarkingGraph,
    Op,
    PoolNet,
    Unbounded,
    explore,
)
from archctl.load.bpmn.collaboration_safe import safeness
from archctl.load.bpmn.messages import Collaboration, MessageFlow, Pool, read_collaborations
from archctl.load.bpmn.process import ProcessImporter
from archctl.load.bpmn.xml import XElement
from archctl.load.errors import located
from archctl.model.spec import Spec
from archctl.model.statemachine import ChannelOp, State, StateMachine, Transition
from archctl.model.system import Channel, Component, System, SystemProperty
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
    inside = {pool.process for pool in pools}
    flows = [f for f in collaboration.flows if f.sender in inside and f.receiver in inside]
    nets = [_net(pool, by_process[pool.process], collaboration.flows, notes) for pool in pools]
    try:
        graphs = explore_together(nets, [flow.channel for flow in flows], CAPACITY)
    except Unbounded:
        graphs = []  # too large to explore here: build each pool alone (the checker reduces)
    machines: list[StateMachine] = []
    frontiers: list[frozenset[str]] = []
    properties: list[SystemProperty] = []
    for index, (pool, net) in enumerate(zip(pools, nets, strict=True)):
        item = by_process[pool.process]
        try:
            graph = graphs[index] if graphs else _alone(net)
        except Unbounded as error:
            notes.append(_unbuilt(pool, collaboration, name, error))
            return None
        machine = _statemachine(
            spec_name(f"{item.workflow.name}-pool", taken), pool, item, graph, net
        )
        machines.append(machine)
        frontiers.append(frozenset(machine.states[i].name for i in graph.frontier))
        properties.extend(safeness(pool, machine, graph, len(item.workflow.flows)))
    components = tuple(
        Component(
            pool.name, machine.name, None, pool.span, pool.span, origin=pool.label, frontier=edge
        )
        for pool, machine, edge in zip(pools, machines, frontiers, strict=True)
    )
    channels = tuple(
        Channel(flow.channel, CAPACITY, None, flow.span, ordering="bag", unbounded=True)
        for flow in flows
    )
    system = System(
        name=name,
        span=collaboration.span,
        components=components,
        channels=channels,
        properties=tuple(properties),
        description=f"BPMN collaboration {collaboration.id}",
    )
    return [*machines, system]


def _alone(net: PoolNet) -> MarkingGraph:
    net.strict = True
    return explore(net)


def _unbuilt(pool: Pool, collaboration: Collaboration, name: str, error: Unbounded) -> Diagnostic:
    return Diagnostic(
        codes.SY901,
        default_severity(codes.SY901),
        f"{pool.label}: its marking graph cannot be built ({error}; at most "
        f"{TOKEN_LIMIT} tokens per flow and {MARKING_LIMIT:,} markings), so "
        f"collaboration '{collaboration.id}' is not checked as a system",
        pool.span,
        spec=name,
        subject=pool.name,
        help="each pool is still checked alone as a workflow; bound its loops",
    )


def spec_name(base: str, taken: set[str], fallback: str = "collaboration") -> str:
    """A spec name of ``[A-Za-z0-9_-]`` not taken yet (``name``, ``name-2``, ...)."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", base) or fallback
    name, number = clean, 2
    while name in taken:
        name, number = f"{clean}-{number}", number + 1
    taken.add(name)
    return name


def _net(
    pool: Pool, item: PoolImport, flows: list[MessageFlow], notes: list[Diagnostic]
) -> PoolNet:
    """The pool's token game with the message operations of its elements."""
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
    _receive_on_fire(receives, workflow, importer.listener_steps)
    event_gateways = {importer.entry[i] for i in _tagged(item, "eventBasedGateway")}
    racing = {
        node.id
        for node in workflow.nodes
        if node.gateway == "exclusive" and (node.id not in elements or node.id in event_gateways)
    }
    ends = {node.id for node in workflow.nodes if node.type == "end" and node.id in elements}
    return PoolNet(workflow, sends, receives, racing, ends, strict=False, elements=elements)


def _receive_on_fire(receives: dict[str, list[Op]], workflow: Workflow, steps: set[str]) -> None:
    """A boundary event on a subprocess fires through the importer's listener
    (``steps``): a repeated one through its ``.fire`` gateway (a token onto the boundary's
    path, one back to listening), an interrupting one through its ``.interrupt`` step
    (which clears the scope). The message must be taken *there*, or the listener could fire
    without it (pile tokens up, or interrupt the subprocess) and only then wait for it."""
    for node_id in list(receives):
        sources = [flow.source for flow in workflow.flows if flow.target == node_id]
        if sources and all(source in steps for source in sources):
            ops = receives.pop(node_id)
            for source in sources:
                receives.setdefault(source, []).extend(ops)


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
    name: str, pool: Pool, item: PoolImport, graph: MarkingGraph, net: PoolNet
) -> StateMachine:
    workflow, elements = item.workflow, net.elements
    spans = {node.id: node.span for node in workflow.nodes}
    names = _state_names(graph, workflow)
    states = tuple(
        State(names[i], _state_span(graph, i, spans, workflow.span)) for i in range(len(names))
    )
    transitions: list[Transition] = []
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
    if graph.partial:
        states, transitions = _unfired(workflow, graph, elements, net.racing, states, transitions)
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


#: the state that holds the elements no run of the collaboration fires (a BPMN id has no
#: space, so no marking is called this)
UNFIRED = "never reached"


def _unfired(
    workflow: Workflow,
    graph: MarkingGraph,
    elements: set[str],
    racing: set[str],
    states: tuple[State, ...],
    transitions: list[Transition],
) -> tuple[tuple[State, ...], list[Transition]]:
    """A graph built from the collaboration's runs has no firing for an element no run gets
    to; one unreachable state with a step per such element keeps them in the machine, so
    the system reports each as never executed (SY105) and proves nothing about them."""
    fired = {firing.node for firing in graph.firings} | racing  # a race fires as its winner
    missing = [n for n in workflow.nodes if n.id in elements and n.id not in fired]
    if not missing:
        return states, transitions
    out = list(transitions)
    for node in missing:
        out.append(Transition(len(out), UNFIRED, UNFIRED, None, None, (), node.span, node.id, None))
    return (*states, State(UNFIRED, workflow.span)), out


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
