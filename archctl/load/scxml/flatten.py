"""Flatten a chart into one :class:`StateMachine` whose runs are the chart's runs.

A flat state is an SCXML snapshot: the active states, the recorded histories and the
internal event queue (docs/scxml.md names them: ``a1+b1``, ``a1+b1#h=b2``, ``a1@e1,e2``). A
flat transition is one SCXML *microstep*: an external event (``on: E``), or, without an
event, an eventless transition or the consumption of the next internal event. Its guard says
exactly when SCXML would select this set of transitions: the ``cond`` of each chosen
transition and the negation of each higher-priority one that was consulted (eventless
transitions first, so an external event is only taken in a stable configuration); ``In()``
is decided by the configuration. Its action is the onexit, transition and onentry
assignments in SCXML's order. So a macrostep is an external step followed by the eventless
steps that are then enabled, and guards of one state never overlap (no SM104 from the import).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from archctl import codes
from archctl.diagnostics import Diagnostic, Severity
from archctl.load.scxml.chart import Assign, Chart, ChartTransition, Cond, If
from archctl.load.scxml.ecma import in_name
from archctl.load.scxml.semantics import Choose, Snapshot, Step
from archctl.load.scxml.symbolic import after, fold
from archctl.model.evaluate import evaluate
from archctl.model.expr import Action, Assignment, Binary, Expr, Unary, names_in, to_source
from archctl.model.statemachine import State, StateMachine, Transition
from archctl.model.types import BOOL
from archctl.source import Span

#: flat states explored at most; beyond, the chart is refused (an unbounded raise loop, or
#: parallel regions and histories multiplying beyond what a flat machine should hold)
MAX_STATES = 5000
START = "(start)"

Known = dict[int, bool]


class _Undecided(Exception):
    def __init__(self, key: int) -> None:
        self.key = key


@dataclass(frozen=True)
class _Edge:
    event: str | None
    known: tuple[tuple[int, bool], ...]
    target: Snapshot
    actions: tuple[Assign, ...]
    span: Span


class Flattener:
    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.step = Step(chart)
        self.by_order = {t.order: t for s in chart.states for t in s.transitions}
        self.in_names = {in_name(index): index for index in chart.in_names.values()}
        self.if_keys: dict[tuple[int, int, str], int] = {}
        self.if_residuals: dict[int, Expr | None] = {}

    # -- conditions ----------------------------------------------------------------------
    def residual(self, transition: ChartTransition, snap: Snapshot) -> Expr | bool | None:
        """The cond with ``In()`` fixed: a bool, an expression over data, or None (unknown)."""
        cond = transition.cond
        if cond is None:
            return True
        if cond.expr is None:
            return None
        return fold(cond.expr, lambda name: self._in(name, snap))

    def _in(self, name: str, snap: Snapshot) -> bool | None:
        index = self.in_names.get(name)
        return None if index is None else index in snap.config

    def holds(self, snap: Snapshot, known: Known) -> Callable[[ChartTransition], bool]:
        def decide(transition: ChartTransition) -> bool:
            value = self.residual(transition, snap)
            if isinstance(value, bool):
                return value
            if transition.order in known:
                return known[transition.order]
            raise _Undecided(transition.order)

        return decide

    def choose(self, known: Known, initial: bool = False) -> Choose:
        """Decide ``<if>`` branches as transition conds are decided: from the condition over
        the pre-state, or by branching on it (keys below zero, one per distinct residual).
        In the ``initial`` microstep the pre-state is the declared initial values."""
        start = {v.name: v.initial for v in self.chart.variables if v.initial is not None}

        def decide(statement: If, index: int, cond: Cond, actions: list[Assign]) -> bool:
            residual = None if cond.expr is None else after(cond.expr, actions)
            if isinstance(residual, bool):
                return residual
            if initial and residual is not None and names_in(residual) <= set(start):
                return bool(evaluate(residual, start))
            text = "?" if residual is None else to_source(residual)
            key = self.if_keys.setdefault((statement.key, index, text), -1 - len(self.if_keys))
            self.if_residuals[key] = residual
            if key in known:
                return known[key]
            raise _Undecided(key)

        return decide

    def guard(self, snap: Snapshot, known: tuple[tuple[int, bool], ...]) -> Expr | None:
        parts: list[Expr] = []
        for order, value in known:
            expr = (
                self.if_residuals[order] if order < 0 else self.residual(self.by_order[order], snap)
            )
            if isinstance(expr, bool) or expr is None:
                continue  # a cond archctl cannot read: both outcomes, no guard (LD009 said so)
            parts.append(expr if value else Unary("not", expr, expr.span, BOOL))
        if not parts:
            return None
        out = parts[0]
        for part in parts[1:]:
            out = Binary("and", out, part, out.span, BOOL)
        return out

    # -- one snapshot's microsteps ---------------------------------------------------------
    def starts(self) -> list[_Edge]:
        """The initial microstep, one edge per outcome of the ``<if>``s it runs."""
        out: list[_Edge] = []

        def start(known: Known) -> None:
            target, actions = self.step.start(self.choose(known, initial=True))
            out.append(_edge(None, known, target, actions, self.chart.span))

        _branch(start, {})
        return out

    def edges(self, snap: Snapshot) -> list[_Edge]:
        out: list[_Edge] = []
        if snap.halted:
            return out
        branch = _branch

        def emit(
            event: str | None, chosen: list[ChartTransition], known: Known, base: Snapshot
        ) -> None:
            target, actions = self.step.microstep(base, chosen, self.choose(known))
            span = chosen[0].span if chosen else self.chart.states[min(snap.config)].span
            out.append(_edge(event, known, target, actions, span))

        def macrostep(known: Known) -> None:
            holds = self.holds(snap, known)
            chosen = self.step.select(snap, None, holds)
            if chosen:
                emit(None, chosen, known, snap)
            elif snap.queue:
                rest = replace(snap, queue=snap.queue[1:])
                emit(None, self.step.select(snap, snap.queue[0], holds), known, rest)
            else:
                for event in self.chart.alphabet:
                    branch(functools.partial(external, event), known)

        def external(event: str, known: Known) -> None:
            chosen = self.step.select(snap, event, self.holds(snap, known))
            if chosen:
                emit(event, chosen, known, snap)

        branch(macrostep, {})
        return out

    # -- the whole machine ---------------------------------------------------------------
    def machine(self) -> tuple[StateMachine | None, list[Diagnostic]]:
        names: dict[Snapshot, str] = {}
        order: list[Snapshot] = []
        transitions: list[Transition] = []
        states: list[State] = []
        starts = self.starts()
        for edge in starts:
            if edge.target not in names:
                names[edge.target] = self.name(edge.target)
                order.append(edge.target)
        initial = names[starts[0].target]
        if len(starts) > 1 or starts[0].actions:
            initial = START
            states.append(State(START, self.chart.span, "SCXML initialisation (onentry content)"))
            empty = Snapshot(frozenset())
            for edge in starts:
                guard, action = self.guard(empty, edge.known), _action(edge.actions)
                transitions.append(
                    Transition(
                        len(transitions), START, names[edge.target], None, guard, action, edge.span
                    )
                )
        position = 0
        while position < len(order):
            snap = order[position]
            position += 1
            for edge in self.edges(snap):
                if edge.target not in names:
                    if len(order) >= MAX_STATES:
                        return None, [self._too_big()]
                    names[edge.target] = self.name(edge.target)
                    order.append(edge.target)
                transitions.append(
                    Transition(
                        len(transitions),
                        names[snap],
                        names[edge.target],
                        edge.event,
                        self.guard(snap, edge.known),
                        _action(edge.actions),
                        edge.span,
                    )
                )
        for snap in order:
            atomic = min((s for s in snap.config if self.chart.states[s].is_atomic), default=0)
            states.append(State(names[snap], self.chart.states[atomic].span))
        events = sorted({t.event for t in transitions if t.event is not None})
        machine = StateMachine(
            name=self.chart.name,
            span=self.chart.span,
            variables=self.chart.variables,
            states=tuple(states),
            initial=initial,
            final=tuple(names[snap] for snap in order if snap.halted),
            events=tuple(events),
            transitions=tuple(transitions),
            description="imported from SCXML (flattened: docs/scxml.md)",
        )
        return machine, []

    def name(self, snap: Snapshot) -> str:
        """``a1+b1`` (atomic states in document order), ``#h=x+y;..`` the recorded histories,
        ``@e1,e2`` the internal queue: unique, and the same on every run."""
        states = self.chart.states
        text = "+".join(states[s].id for s in sorted(snap.config) if states[s].is_atomic)
        if snap.history:
            text += "#" + ";".join(
                f"{states[h].id}={'+'.join(states[s].id for s in kept)}" for h, kept in snap.history
            )
        if snap.queue:
            text += "@" + ",".join(snap.queue)
        return text

    def _too_big(self) -> Diagnostic:
        return Diagnostic(
            codes.LD009,
            Severity.ERROR,
            f"chart '{self.chart.name}' flattens into more than {MAX_STATES} configurations "
            "(an unbounded <raise> loop, or many parallel regions and histories); not imported",
            self.chart.span,
            help="split the chart, or raise fewer internal events per macrostep",
        )


def _branch(run: Callable[[Known], None], known: Known) -> None:
    """Run ``run``; when it needs a condition not decided yet, run it for both values."""
    try:
        run(known)
    except _Undecided as undecided:
        _branch(run, {**known, undecided.key: True})
        _branch(run, {**known, undecided.key: False})


def _edge(
    event: str | None, known: Known, target: Snapshot, actions: list[Assign], span: Span
) -> _Edge:
    if target.halted:  # nothing after halting matters: one flat final state per configuration
        target = Snapshot(target.config, halted=True)
    return _Edge(event, tuple(sorted(known.items())), target, tuple(actions), span)


def _action(actions: tuple[Assign, ...] | list[Assign]) -> Action:
    return tuple(Assignment(a.target, a.value, a.span, a.span) for a in actions)


def flatten(chart: Chart) -> tuple[StateMachine | None, list[Diagnostic]]:
    """The flat machine of ``chart`` (docs/scxml.md), or None and why not."""
    return Flattener(chart).machine()
