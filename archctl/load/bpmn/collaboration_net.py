"""A BPMN pool's local marking graph: the finite state machine a system component needs.

A pool runs parallel tokens, a system component is one statemachine; the bridge is the
pool's own token game, explored alone with every receive enabled (the partner is not known
here): each reachable marking becomes a state, each node firing a transition, and a firing
of a node that sends or receives carries that channel operation (an element that does both
receives first, then sends, in two steps). Composed in a system, a receive then happens
only when its message is there, so the system's runs are exactly the collaboration's runs;
local markings no partner lets the pool reach are simply never reached.

The token game is the imported workflow's (docs/bpmn.md): tasks take one token from any
input, exclusive gateways route one token, parallel ones synchronise, inclusive splits take
any non-empty set of branches (the default alone), an OR-join waits until no token upstream
can still reach an empty input, a subprocess completion join fires once its scope is empty
and takes every token on its inputs, terminate ends clear the instance (or their scope).
Data is abstracted: every condition may hold, so gateways choose freely. Two choices need
the messages themselves: an event-based gateway, and the importer's choices between an
activity's normal flow and its boundary event (``.exit``, ``.maybe``), fire together with
the receive they lead to, so the race is won by a message that is there (never decided
before it arrives). Reaching one end event twice is improper completion (fbpmn's
soundness): such a marking can never be final.

A marking is bounded by :data:`TOKEN_LIMIT` tokens per flow and :data:`MARKING_LIMIT`
markings; past either, :class:`Unbounded` says where, and the collaboration is not checked
(inconclusive, never a pass).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from archctl.model.workflow import Node, Workflow

#: tokens one flow may hold before the pool counts as unbounded
TOKEN_LIMIT = 3
#: markings of one pool explored before it counts as over budget
MARKING_LIMIT = 20_000
#: widest inclusive split expanded into all its branch sets
MAX_BRANCHES = 10

Marking = tuple[int, ...]


class Unbounded(Exception):
    """The pool's marking graph is unbounded or over budget; the message says where."""


@dataclass(frozen=True)
class Op:
    """A message operation of a firing: ``send`` or receive on channel ``channel``."""

    send: bool
    channel: str
    message: str


@dataclass(frozen=True)
class Firing:
    """One transition of the marking graph: ``node`` fired (with ``op``), source -> target."""

    source: int
    target: int
    node: str
    op: Op | None


@dataclass
class MarkingGraph:
    markings: list[Marking]
    firings: list[Firing]
    places: list[str]  # what each position of a marking counts (flow or start)
    ends: list[str]  # BPMN end events counted for proper completion, after the places
    #: markings past :data:`TOKEN_LIMIT` that were kept but not expanded -> the flow over it
    frontier: dict[int, str] = field(default_factory=dict)
    #: built from the collaboration's runs (not every local marking): elements no run
    #: reaches have no firing here
    partial: bool = False

    def tokens(self, marking: Marking) -> Marking:
        return marking[: len(self.places)]

    def final(self, marking: Marking) -> bool:
        """Every token consumed and no end event reached twice."""
        return not any(self.tokens(marking)) and all(c <= 1 for c in marking[len(self.places) :])


class PoolNet:
    """The token game of one imported workflow, with message operations per node."""

    def __init__(
        self,
        workflow: Workflow,
        sends: dict[str, list[Op]],
        receives: dict[str, list[Op]],
        racing: set[str],
        counted_ends: set[str],
        strict: bool = True,
        elements: set[str] | None = None,
    ) -> None:
        self.workflow = workflow
        #: strict: a marking past the token limit raises :class:`Unbounded`; otherwise it is
        #: returned and :meth:`over` names the flow (the joint exploration keeps it)
        self.strict = strict
        #: the workflow nodes that are BPMN elements (the rest are the importer's helpers)
        self.elements = elements if elements is not None else set()
        self.sends = sends
        self.receives = receives
        self.racing = racing  # exclusive gateways that fire together with a receive
        self.nodes = {node.id: node for node in workflow.nodes}
        self.places: list[str] = [f"{f.source}->{f.target}" for f in workflow.flows]
        self.inputs: dict[str, list[int]] = {node.id: [] for node in workflow.nodes}
        self.outputs: dict[str, list[int]] = {node.id: [] for node in workflow.nodes}
        for index, flow in enumerate(workflow.flows):
            self.outputs[flow.source].append(index)
            self.inputs[flow.target].append(index)
        self.error_place: dict[str, int] = {}
        for node in workflow.nodes:
            if node.on_error and node.on_error not in self.error_place:
                self.error_place[node.on_error] = len(self.places)
                self.inputs[node.on_error].append(len(self.places))
                self.places.append(f"error->{node.on_error}")
        self.start_place: dict[str, int] = {}
        for node in workflow.nodes:
            if node.type == "start":
                self.start_place[node.id] = len(self.places)
                self.inputs[node.id].append(len(self.places))
                self.places.append(f"start:{node.id}")
        #: an element that receives and sends does both in two steps: the receive leaves
        #: its token here, the send moves it on
        self.sending: dict[str, int] = {}
        for node in workflow.nodes:
            if node.id in receives and node.id in sends and node.type == "task":
                self.sending[node.id] = len(self.places)
                self.places.append(f"{node.id}->{node.id}")
        self.target = {index: flow.target for index, flow in enumerate(workflow.flows)}
        self.target.update({p: n for n, p in self.error_place.items()})
        self.target.update({p: n for n, p in self.sending.items()})
        self.ends = sorted(counted_ends)
        self.end_index = {end: len(self.places) + i for i, end in enumerate(self.ends)}
        self.scope_places = {
            node.id: self._scope_places(node) for node in workflow.nodes if node.scope
        }
        self.upstream = {
            node.id: self._upstream(node.id)
            for node in workflow.nodes
            if node.gateway == "inclusive" and not node.scope and len(self.inputs[node.id]) > 1
        }

    # -- static facts ---------------------------------------------------------------------
    def _scope_places(self, node: Node) -> frozenset[int]:
        inside = set(node.scope)
        return frozenset(p for p, target in self.target.items() if target in inside)

    def _upstream(self, join: str) -> dict[int, frozenset[int]]:
        """Per input place of an OR-join: the places from which a token can still reach it
        without passing the join (BPMN's OR-join waits while one can)."""
        feeds: dict[int, set[int]] = {p: set() for p in range(len(self.places))}
        for place, target in self.target.items():
            if target == join:
                continue
            node = self.nodes[target]
            nexts = list(self.outputs[target])
            if node.on_error:
                nexts.append(self.error_place[node.on_error])
            for after in nexts:
                feeds[after].add(place)
        out: dict[int, frozenset[int]] = {}
        for place in self.inputs[join]:
            seen, todo = {place}, [place]
            while todo:
                for before in feeds.get(todo.pop(), ()):
                    if before not in seen:
                        seen.add(before)
                        todo.append(before)
            out[place] = frozenset(seen)
        return out

    def initial(self) -> Marking:
        marking = [0] * (len(self.places) + len(self.ends))
        for place in self.start_place.values():
            marking[place] = 1
        return tuple(marking)

    # -- firing ---------------------------------------------------------------------------
    def steps(self, marking: Marking) -> Iterator[tuple[str, Op | None, Marking]]:
        """The firings from ``marking``; a marking without tokens keeps only whether some
        end was reached twice (the pool is done, whichever ends it took)."""
        places = len(self.places)
        for node, op, after in self.successors(marking):
            yield node, op, (after if any(after[:places]) else _completed(self, after))

    def successors(self, marking: Marking) -> Iterator[tuple[str, Op | None, Marking]]:
        for node in self.workflow.nodes:
            yield from self._fire(node, marking)
            place = self.sending.get(node.id)
            if place is not None and marking[place]:
                after = list(marking)
                after[place] -= 1
                moved = self._checked(node, self._add(after, self.outputs[node.id]))
                for send in self.sends[node.id]:
                    yield node.id, send, moved

    def _fire(self, node: Node, marking: Marking) -> Iterator[tuple[str, Op | None, Marking]]:
        marked = [p for p in self.inputs[node.id] if marking[p]]
        if not marked:
            return
        if node.type == "gateway" and node.scope:
            if any(marking[p] for p in self.scope_places[node.id]):
                return
            after = list(marking)
            for place in self.inputs[node.id]:
                after[place] = 0
            for produced in self._produce(node, after):
                yield node.id, None, produced
            return
        if node.gateway == "parallel":
            if len(marked) < len(self.inputs[node.id]):
                return
            yield from self._emit(node, marking, marked)
            return
        if node.gateway == "inclusive" and node.id in self.upstream:
            upstream = self.upstream[node.id]
            for empty in (p for p in self.inputs[node.id] if not marking[p]):
                if any(marking[q] for q in upstream[empty]):
                    return
            yield from self._emit(node, marking, marked)
            return
        for place in marked:  # one token from any input
            yield from self._emit(node, marking, [place])

    def _emit(
        self, node: Node, marking: Marking, taken: list[int]
    ) -> Iterator[tuple[str, Op | None, Marking]]:
        after = list(marking)
        for place in taken:
            after[place] -= 1
        if node.type == "gateway" and node.gateway == "exclusive" and node.id in self.racing:
            for place in self.outputs[node.id]:
                target = self.nodes[self.target[place]]
                if target.id in self.receives and target.type in ("task", "gateway"):
                    if target.type == "gateway":  # a boundary's ``.fire``
                        done = self._produce(target, list(after))
                    elif target.id in self.sending:
                        done = [self._checked(target, self._add(after, [self.sending[target.id]]))]
                    else:
                        done = self._task(target, list(after))
                    for receive in self.receives[target.id]:
                        for produced in done:
                            yield target.id, receive, produced
                else:
                    moved = list(after)
                    moved[place] += 1
                    yield node.id, None, self._checked(node, moved)
            return
        if node.type == "gateway":  # a boundary's ``.fire`` gateway takes its message
            taken_ops: list[Op | None] = list(self.receives.get(node.id, [None]))
            for produced in self._produce(node, after):
                for chosen in taken_ops:
                    yield node.id, chosen, produced
            return
        ops: list[Op | None] = [None]
        if node.id in self.receives:  # may be empty: a receiver that can never receive
            ops = list(self.receives[node.id])
        elif node.id in self.sends:
            ops = list(self.sends[node.id])
        if node.id in self.sending:  # receive now, send in a second step
            received = self._checked(node, self._add(after, [self.sending[node.id]]))
            for chosen in ops:
                yield node.id, chosen, received
            return
        results = self._end(node, after) if node.type == "end" else self._task(node, after)
        for produced in results:
            for chosen in ops:
                yield node.id, chosen, produced

    def _task(self, node: Node, after: list[int]) -> list[Marking]:
        if node.terminate and node.scope:
            for place in self.scope_places.get(node.id) or self._scope_places(node):
                after[place] = 0
        out = [self._checked(node, self._add(after, self.outputs[node.id]))]
        if node.on_error:
            out.append(self._checked(node, self._add(after, [self.error_place[node.on_error]])))
        return out

    def _end(self, node: Node, after: list[int]) -> list[Marking]:
        if node.terminate:
            for place in range(len(self.places) + len(self.ends)):
                after[place] = 0
        if node.id in self.end_index:
            position = self.end_index[node.id]
            after[position] = min(after[position] + 1, 2)
        return [tuple(after)]

    def _produce(self, node: Node, after: list[int]) -> list[Marking]:
        outs = self.outputs[node.id]
        if node.gateway == "exclusive" and outs:
            return [self._checked(node, self._add(after, [p])) for p in outs]
        if node.gateway == "inclusive" and len(outs) > 1:
            return [self._checked(node, self._add(after, list(c))) for c in self._branches(outs)]
        return [self._checked(node, self._add(after, outs))]

    def _branches(self, outs: list[int]) -> list[tuple[int, ...]]:
        flows = self.workflow.flows
        default = [p for p in outs if flows[p].default]
        others = [p for p in outs if not flows[p].default]
        if len(others) > MAX_BRANCHES:
            raise Unbounded(f"an inclusive split with {len(others)} branches")
        subsets = [
            combo
            for size in range(1, len(others) + 1)
            for combo in itertools.combinations(others, size)
        ]
        return [*((p,) for p in default), *subsets]

    @staticmethod
    def _add(after: list[int], places: list[int]) -> list[int]:
        moved = list(after)
        for place in places:
            moved[place] += 1
        return moved

    def over(self, marking: Marking, limit: int = TOKEN_LIMIT) -> str | None:
        """The first flow holding more than ``limit`` tokens, if any."""
        for place in range(len(self.places)):
            if marking[place] > limit:
                return self.places[place]
        return None

    def _checked(self, node: Node, marking: list[int]) -> Marking:
        done = tuple(marking)
        flow = self.over(done) if self.strict else None
        if flow is not None:
            raise Unbounded(
                f"the flow {flow} would hold more than {TOKEN_LIMIT} tokens after '{node.id}' fires"
            )
        return done


def explore(net: PoolNet) -> MarkingGraph:
    """Breadth-first: markings in discovery order (deterministic), firings in node order."""
    start = net.initial()
    ids = {start: 0}
    graph = MarkingGraph([start], [], net.places, net.ends)
    queue = deque([start])
    while queue:
        marking = queue.popleft()
        source = ids[marking]
        for node, op, after in net.steps(marking):
            target = ids.get(after)
            if target is None:
                if len(graph.markings) >= MARKING_LIMIT:
                    raise Unbounded(f"more than {MARKING_LIMIT:,} markings")
                target = ids[after] = len(graph.markings)
                graph.markings.append(after)
                queue.append(after)
            graph.firings.append(Firing(source, target, node, op))
    return graph


def _completed(net: PoolNet, marking: Marking) -> Marking:
    """An empty marking only remembers whether some end was reached twice: the pool is done
    (or completed improperly), whichever ends it took."""
    counts = marking[len(net.places) :]
    twice = [1 if count >= 2 else 0 for count in counts]
    if any(twice):
        twice = [2 if count >= 2 else 0 for count in counts]
    return (*marking[: len(net.places)], *twice)
