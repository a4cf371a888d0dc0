"""A workflow as a labelled Petri net: what its log may record and in which orders.

Places are the flows (and each task's on_error link) plus one sink; transitions are

* a task: one visible transition per input flow, labelled with the task id, producing on
  every output (a second one into the on_error link when the task can fail, or, when it
  can fail without a handler, one that ends the whole instance as the checker's token game
  does);
* gateways: silent transitions, one per choice (exclusive: each output; inclusive: each
  non-empty subset of outputs; parallel: all inputs to all outputs);
* an end: a silent transition into the sink (an inner end of a flattened subprocess passes
  its token on to the completion join instead);
* what only importers set (BPMN): a terminate end of the instance ends it as a whole; a
  scoped terminate (an inner terminate end, the ``.interrupt`` step of an interrupting
  boundary, silent) empties every place inside its scope, then produces on its outputs; a
  subprocess completion join fires only while its scope is empty and takes every token on
  its inputs -- the checker's rules (``check/workflow/fire.py``).

Gateway conditions are not evaluated: replay checks the control flow, as token-based
replay and alignments in process mining do; data is for ``verify``. An inclusive join is
taken as "any non-empty subset of its inputs", which accepts more than BPMN's non-local
rule (documented in docs/conform.md). A place holds at most ``TOKEN_CAP`` tokens.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from archctl.check.workflow.graph import task_failure
from archctl.model.workflow import Workflow

TOKEN_CAP = 3
#: inclusive gateways with more outputs than this are refused (2^n - 1 choices)
MAX_INCLUSIVE = 10

Marking = tuple[int, ...]  # sorted place indices, one entry per token


@dataclass(frozen=True)
class NetTransition:
    label: str | None
    consume: tuple[int, ...]
    produce: tuple[int, ...]
    #: the instance fails as a whole: every token is removed, the sink is marked
    ends_instance: bool = False
    #: places emptied after consuming, before producing (a scoped terminate)
    clears: frozenset[int] = frozenset()
    #: places that must hold no token (a completion join's scope)
    empty: frozenset[int] = frozenset()
    #: places all of whose tokens are taken, at least one (a completion join's inputs)
    drains: frozenset[int] = frozenset()


@dataclass(frozen=True)
class WorkflowNet:
    places: tuple[str, ...]
    sink: int
    initial_marking: Marking
    transitions: tuple[NetTransition, ...]


def build_workflow_net(workflow: Workflow) -> WorkflowNet:
    places: list[str] = []
    out_of: dict[str, list[int]] = {n.id: [] for n in workflow.nodes}
    into: dict[str, list[int]] = {n.id: [] for n in workflow.nodes}
    for flow in sorted(workflow.flows, key=lambda f: f.index):
        if flow.source in out_of and flow.target in into:
            out_of[flow.source].append(len(places))
            into[flow.target].append(len(places))
            places.append(flow.label)
    error_of: dict[str, int] = {}
    for node in workflow.nodes:
        if node.on_error is not None and node.on_error in into:
            error_of[node.id] = len(places)
            into[node.on_error].append(len(places))
            places.append(f"{node.id} -> {node.on_error} (on_error)")
    sink = len(places)
    places.append("(end)")
    transitions: list[NetTransition] = []
    starts = [n for n in workflow.nodes if n.type == "start"]
    initial = tuple(sorted(out_of[starts[0].id])) if starts else ()

    def inside(scope: tuple[str, ...]) -> frozenset[int]:
        return frozenset(place for member in scope for place in into.get(member, ()))

    for node in workflow.nodes:
        inputs, outputs = into[node.id], tuple(out_of[node.id])
        if node.terminate and node.type in ("task", "end"):
            transitions.extend(_terminate(inputs, outputs, sink, inside(node.scope), node.scope))
        elif node.type == "gateway" and node.scope:
            scope = inside(node.scope) - frozenset(inputs)
            drains = frozenset(inputs)
            transitions.append(NetTransition(None, (), outputs, empty=scope, drains=drains))
        elif node.type == "task":
            can_fail, always_fails = task_failure(node)
            for arc in inputs:
                if not always_fails:
                    transitions.append(NetTransition(node.id, (arc,), outputs))
                if not can_fail:
                    continue
                if node.id in error_of:
                    transitions.append(NetTransition(node.id, (arc,), (error_of[node.id],)))
                else:
                    transitions.append(NetTransition(node.id, (arc,), (sink,), True))
        elif node.type == "end":
            after = outputs or (sink,)  # an inner end feeds its subprocess's completion
            transitions.extend(NetTransition(None, (arc,), after) for arc in inputs)
        elif node.type == "gateway":
            transitions.extend(_gateway(node.gateway or "exclusive", inputs, outputs))
    return WorkflowNet(tuple(places), sink, initial, tuple(transitions))


def _terminate(
    inputs: Sequence[int],
    outputs: tuple[int, ...],
    sink: int,
    scope: frozenset[int],
    scoped: tuple[str, ...],
) -> list[NetTransition]:
    """A terminate end of the instance ends it; a scoped one (silent: a BPMN terminate end
    inside a subprocess, or the import's interrupt step, neither of which a log records)
    empties its scope and goes on."""
    if not scoped:
        return [NetTransition(None, (arc,), (sink,), True) for arc in inputs]
    after = outputs or (sink,)
    return [NetTransition(None, (arc,), after, clears=scope) for arc in inputs]


def _gateway(kind: str, inputs: Sequence[int], outputs: tuple[int, ...]) -> list[NetTransition]:
    if kind == "parallel":
        return [NetTransition(None, tuple(inputs), outputs)] if inputs else []
    if kind == "inclusive":
        if len(outputs) > MAX_INCLUSIVE or len(inputs) > MAX_INCLUSIVE:
            raise ValueError(
                f"an inclusive gateway with more than {MAX_INCLUSIVE} flows on one side"
            )
        subsets = _subsets(outputs) if outputs else [()]
        sources = _subsets(tuple(inputs)) if len(inputs) > 1 else [(a,) for a in inputs]
        return [NetTransition(None, src, out) for src in sources for out in subsets]
    choices: list[tuple[int, ...]] = [(out,) for out in outputs] if outputs else [()]
    return [NetTransition(None, (arc,), out) for arc in inputs for out in choices]


def _subsets(items: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [
        subset
        for size in range(1, len(items) + 1)
        for subset in itertools.combinations(items, size)
    ]


class WorkflowSemantics:
    """The net's token game as :class:`~archctl.conform.semantics.Semantics`."""

    def __init__(self, net: WorkflowNet) -> None:
        self.net = net
        self.labels = frozenset(t.label for t in net.transitions if t.label is not None)
        self._silent = [t for t in net.transitions if t.label is None]
        self._visible = [t for t in net.transitions if t.label is not None]
        self._cache_silent: dict[Marking, list[Marking]] = {}
        self._cache_visible: dict[Marking, list[tuple[str, Marking]]] = {}

    def initial(self) -> list[Marking]:
        return [self.net.initial_marking]

    def silent(self, config: object) -> list[Marking]:
        marking: Marking = config  # type: ignore[assignment]
        found = self._cache_silent.get(marking)
        if found is None:
            found = [m for t in self._silent if (m := self.fire(marking, t)) is not None]
            self._cache_silent[marking] = found
        return found

    def visible(self, config: object) -> list[tuple[str, Marking]]:
        marking: Marking = config  # type: ignore[assignment]
        found = self._cache_visible.get(marking)
        if found is None:
            found = [
                (t.label, m)
                for t in self._visible
                if t.label is not None and (m := self.fire(marking, t)) is not None
            ]
            self._cache_visible[marking] = found
        return found

    def observe(self, config: object, attributes: object) -> bool:
        return True

    def complete(self, config: object) -> bool:
        marking: Marking = config  # type: ignore[assignment]
        return bool(marking) and all(place == self.net.sink for place in marking)

    def fire(self, marking: Marking, transition: NetTransition) -> Marking | None:
        tokens = list(marking)
        if transition.empty and any(place in transition.empty for place in tokens):
            return None
        if transition.drains:
            kept = [place for place in tokens if place not in transition.drains]
            if len(kept) == len(tokens):
                return None
            tokens = kept
        for place in transition.consume:
            if place not in tokens:
                return None
            tokens.remove(place)
        if transition.ends_instance:
            return (self.net.sink,)
        if transition.clears:
            tokens = [place for place in tokens if place not in transition.clears]
        tokens.extend(transition.produce)
        tokens.sort()
        for place in transition.produce:
            if tokens.count(place) > TOKEN_CAP:
                return None
        return tuple(tokens)
