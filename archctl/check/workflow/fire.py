"""Firing rules of the token game: what a node can do in a marking and valuation.

A *move* consumes tokens from some input places, puts tokens on output places and yields
the new valuation (or ``None`` when the instance fails). The rules are BPMN token semantics
as spec-format.md states them; docs/workflows.md lists the choices made where it is silent.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

from archctl.check.workflow.data import DataModel, Values
from archctl.check.workflow.graph import Net, task_failure
from archctl.model.evaluate import compile_expr
from archctl.model.expr import names_in

#: outcome of a move: the task succeeded, failed into on_error, or failed the instance
OK, ERROR, FAIL = "ok", "error", "fail"


class Move(NamedTuple):
    node: int
    consume: tuple[int, ...]
    produce: tuple[int, ...]
    values: Values | None
    outcome: str


class Rules:
    """Precomputed per-node facts and memoised data evaluation for one workflow."""

    def __init__(self, net: Net, data: DataModel) -> None:
        self.net = net
        self.data = data
        self.position = {name: i for i, name in enumerate(data.names)}
        nodes = net.nodes
        self.failure = [task_failure(node) for node in nodes]
        self.conditioned = [
            any(net.arcs[a].flow is not None and _guarded(net, a) for a in net.outputs[i])
            for i in range(len(nodes))
        ]
        self.tests = {
            arc.index: compile_expr(arc.flow.when)
            for arc in net.arcs
            if arc.flow is not None and arc.flow.when is not None
        }
        self.input_bits = [net.bits(net.inputs[i]) for i in range(len(nodes))]
        self.or_joins = [
            i
            for i, node in enumerate(nodes)
            if node.type == "gateway"
            and node.gateway == "inclusive"
            and len(net.inputs[i]) > 1
            and not node.scope  # a subprocess completion has a rule of its own
        ]
        self._upstream: dict[int, dict[int, int]] = {g: self.upstream_of(g) for g in self.or_joins}
        #: completion gateways of flattened subprocesses and scoped terminates: node -> the
        #: bitset of places inside the scope (flows into its nodes)
        self.scopes: dict[int, int] = {
            i: scope_bits(net, node.scope) for i, node in enumerate(nodes) if node.scope
        }
        #: inputs of completion joins: a token there only says "some inner token finished",
        #: so a second one adds nothing (and is no unsafe flow)
        self.flags = 0
        for i in self.scopes:
            if nodes[i].type == "gateway":
                self.flags |= self.input_bits[i]
        #: slots of fresh variables (fresh.py): never stored, chosen where they are read
        self.fresh: list[int] = []
        #: set when a gateway's conditions all fail for some fresh value: the abstraction
        #: cannot show that stuck token, so the search must be repeated without it
        self.fresh_stuck = False
        self._fresh_reads: dict[int, list[int]] = {}
        self._effects: dict[tuple[int, Values], list[Values]] = {}
        self._truth: dict[tuple[int, Values], bool] = {}
        #: gateway -> valuations at which it was offered a token (first state id seen)
        self.seen: dict[int, dict[Values, int]] = {}

    def moves(
        self, node: int, counts: dict[int, int], marked: int, values: Values, sid: int
    ) -> list[Move]:
        net = self.net
        spec = net.nodes[node]
        present = [a for a in net.inputs[node] if counts.get(a)]
        if not present:
            return []
        kind = spec.type
        if spec.terminate:
            return self._terminate(node, counts, values)
        if kind == "end":
            return [Move(node, (a,), (), values, OK) for a in present]
        if kind in ("task", "start"):
            return [m for a in present for m in self._task(node, a, values)]
        if node in self.scopes:
            return self._complete(node, counts, marked, values)
        gateway = spec.gateway
        if gateway == "parallel":
            if len(present) < len(net.inputs[node]):
                return []
            return [Move(node, tuple(net.inputs[node]), net.outputs[node], values, OK)]
        if gateway == "inclusive" and node in self._upstream:
            if not self._or_join_ready(node, present, marked):
                return []
            consumed = tuple(present)
            return [Move(node, consumed, out, values, OK) for out in self._split(node, values, sid)]
        return [
            Move(node, (a,), out, values, OK)
            for a in present
            for out in self._split(node, values, sid)
        ]

    def _terminate(self, node: int, counts: dict[int, int], values: Values) -> list[Move]:
        """A terminate end takes every token; a scoped one every token inside its scope."""
        scope = self.scopes.get(node)
        outputs = self.net.outputs[node] if scope is not None else ()
        killed = tuple(
            place
            for place, count in sorted(counts.items())
            if scope is None or scope >> place & 1
            for _ in range(count)
        )
        return [Move(node, killed, outputs, values, OK)]

    def _complete(
        self, node: int, counts: dict[int, int], marked: int, values: Values
    ) -> list[Move]:
        """A subprocess completes once no token is left inside it, taking all that arrived."""
        inputs = self.input_bits[node]
        if marked & self.scopes[node] & ~inputs:
            return []
        taken = tuple(a for a in self.net.inputs[node] for _ in range(counts.get(a, 0)))
        return [Move(node, taken, self.net.outputs[node], values, OK)]

    def _task(self, node: int, arc: int, values: Values) -> list[Move]:
        can_fail, always = self.failure[node]
        out: list[Move] = []
        if not always:
            outputs = self.net.outputs[node]
            for after in self.effects(node, values):
                out.append(Move(node, (arc,), outputs, after, OK))
        if can_fail:
            error = self.net.error_arc[node]
            if error is None:
                out.append(Move(node, (arc,), (), None, FAIL))
            else:
                out.append(Move(node, (arc,), (error,), values, ERROR))
        return out

    def effects(self, node: int, values: Values) -> list[Values]:
        """Valuations after the node's `sets` (``any`` branches over the tracked choices)."""
        key = (node, values)
        cached = self._effects.get(key)
        if cached is not None:
            return cached
        envs = [self.data.env(values)]
        for assignment in self.net.nodes[node].sets:
            slot = self.position.get(assignment.target)
            if slot is None or slot in self.fresh:
                continue  # untracked, or fresh: chosen where it is read
            nxt: list[dict[str, Any]] = []
            for env in envs:
                if assignment.value is None:
                    for choice in self.data.choices[slot]:
                        nxt.append({**env, assignment.target: choice})
                else:
                    result = compile_expr(assignment.value)(env)
                    nxt.append({**env, assignment.target: self.data.canon[slot](result)})
            envs = nxt
        result_values = list(dict.fromkeys(tuple(env[n] for n in self.data.names) for env in envs))
        self._effects[key] = result_values
        return result_values

    def holds(self, arc: int, values: Values) -> bool:
        key = (arc, values)
        cached = self._truth.get(key)
        if cached is None:
            test = self.tests.get(arc)
            cached = True if test is None else bool(test(self.data.env(values)))
            self._truth[key] = cached
        return cached

    def _split(self, node: int, values: Values, sid: int) -> list[tuple[int, ...]]:
        """Output place sets of a gateway firing; empty when no condition holds (stuck)."""
        net = self.net
        outputs = net.outputs[node]
        if not outputs:
            return [()]
        exclusive = net.nodes[node].gateway != "inclusive"
        if not self.conditioned[node]:
            if exclusive:
                return [(a,) for a in outputs]
            return [
                subset
                for size in range(1, len(outputs) + 1)
                for subset in itertools.combinations(outputs, size)
            ]
        if self.fresh and self.fresh_read(node):
            return self._fresh_split(node, values, sid, exclusive)
        return self._conditioned_split(node, values, sid, exclusive)

    def _fresh_split(
        self, node: int, values: Values, sid: int, exclusive: bool
    ) -> list[tuple[int, ...]]:
        """Every output set some value of the fresh variables gives, in a stable order."""
        slots = self.fresh_read(node)
        out: dict[tuple[int, ...], None] = {}
        for combo in itertools.product(*(self.data.choices[slot] for slot in slots)):
            full = list(values)
            for slot, value in zip(slots, combo, strict=True):
                full[slot] = value
            taken = self._conditioned_split(node, tuple(full), sid, exclusive)
            if not taken:
                self.fresh_stuck = True
            out.update(dict.fromkeys(taken))
        return list(out)

    def fresh_read(self, node: int) -> list[int]:
        """The fresh variables the gateway's conditions read."""
        found = self._fresh_reads.get(node)
        if found is None:
            names: set[str] = set()
            for arc in self.net.outputs[node]:
                flow = self.net.arcs[arc].flow
                if flow is not None and flow.when is not None:
                    names |= names_in(flow.when)
            found = [slot for slot in self.fresh if self.data.names[slot] in names]
            self._fresh_reads[node] = found
        return found

    def fresh_choice(self, node: int, values: Values, produced: tuple[int, ...]) -> Values | None:
        """``values`` with fresh variables under which the gateway takes ``produced``: the
        values a trace shows for what the environment chose at the read."""
        slots = self.fresh_read(node) if self.fresh else []
        exclusive = self.net.nodes[node].gateway != "inclusive"
        for combo in itertools.product(*(self.data.choices[slot] for slot in slots)):
            full = list(values)
            for slot, value in zip(slots, combo, strict=True):
                full[slot] = value
            taken = self._conditioned_split(node, tuple(full), -1, exclusive, record=False)
            if taken and tuple(sorted(taken[0])) == produced:
                return tuple(full)
        return None

    def _conditioned_split(
        self, node: int, values: Values, sid: int, exclusive: bool, record: bool = True
    ) -> list[tuple[int, ...]]:
        net = self.net
        outputs = net.outputs[node]
        if record:
            self.seen.setdefault(node, {}).setdefault(values, sid)
        defaults = [a for a in outputs if _is_default(net, a)]
        taken = [a for a in outputs if not _is_default(net, a) and self.holds(a, values)]
        if exclusive:
            taken = taken[:1]
        if not taken:
            taken = defaults[:1]
        return [tuple(taken)] if taken else []

    def upstream_of(self, gateway: int) -> dict[int, int]:
        """For each input of a join: the arcs that reach it without passing the join."""
        net = self.net
        out: dict[int, int] = {}
        for target in net.inputs[gateway]:
            found = 0
            todo = [target]
            while todo:
                arc = todo.pop()
                source = net.arcs[arc].source
                if source == gateway:
                    continue
                for before in net.inputs[source]:
                    if not found >> before & 1:
                        found |= 1 << before
                        todo.append(before)
            out[target] = found
        return out

    def _or_join_ready(self, gateway: int, present: list[int], marked: int) -> bool:
        """BPMN 2.0: no token elsewhere can still reach an empty input without a full one."""
        upstream = self._upstream[gateway]
        full = empty = 0
        for arc, reach in upstream.items():
            if arc in present:
                full |= reach
            else:
                empty |= reach
        elsewhere = marked & ~self.input_bits[gateway]
        return not (elsewhere & empty & ~full)


def scope_bits(net: Net, scope: tuple[str, ...]) -> int:
    """The places inside a subprocess scope: every flow into one of its nodes."""
    members = {net.ids[name] for name in scope if name in net.ids}
    return net.bits([arc.index for arc in net.arcs if arc.target in members])


def _is_default(net: Net, arc: int) -> bool:
    flow = net.arcs[arc].flow
    return flow is not None and flow.default


def _guarded(net: Net, arc: int) -> bool:
    flow = net.arcs[arc].flow
    return flow is not None and (flow.when is not None or flow.default)
