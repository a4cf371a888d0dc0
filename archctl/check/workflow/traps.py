"""Option to complete where the token game cannot finish: the maximal trap of the net.

An unsafe workflow may pile up tokens without bound (a loop that forks a token off on every
round), so its state space is infinite and no search decides option to complete. A *trap*
decides the negative answer anyway: a set of places such that every move that takes a token
from it puts one back into it. Once a trap holds a token it holds one forever, so a marking
that marks a trap can never become empty: the instance cannot complete. The union of two
traps is a trap, so one fixpoint computes the largest (start from every place, drop a place
while some move takes from it and has a way of firing that puts nothing back).

Every way a node may fire counts (all branches of a gateway, whatever its conditions say;
a task's success, its on_error and its failure), so data never makes a set look like a
trap that is not one. Moves that end the instance wholesale (a task failing without
on_error, a terminate end of the whole instance) are a way to finish whatever the other
tokens do: the argument is used only for markings from which no token can reach one.
"""

from __future__ import annotations

from collections.abc import Callable

from archctl.check.workflow.fire import Rules
from archctl.check.workflow.graph import Net


class Traps:
    def __init__(self, net: Net, rules: Rules) -> None:
        self.net = net
        moves = _moves(net, rules)
        trap = (1 << len(net.arcs)) - 1
        changed = True
        while changed:
            changed = False
            for consumed, alternatives in moves:
                if consumed & trap and any(not produced & trap for produced in alternatives):
                    trap &= ~consumed
                    changed = True
        #: the largest trap (bitset of places)
        self.trap = trap
        ancestors = net.ancestors()
        #: places from which a token can reach a node that ends the instance wholesale
        self.ending = 0
        for node, spec in enumerate(net.nodes):
            kills = (spec.terminate and not spec.scope) or (
                rules.failure[node][0] and net.error_arc[node] is None
            )
            if kills:
                for arc in net.inputs[node]:
                    self.ending |= ancestors[arc] | 1 << arc

    def stuck(self, marking: tuple[int, ...] | None) -> bool:
        """Can this marking provably never complete (a marked trap, nothing ending it all)?"""
        if not marking:
            return False
        bits = 0
        for arc in marking:
            bits |= 1 << arc
        return bool(bits & self.trap) and not bits & self.ending

    def marked(self, marking: tuple[int, ...]) -> list[str]:
        """Labels of the trap's places that hold a token here (for the message)."""
        return [self.net.arcs[a].label for a in dict.fromkeys(marking) if self.trap >> a & 1]


def _moves(net: Net, rules: Rules) -> list[tuple[int, list[int]]]:
    """Per way of consuming: (places taken, the place sets one firing may put tokens on)."""
    out: list[tuple[int, list[int]]] = []
    for node, spec in enumerate(net.nodes):
        inputs = net.inputs[node]
        outputs = net.bits(net.outputs[node])
        singles = [1 << arc for arc in net.outputs[node]] or [0]
        if spec.terminate:
            scope = rules.scopes.get(node)
            taken = rules.input_bits[node] | (scope if scope is not None else 0)
            out.append((taken, [outputs if scope is not None else 0]))
        elif spec.type == "end":
            out += [(1 << arc, [0]) for arc in inputs]
        elif spec.type in ("task", "start"):
            can_fail, always = rules.failure[node]
            produced = [] if always else [outputs]
            if can_fail:
                error = net.error_arc[node]
                produced.append(0 if error is None else 1 << error)
            out += [(1 << arc, produced) for arc in inputs]
        elif spec.gateway == "parallel" or node in rules.scopes:
            out.append((rules.input_bits[node], [outputs]))
        else:  # exclusive or inclusive, split or join: any one branch may be all it takes
            out += [(1 << arc, singles) for arc in inputs]
    return out


def drains(net: Net, rules: Rules) -> int:
    """Places whose tokens can always leave on their own and touch nothing else.

    A place is in the set when its node fires on that one token whatever the data and the
    other tokens (a task that writes no tracked variable and cannot end the instance, a
    gateway without conditions that is neither a join nor a subprocess completion, an end
    outside subprocesses) and every way it fires puts tokens only on places of the set: a
    least fixpoint from the ends, so a token there reaches an end in finitely many steps
    whatever is chosen. Places inside subprocess scopes are left out (a token there delays
    a completion).

    Such tokens never enable, disable or change anything else, and no marking is dead while
    one is left. So a marking can complete if the same marking without them can (drain them
    first; one that reaches a terminate end of the instance completes it outright), and a
    reachable dead marking holds none of them and is reached without them too (a run that
    fires a terminate end ends there, empty). So when the net where tokens put there vanish
    at once (``Explorer.vanish``) has no deadlock and every marking of it can complete, the
    same holds for the real net; that search stays finite when these are the only tokens
    that pile up (a boundary event that fires again and again, a loop that forks work off on
    every round). The converse holds without terminate ends; it is never relied on.
    """
    scoped = 0
    for bits in rules.scopes.values():
        scoped |= bits
    tracked = set(rules.data.names)
    alone: list[list[int] | None] = []
    for node, spec in enumerate(net.nodes):
        outputs = net.bits(net.outputs[node])
        singles = [1 << arc for arc in net.outputs[node]]
        can_fail, always = rules.failure[node]
        if spec.type == "end" and not spec.scope:
            alone.append([0])  # a plain end, or a terminate end of the instance (see above)
        elif spec.terminate or spec.scope or spec.type == "start":
            alone.append(None)
        elif spec.type == "task":
            error = net.error_arc[node]
            writes = any(assignment.target in tracked for assignment in spec.sets)
            if writes or (can_fail and error is None):
                alone.append(None)
            else:
                produced = [] if always else [outputs]
                alone.append(produced + ([1 << error] if can_fail and error is not None else []))
        elif spec.gateway == "parallel":
            alone.append([outputs] if len(net.inputs[node]) == 1 else None)
        elif rules.conditioned[node] or node in rules.or_joins or not singles:
            alone.append(None)
        else:
            alone.append(singles)
    return _least(net, alone, scoped, lambda produced, found: not produced & ~found)


def escapes(net: Net, rules: Rules) -> int:
    """Places whose token is bound for a terminate end of the whole instance.

    A least fixpoint from the inputs of those ends: a place whose node fires on its one
    token whatever the data and the rest (as for :func:`drains`, but writes are allowed) and
    every way of which puts a token on an earlier member. Such a token stays in the set until
    the terminate end takes everything, so a marking that holds one can complete, and a
    marking without one was reached by a run that never put one there. The search that
    counts a token put there as completion (``Explorer.escape``) therefore decides option
    to complete and deadlock freedom for the markings it does not cover. Places inside
    subprocess scopes are left out (a terminate of the scope could remove the token).
    """
    scoped = 0
    for bits in rules.scopes.values():
        scoped |= bits
    ways: list[list[int] | None] = []
    for node, spec in enumerate(net.nodes):
        singles = [1 << arc for arc in net.outputs[node]]
        if spec.type == "end" and spec.terminate and not spec.scope:
            ways.append([])  # the goal itself
        elif spec.type == "task" and not spec.terminate and not spec.scope:
            can_fail, always = rules.failure[node]
            error = net.error_arc[node]
            produced = [] if always else [net.bits(net.outputs[node])]
            if can_fail:
                produced.append(0 if error is None else 1 << error)
            ways.append(produced)
        elif spec.gateway == "parallel" and len(net.inputs[node]) == 1:
            ways.append([net.bits(net.outputs[node])])
        elif (
            spec.type == "gateway"
            and spec.gateway != "parallel"
            and not rules.conditioned[node]
            and node not in rules.or_joins
            and not spec.scope
            and singles
        ):
            ways.append(singles)
        else:
            ways.append(None)
    return _least(net, ways, scoped, lambda produced, found: bool(produced & found))


def _least(
    net: Net, ways: list[list[int] | None], scoped: int, good: Callable[[int, int], bool]
) -> int:
    """Least set of places (outside ``scoped``) whose node fires in one of ``ways`` (None:
    it does not qualify) and every way of which is ``good`` for the set found so far."""
    found = 0
    changed = True
    while changed:
        changed = False
        for arc in net.arcs:
            options = ways[arc.target]
            if found >> arc.index & 1 or scoped >> arc.index & 1 or options is None:
                continue
            if all(good(produced, found) for produced in options):
                found |= 1 << arc.index
                changed = True
    return found
