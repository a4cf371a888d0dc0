"""Breadth-first exploration of the token game, with a stubborn-set reduction.

A state is a marking (sorted tuple of place indices, one entry per token) and a valuation
of the tracked variables; ``None`` as marking is "the instance failed". Breadth-first order
gives every state its shortest trace (without reduction; with it, shortest in the reduced
graph).

Reduction. Every place has exactly one consumer (its target node), so firing node *n* can
never take a token another node needs. Firing only *n* in a state is safe (deadlocks,
option to complete, unsafe places, executed tasks and gateway valuations are all kept)
when no other token can still reach an input of *n* (so waiting could never put a second
token there), no node that shares variables with *n* (write/read or write/write) or can
fail the whole instance is still reachable from the other tokens, and there are no
inclusive joins (whose enabling is non-local). Ignored transitions on cycles are handled
after the search: every terminal strongly connected component that contains a reduced
state is fully expanded, until none is left (Valmari's condition). docs/workflows.md has
the argument.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from archctl.check.budget import expired
from archctl.check.scc import components
from archctl.check.workflow.data import DataModel, Values
from archctl.check.workflow.fire import FAIL, Move, Rules
from archctl.check.workflow.fresh import Fresh
from archctl.check.workflow.graph import Net
from archctl.check.workflow.live import Liveness
from archctl.model.expr import names_in

#: a place holding this many tokens stops the search there (the net is already unsafe,
#: WF105); up to TOKEN_CAP - 1 tokens per flow are followed, so small unsafe workflows still
#: get complete verdicts on completion and dead tasks
TOKEN_CAP = 4
#: once the net is known to be unsafe, the search goes on for at most this many more states,
#: then stops and says so: tokens that multiply in a loop would otherwise make the state
#: space unbounded, and the verdict (unsound) is already known
UNSAFE_EXTRA = 200

Key = tuple[tuple[int, ...] | None, Values]


@dataclass
class Exploration:
    keys: list[Key] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    via: list[tuple[int, str]] = field(default_factory=list)
    succ: list[list[int]] = field(default_factory=list)
    #: per state, parallel to ``succ``: the node whose firing leads to that successor
    by: list[list[int]] = field(default_factory=list)
    reduced: list[bool] = field(default_factory=list)
    expanded: list[bool] = field(default_factory=list)
    truncated: list[int] = field(default_factory=list)
    fired: set[int] = field(default_factory=set)
    bound_hit: bool = False
    unsafe_stop: bool = False
    out_of_time: bool = False  # bound_hit because the spec's time budget ran out
    #: a fresh variable's side condition broke (fresh.py): search again tracking it
    fresh_broken: bool = False


class Explorer:
    def __init__(
        self,
        net: Net,
        data: DataModel,
        max_states: int,
        reduce: bool = True,
        live: bool = True,
        fresh: bool | None = None,
    ) -> None:
        self.net = net
        self.max_states = max_states
        self._options = (reduce, live)
        self._setup(data, live if fresh is None else fresh)

    def _setup(self, data: DataModel, fresh: bool) -> None:
        """Fresh search state; ``fresh``: leave fresh variables out of the states."""
        net = self.net
        reduce, live = self._options
        self.rules = Rules(net, data)
        #: merges states that differ only in values no token can still read (live.py);
        #: ``live=False`` keeps every value, for the tests that compare both
        self.liveness = Liveness(net, data)
        self.canon = self.liveness.canon if live else _keep
        self.merging = live
        #: values no state stores (fresh.py); on with the merging unless told otherwise
        self.fresh = Fresh(net, data, self.liveness) if fresh and data.names else None
        if self.fresh is not None and not self.fresh.slots:
            self.fresh = None  # nothing to leave out: no side condition to watch
        if self.fresh is not None:
            self.rules.fresh = self.fresh.slots
        self.reduce = reduce and not self.rules.or_joins
        self.result = Exploration()
        self.index: dict[Key, int] = {}
        self.queue: deque[int] = deque()
        self.limit = self.max_states
        #: places whose tokens are dropped as soon as they are put there (traps.drains)
        self.vanish = 0
        #: places a token put on makes the search count the instance as completed (traps.py)
        self.escape = 0
        if self.reduce:
            self._prepare_reduction(data)

    def _prepare_reduction(self, data: DataModel) -> None:
        net = self.net
        fresh = self.fresh.slots if self.fresh is not None else []
        tracked = set(data.names) - {data.names[slot] for slot in fresh}
        reads: list[set[str]] = []
        writes: list[set[str]] = []
        for node in range(len(net.nodes)):
            read: set[str] = set()
            for arc in net.outputs[node]:
                flow = net.arcs[arc].flow
                if flow is not None and flow.when is not None:
                    read |= names_in(flow.when) & tracked
            write: set[str] = set()
            for assignment in net.nodes[node].sets:
                if assignment.target in tracked:
                    write.add(assignment.target)
                    if assignment.value is not None:
                        read |= names_in(assignment.value) & tracked
            reads.append(read)
            writes.append(write)
        count = len(net.nodes)
        rules = self.rules
        self.kills = [
            (rules.failure[n][0] and net.error_arc[n] is None) or net.nodes[n].terminate
            for n in range(count)
        ]
        self.joins = {
            node: net.bits(net.inputs[node])
            for node, spec in enumerate(net.nodes)
            if spec.type == "gateway" and spec.gateway == "parallel" and len(net.inputs[node]) > 1
        }
        ancestors = net.ancestors()
        feeds = []
        for node in range(count):
            bits = net.bits(net.inputs[node])
            for arc in net.inputs[node]:
                bits |= ancestors[arc]
            feeds.append(bits)
        # Group the nodes a node must not overtake by why (instance failure, each variable
        # read or written, each subprocess scope entered), so building the relation costs
        # one pass per node and reason instead of one per pair of nodes.
        groups: dict[tuple[str, str], tuple[int, int]] = {}

        def join_group(key: tuple[str, str], node: int) -> None:
            inputs, reach = groups.get(key, (0, 0))
            groups[key] = (inputs | rules.input_bits[node], reach | feeds[node])

        for n in range(count):
            if self.kills[n]:
                join_group(("kill", ""), n)
            for name in reads[n]:
                join_group(("read", name), n)
            for name in writes[n]:
                join_group(("write", name), n)
        # a write whose value no token can read after the node (dead on every flow out of
        # it) cannot race another write: whichever comes last, the value is merged away
        # (only sound together with the merging: ``live=False`` keeps every write/write pair)
        live_names = [
            self._names(self.liveness.live_after(n), data) if self.merging else writes[n]
            for n in range(count)
        ]
        entering: list[list[int]] = [[] for _ in range(count)]
        for join, scope in rules.scopes.items():
            if net.nodes[join].type != "gateway":
                continue
            join_group(("complete", str(join)), join)
            for place in net.arcs:  # who puts a token into the scope from outside it
                if scope >> place.index & 1 and not rules.input_bits[place.source] & scope:
                    entering[place.source].append(join)
        #: per node: inputs of the nodes it must not overtake (shared data, instance failure,
        #: a subprocess completion it could delay), and the arcs from which any of them, or
        #: the node's own inputs, can be reached at all
        self.conflict: list[int] = []
        self.feeds: list[int] = []
        empty = (0, 0)
        for n in range(count):
            keys = [("kill", "")]
            keys += [("read", name) for name in writes[n]]
            keys += [("write", name) for name in reads[n] | (writes[n] & live_names[n])]
            keys += [("complete", str(join)) for join in entering[n]]
            inputs, reach = 0, feeds[n]
            for key in keys:
                more_inputs, more_reach = groups.get(key, empty)
                inputs |= more_inputs
                reach |= more_reach
            self.conflict.append(inputs & ~rules.input_bits[n])
            self.feeds.append(reach)

    @staticmethod
    def _names(mask: int, data: DataModel) -> set[str]:
        return {name for slot, name in enumerate(data.names) if mask >> slot & 1}

    def run(self) -> Exploration:
        result = self._search()
        if result.fresh_broken and self.fresh is not None:
            # a fresh value is read twice after all (or a gateway gets stuck on one):
            # search again with every value in the state
            vanish, escape = self.vanish, self.escape
            self._setup(self.rules.data, fresh=False)
            self.vanish, self.escape = vanish, escape
            result = self._search()
        return result

    def _search(self) -> Exploration:
        net = self.net
        start = net.starts[0]
        marking = tuple(sorted(a for a in net.outputs[start] if not self.vanish >> a & 1))
        if any(self.escape >> a & 1 for a in net.outputs[start]):
            marking = ()
        data = self.rules.data
        for values in data.initial_valuations():
            for slot in self.rules.fresh:  # not stored: one start per tracked valuation
                values = (*values[:slot], data.choices[slot][0], *values[slot + 1 :])
            self._add((marking, self.canon(marking, values)), -1, (start, "ok"))
        while True:
            self._drain()
            result = self.result
            stopped = result.bound_hit or result.unsafe_stop or result.fresh_broken
            if stopped or not self.reduce or not self._proviso():
                break
        return self.result

    def _add(self, key: Key, parent: int, via: tuple[int, str]) -> int:
        found = self.index.get(key)
        if found is not None:
            return found
        result = self.result
        if self.fresh is not None and key[0] and self.fresh.shared(key[0]):
            result.fresh_broken = True
        if len(result.keys) >= self.limit or (len(result.keys) & 1023 == 1023 and expired()):
            if len(result.keys) < self.limit:
                result.out_of_time = True
                result.bound_hit = True
            elif self.limit < self.max_states:
                result.unsafe_stop = True
            else:
                result.bound_hit = True
            return -1
        sid = len(result.keys)
        self.index[key] = sid
        result.keys.append(key)
        result.parent.append(parent)
        result.via.append(via)
        result.succ.append([])
        result.by.append([])
        result.reduced.append(False)
        result.expanded.append(False)
        self.queue.append(sid)
        return sid

    def _drain(self) -> None:
        result = self.result
        while self.queue and not (result.bound_hit or result.unsafe_stop or result.fresh_broken):
            self._expand(self.queue.popleft(), full=False)
            if self.rules.fresh_stuck or result.fresh_broken:
                result.fresh_broken = True
                return

    def _expand(self, sid: int, full: bool) -> None:
        result = self.result
        marking, values = result.keys[sid]
        result.expanded[sid] = True
        if not marking:
            return
        counts: dict[int, int] = {}
        marked = 0
        for arc in marking:
            counts[arc] = counts.get(arc, 0) + 1
            marked |= 1 << arc
        if max(counts.values()) >= TOKEN_CAP:
            result.truncated.append(sid)
            return
        arcs = self.net.arcs
        candidates = sorted({arcs[arc].target for arc in counts})
        enabled: list[list[Move]] = []
        for node in candidates:
            moves = self.rules.moves(node, counts, marked, values, sid)
            if moves:
                enabled.append(moves)
        chosen = enabled
        # once the net is known to be unsafe the search is cut short, so the proviso never
        # runs: the remaining markings are expanded in full, and every node enabled in them
        # fires in some explored run (which is what decides dead tasks without the rest)
        unsafe = self.limit < self.max_states
        if self.reduce and not full and not unsafe and len(enabled) > 1:
            for moves in enabled:
                if self._alone(moves[0].node, counts, marked):
                    chosen = [moves]
                    result.reduced[sid] = True
                    break
        if full:
            result.reduced[sid] = False
            done = set(result.succ[sid])
        else:
            done = set()
        for moves in chosen:
            for move in moves:
                if move.outcome == FAIL or move.values is None:
                    key: Key = (None, self.canon(None, values))
                else:
                    tokens = list(marking)
                    for arc in move.consume:
                        tokens.remove(arc)
                    flags = self.rules.flags
                    for arc in move.produce:
                        # a completion join only needs to know that some token got there
                        if not ((flags >> arc & 1 and arc in tokens) or self.vanish >> arc & 1):
                            tokens.append(arc)
                    if self.escape and any(self.escape >> arc & 1 for arc in move.produce):
                        tokens = []  # that token ends the instance, whatever the others do
                    tokens.sort()
                    key = (tuple(tokens), self.canon(tokens, move.values))
                    if self.limit == self.max_states and any(
                        tokens.count(arc) > 1 for arc in move.produce
                    ):
                        self.limit = min(self.max_states, len(result.keys) + UNSAFE_EXTRA)
                target = self._add(key, sid, (move.node, move.outcome))
                if target < 0:
                    result.expanded[sid] = False  # cut off by the bound: not a dead end
                    return
                result.fired.add(move.node)
                if target not in done:
                    done.add(target)
                    result.succ[sid].append(target)
                    result.by[sid].append(move.node)

    def _alone(self, node: int, counts: dict[int, int], marked: int) -> bool:
        """May this node fire alone here (see the module docstring)?"""
        if self.kills[node]:
            return False
        inputs = self.rules.input_bits[node]
        if any(counts.get(arc, 0) > 1 for arc in self.net.inputs[node]):
            return False
        others = marked & ~inputs
        if not others & self.feeds[node]:
            return True  # no other token can reach it, or anything it conflicts with, at all
        return not self._flood(others, node) & (inputs | self.conflict[node])

    def _flood(self, others: int, skip: int) -> int:
        """Places the tokens ``others`` can still get to while ``skip`` does not fire.

        A least fixpoint over the flow graph that ignores data and choices (so it
        over-approximates, the safe direction) but not synchronisation: a parallel join
        passes a token on only once every input can be reached.
        """
        net = self.net
        arcs, joins, outputs, errors = net.arcs, self.joins, net.outputs, net.error_arc
        reached = others
        stack = []
        rest = others
        while rest:  # the set bits, lowest first: a few tokens, however many places
            low = rest & -rest
            stack.append(low.bit_length() - 1)
            rest ^= low
        while stack:
            node = arcs[stack.pop()].target
            if node == skip:
                continue
            needed = joins.get(node)
            if needed is not None and reached & needed != needed:
                continue
            error = errors[node]
            for arc in outputs[node] if error is None else (*outputs[node], error):
                if not reached >> arc & 1:
                    reached |= 1 << arc
                    stack.append(arc)
        return reached

    def _proviso(self) -> bool:
        """Fully expand reduced states in terminal components; True if anything changed."""
        result = self.result
        changed = False
        for component in components(result.succ):
            members = set(component)
            if len(component) == 1 and component[0] not in result.succ[component[0]]:
                continue
            if any(t not in members for s in component for t in result.succ[s]):
                continue
            for sid in sorted(component):
                if result.reduced[sid]:
                    self._expand(sid, full=True)
                    changed = True
        return changed


def _keep(marking: object, values: Values) -> Values:
    return values
