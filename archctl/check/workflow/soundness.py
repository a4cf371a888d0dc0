"""Soundness verdicts from an explored state space: WF103-WF106 and the WF901 bounds.

Deadlocks, unsafe places and executed tasks are read off the states; "no option to
complete" needs two backward searches (which states can still complete, which can still
reach a deadlock): a state that can do neither is stuck in a livelock, reported once as
WF104 (a state that can only deadlock is the deadlock's business, WF103).
"""

from __future__ import annotations

from archctl import codes
from archctl.check.scc import reaching
from archctl.check.workflow.data import DataModel, Values
from archctl.check.workflow.fire import ERROR, FAIL, OK
from archctl.check.workflow.graph import Net
from archctl.check.workflow.net import Exploration, Explorer, Key
from archctl.check.workflow.traps import Traps
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Trace, TraceStep, Value
from archctl.source import Span


class Soundness:
    def __init__(
        self,
        net: Net,
        data: DataModel,
        found: Exploration,
        spec: str,
        explorer: Explorer | None = None,
    ) -> None:
        #: the explorer that found the states: traces re-derive from it the values the
        #: live-variable reduction stored canonically (a trace shows what really happens)
        self.explorer = explorer
        self.net = net
        self.data = data
        self.found = found
        self.spec = spec
        #: set when a trap holds a token from the start: no run completes at all
        self.never_completes = False
        #: inputs of subprocess completion joins (see Rules.flags)
        self.flags = net.bits(
            [
                a
                for i, n in enumerate(net.nodes)
                if n.scope and n.type == "gateway"
                for a in net.inputs[i]
            ]
        )

    def diagnostic(
        self,
        code: Code,
        message: str,
        span: Span,
        subject: str,
        sid: int | None = None,
        notes: tuple[str, ...] = (),
    ) -> Diagnostic:
        evidence = None if sid is None else self.trace(sid)
        return Diagnostic(
            code, default_severity(code), message, span, self.spec, subject, evidence, notes=notes
        )

    def trace(self, sid: int) -> Trace:
        path = []
        while sid >= 0:
            path.append(sid)
            sid = self.found.parent[sid]
        path.reverse()
        return self.trace_of(path, [self.found.via[state] for state in path])

    def trace_of(self, path: list[int], moves: list[tuple[int, str]]) -> Trace:
        """The trace along ``path`` (states), each entered by the (node, outcome) in ``moves``."""
        steps = []
        previous: Key | None = None
        for state, values, (node, outcome) in zip(
            path, self._actual(path, moves), moves, strict=True
        ):
            marking = self.found.keys[state][0]
            node_id = self.net.nodes[node].id
            note = None
            if outcome == FAIL:
                note = f"'{node_id}' failed for good and has no on_error: the instance fails"
            elif outcome == ERROR:
                note = f"'{node_id}' failed after its last attempt; the token goes to its on_error"
            if marking is None and previous is not None:
                tokens: tuple[str, ...] = ()
            else:
                tokens = tuple(self.net.arcs[a].label for a in marking or ())
            named: dict[str, Value] = dict(zip(self.data.names, values, strict=False))
            steps.append(TraceStep(node=node_id, tokens=tokens, values=named, note=note))
            previous = (marking, values)
        return Trace(tuple(steps))

    def _actual(self, path: list[int], moves: list[tuple[int, str]]) -> list[Values]:
        """The values along ``path`` as a run has them, dead ones included.

        States store values no token can still read canonically; replaying each task's
        effects from the first state and keeping the outcome that the stored state is the
        canonical form of gives concrete values that really occur together.
        """
        keys = self.found.keys
        if self.explorer is None:
            return [keys[state][1] for state in path]
        rules, canon = self.explorer.rules, self.explorer.canon
        actual = keys[path[0]][1]
        out = [actual]
        for state, (node, outcome) in zip(path[1:], moves[1:], strict=True):
            marking, stored = keys[state]
            if outcome == OK and marking is not None and self.net.nodes[node].sets:
                candidates = rules.effects(node, actual)
                actual = next((c for c in candidates if canon(marking, c) == stored), stored)
            out.append(actual)
        if rules.fresh:
            self._fresh_values(path, moves, out)
        return out

    def _fresh_values(
        self, path: list[int], moves: list[tuple[int, str]], out: list[Values]
    ) -> None:
        """Fill in the fresh variables (never stored) with what each read took.

        A gateway that read one took some branch; a value that takes it is what the
        environment chose, from the write before the read (or the start) until the next.
        """
        assert self.explorer is not None
        rules, keys, net = self.explorer.rules, self.found.keys, self.net
        names = self.data.names
        for i in range(1, len(path)):
            node = moves[i][0]
            before, after = keys[path[i - 1]][0], keys[path[i]][0]
            if not rules.fresh_read(node) or before is None or after is None:
                continue
            produced = tuple(a for a in net.outputs[node] if after.count(a) > before.count(a))
            chosen = rules.fresh_choice(node, out[i - 1], produced)
            if chosen is None:
                continue
            for slot in rules.fresh_read(node):
                writes = [
                    any(a.target == names[slot] for a in net.nodes[moves[j][0]].sets)
                    for j in range(len(path))
                ]
                low = i - 1
                while low > 0 and not writes[low]:
                    low -= 1
                high = i + 1
                while high < len(path) and not writes[high]:
                    high += 1
                for j in range(low, high):
                    out[j] = (*out[j][:slot], chosen[slot], *out[j][slot + 1 :])

    def dead_ends(self) -> list[int]:
        found = self.found
        truncated = set(found.truncated)
        return [
            sid
            for sid, (marking, _) in enumerate(found.keys)
            if marking and found.expanded[sid] and not found.succ[sid] and sid not in truncated
        ]

    def check(self, reachable: set[int]) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        deadlocks = self.dead_ends()
        out += self._deadlocks(deadlocks)
        out += self._unsafe()
        complete = not (self.found.bound_hit or self.found.unsafe_stop or self.found.truncated)
        if complete:
            out += self.livelock(deadlocks)
            out += self._dead_tasks(reachable)
        elif self.explorer is not None:
            out += self._trapped()
        return out

    def _trapped(self) -> list[Diagnostic]:
        """WF104 without the whole state space: the first explored marking that marks a trap.

        The search stopped (tokens piling up without bound, or the state bound), so the
        backward analysis of ``livelock`` has no complete graph to run on; a marked trap
        (traps.py) is a proof on its own that the marking can never complete.
        """
        assert self.explorer is not None
        traps = Traps(self.net, self.explorer.rules)
        if not traps.trap:
            return []
        roots = [sid for sid, parent in enumerate(self.found.parent) if parent < 0]
        self.never_completes = all(traps.stuck(self.found.keys[sid][0]) for sid in roots)
        for sid, (marking, _) in enumerate(self.found.keys):
            if marking is None or not traps.stuck(marking):
                continue
            held = traps.marked(marking)
            node = self.net.nodes[self.net.arcs[marking[0]].target]
            for arc in marking:
                if traps.trap >> arc & 1:
                    node = self.net.nodes[self.net.arcs[arc].target]
                    break
            message = (
                "no option to complete: a run reaches a marking from which no run ends "
                f"(a token on {', '.join(repr(label) for label in held)} can never leave: "
                "every node that takes one from these flows puts one back)"
            )
            return [self.diagnostic(codes.WF104, message, node.span, node.id, sid)]
        return []

    def _deadlocks(self, deadlocks: list[int]) -> list[Diagnostic]:
        out = []
        seen: set[int] = set()
        net = self.net
        for sid in deadlocks:
            marking = self.found.keys[sid][0] or ()
            # a subprocess that cannot complete waits for a token stuck inside it: report
            # where that token is stuck
            flags = [a for a in marking if self.flags >> a & 1]
            arc = net.arcs[([a for a in marking if a not in flags] or flags)[0]]
            node = arc.target
            if node in seen:
                continue
            seen.add(node)
            spec = net.nodes[node]
            waiting = ", ".join(f"'{net.arcs[a].label}'" for a in dict.fromkeys(marking))
            missing = [net.arcs[a].label for a in net.inputs[node] if a not in marking]
            if spec.scope and spec.type == "gateway":
                what = f"'{spec.id}' waits for tokens left inside its subprocess, forever"
            elif spec.type == "gateway" and spec.gateway == "parallel" and missing:
                what = f"parallel join '{spec.id}' waits for '{missing[0]}', which never comes"
            elif (
                spec.type == "gateway" and spec.gateway == "inclusive" and len(net.inputs[node]) > 1
            ):
                what = f"inclusive join '{spec.id}' waits for tokens that can still arrive, forever"
            elif spec.type == "gateway":
                what = f"no condition of gateway '{spec.id}' holds and it has no default"
            else:
                what = f"'{spec.id}' cannot fire"
            message = f"deadlock: {what} (tokens left on {waiting})"
            out.append(self.diagnostic(codes.WF103, message, spec.span, spec.id, sid))
        return out

    def _unsafe(self) -> list[Diagnostic]:
        """One finding per place that can hold two tokens, except where that only follows
        from an unsafe place feeding its source (the root cause is reported instead)."""
        first: dict[int, int] = {}
        for sid, (marking, _) in enumerate(self.found.keys):
            if marking and len(set(marking)) != len(marking):
                for place in marking:
                    if marking.count(place) > 1:
                        first.setdefault(place, sid)
        net = self.net
        roots = [arc for arc in first if not any(a in first for a in self._feeding(arc))]
        if first and not roots:
            roots = [min(first, key=lambda a: (first[a], a))]
        out = []
        for arc_index in sorted(roots):
            sid = first[arc_index]
            arc = net.arcs[arc_index]
            source = net.nodes[arc.source]
            marking = self.found.keys[sid][0] or ()
            message = (
                f"unsafe: flow '{arc.label}' can hold {marking.count(arc_index)} tokens at "
                f"once (lack of synchronisation at '{source.id}')"
            )
            out.append(self.diagnostic(codes.WF105, message, arc.span, source.id, sid))
        return out

    def _feeding(self, arc: int) -> list[int]:
        """The flows whose tokens the source of ``arc`` passes on to it.

        For a subprocess completion that is everything inside the subprocess and the flows
        into its entry: it fires once per run of the subprocess, whatever arrived where.
        """
        net = self.net
        source = net.arcs[arc].source
        node = net.nodes[source]
        if not (node.scope and node.type == "gateway"):
            return list(net.inputs[source])
        inside = {net.ids[n] for n in node.scope if n in net.ids}
        entries = {a.source for a in net.arcs if a.target in inside and a.source not in inside}
        return [a.index for a in net.arcs if a.target in inside | entries] + list(
            net.inputs[source]
        )

    def backward(self, seeds: list[int]) -> set[int]:
        return reaching(self.found.succ, seeds)

    def livelock(self, deadlocks: list[int]) -> list[Diagnostic]:
        found = self.found
        done = [sid for sid, (marking, _) in enumerate(found.keys) if not marking]
        can_complete = self.backward(done)
        can_deadlock = self.backward(deadlocks)
        doomed = [
            sid
            for sid in range(len(found.keys))
            if sid not in can_complete and sid not in can_deadlock
        ]
        if not doomed:
            return []
        members = set(doomed)
        looping = sorted(
            {
                self.net.nodes[found.via[t][0]].id
                for s in doomed
                for t in found.succ[s]
                if t in members
            }
        )
        first = doomed[0]
        marking = found.keys[first][0] or ()
        subject = looping[0] if looping else self.net.nodes[self.net.arcs[marking[0]].target].id
        node = self.net.nodes[self.net.ids[subject]]
        message = (
            f"no option to complete: a run reaches a marking from which no run ends "
            f"(tokens cycle through {', '.join(repr(n) for n in looping) or 'nothing'})"
        )
        return [self.diagnostic(codes.WF104, message, node.span, subject, first)]

    def _dead_tasks(self, reachable: set[int]) -> list[Diagnostic]:
        out = []
        for index, node in enumerate(self.net.nodes):
            if node.type != "task" or index not in reachable or index in self.found.fired:
                continue
            message = (
                f"dead task: no run executes '{node.id}' (gateway conditions and data considered)"
            )
            out.append(self.diagnostic(codes.WF106, message, node.span, node.id))
        return out
