"""A free-choice workflow net as a workflow spec (``archctl convert net.pnml``).

The translation is the textbook one from free-choice nets to BPMN:

- the source place is the start (followed by an exclusive gateway when it offers a choice),
  every sink place an end;
- a transition is a task; several input places make a parallel join before it, several
  output places a parallel split after it;
- a place with several output transitions is an exclusive gateway (a free choice: no
  conditions); a place with several input transitions feeding a join is an exclusive merge;
  any other place is just the flow from its producer to its consumer;
- places with the same input and output transitions always hold their tokens together
  (fusion of parallel places), so they become one flow.

Free choice is what makes the exclusive gateway exact: when a place has several output
transitions each of them has that place as its only input, so nothing else decides which one
fires. A net that is not free-choice has no such translation; ``problems`` says why with the
arc that breaks it, and the command refuses it.
"""

from __future__ import annotations

import re

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.model.petrinet import PetriNet, free_choice_violation
from archctl.model.spec import Spec, TextSpec
from archctl.model.workflow import Flow, Node, Workflow
from archctl.source import Span

_BAD = re.compile(r"[^A-Za-z0-9_.]|-(?=>)")


def problems(net: PetriNet) -> list[Diagnostic]:
    """Why ``net`` cannot be converted (it is not free-choice), located at the arc."""
    violation = free_choice_violation(net)
    if violation is None:
        return []
    arc, other = violation
    return [
        Diagnostic(
            codes.LD004,
            default_severity(codes.LD004),
            f"net '{net.name}' is not free-choice: place '{arc.source}' offers a choice between "
            f"several transitions, but '{arc.target}' also needs a token on '{other.source}'; "
            "a workflow spec cannot express that choice",
            arc.span,
            net.name,
            arc.target,
            help="only free-choice nets convert to workflow specs; verify checks any net",
        )
    ]


def written(spec: Spec) -> TextSpec:
    """The spec in a kind archctl's YAML and DSL can write: a net becomes its workflow."""
    if isinstance(spec, PetriNet):
        return net_to_workflow(spec)
    return spec


class _Ids:
    """Workflow node ids from PNML ids: the DSL's identifier characters, never reused."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, raw: str) -> str:
        base = _BAD.sub("_", raw) or "node"
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}_{n}", n + 1
        self.used.add(candidate)
        return candidate


def net_to_workflow(net: PetriNet) -> Workflow:
    """The workflow of a free-choice net (call :func:`problems` first)."""
    if free_choice_violation(net) is not None:
        raise ValueError(f"net '{net.name}' is not free-choice")
    pre: dict[str, list[str]] = {}
    post: dict[str, list[str]] = {}
    for arc in net.arcs:
        post.setdefault(arc.source, []).append(arc.target)
        pre.setdefault(arc.target, []).append(arc.source)
    spans = {item.id: item.span for item in net.elements()}
    # fusion of parallel places: one representative per (inputs, outputs)
    kept: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
    for place in net.places:
        key = (tuple(sorted(pre.get(place.id, []))), tuple(sorted(post.get(place.id, []))))
        kept.setdefault(key, place.id)
    live = set(kept.values())
    places = [place for place in net.places if place.id in live]
    inputs = {t.id: [p for p in pre.get(t.id, []) if p in live] for t in net.transitions}
    outputs = {t.id: [p for p in post.get(t.id, []) if p in live] for t in net.transitions}
    ids = _Ids()
    nodes: list[Node] = []
    flows: list[Flow] = []
    entry: dict[str, str] = {}  # transition -> the node its input tokens flow into
    leave: dict[str, str] = {}  # transition -> the node its output tokens flow out of
    tasks: dict[str, str] = {}  # transition -> its task
    for t in net.transitions:
        span = spans[t.id]
        task = tasks[t.id] = ids.make(t.id)
        entry[t.id] = leave[t.id] = task
        if len(inputs[t.id]) > 1:
            entry[t.id] = ids.make(f"{t.id}.join")
            nodes.append(Node(entry[t.id], "gateway", span, gateway="parallel"))
        nodes.append(Node(task, "task", span, description=t.label))
        if len(outputs[t.id]) > 1:
            leave[t.id] = ids.make(f"{t.id}.split")
            nodes.append(Node(leave[t.id], "gateway", span, gateway="parallel"))

    def flow(source: str, target: str, span: Span) -> None:
        flows.append(Flow(len(flows), source, target, None, False, span))

    for t in net.transitions:
        task = tasks[t.id]
        if entry[t.id] != task:
            flow(entry[t.id], task, spans[t.id])
        if leave[t.id] != task:
            flow(task, leave[t.id], spans[t.id])
    into: dict[str, str] = {}  # place -> the node its producers' flows go to (if any)
    for place in places:
        consumers = post.get(place.id, [])
        producers = pre.get(place.id, [])
        span = spans[place.id]
        if place.id == net.source:
            start = into[place.id] = ids.make(place.id)
            nodes.insert(0, Node(start, "start", span, description=place.label))
            if len(consumers) > 1:
                choice = ids.make(f"{place.id}.choice")
                nodes.append(Node(choice, "gateway", span, gateway="exclusive"))
                flow(start, choice, span)
                start = choice
            for consumer in consumers:
                flow(start, entry[consumer], span)
        elif not consumers:
            end = into[place.id] = ids.make(place.id)
            nodes.append(Node(end, "end", span, description=place.label))
        elif len(consumers) > 1 or (len(producers) > 1 and len(inputs[consumers[0]]) > 1):
            gateway = into[place.id] = ids.make(place.id)
            nodes.append(
                Node(gateway, "gateway", span, gateway="exclusive", description=place.label)
            )
            for consumer in consumers:
                flow(gateway, entry[consumer], span)
    for arc in net.arcs:
        if arc.target not in live:
            continue
        # a place without a node of its own has exactly one consumer: flow straight there
        target = into[arc.target] if arc.target in into else entry[post[arc.target][0]]
        flow(leave[arc.source], target, arc.span)
    return Workflow(net.name, net.span, (), tuple(nodes), tuple(flows), description=net.description)
