"""Every SM question asked of the symbolic engine, one reachability goal each.

Each finding names how it was decided (bounded model checking with the trace depth, or a
Spacer inductive invariant); whatever Z3 cannot decide becomes SM901 naming the question.
Each decided answer without a finding is recorded as proved, with its engine and certificate.
Termination (SM103) is not a reachability question: a state is proved fine by a fixpoint
from the final states (every reachable valuation can take a transition towards a state
already proved, or is a deadlock), reported when no path over transitions that can fire
reaches a final state or a possible deadlock, and undecided (SM901) otherwise; a graph path
to a deadlock exempts nothing (docs/statemachines.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import z3

from archctl import codes
from archctl.check.smt import Compiler, Outcome, domain_of, from_z3, new_solver, solve
from archctl.check.statemachine.evidence import Findings, Step, transition_id
from archctl.check.statemachine.graph import (
    ControlGraph,
    backward_closure,
    nondeterministic_pairs,
)
from archctl.check.statemachine.symbolic import Answer, Encoding, GoalBuilder, Reach, Verdict
from archctl.model.expr import Assignment, Expr
from archctl.model.statemachine import Property, StateMachine, Transition


def check_symbolic(machine: StateMachine, findings: Findings, timeout_ms: int) -> None:
    graph = ControlGraph(machine)
    reach = Reach(machine, timeout_ms)
    index = reach.encoding.index
    reached: dict[str, Answer] = {}
    undecided: set[str] = set()  # reachability unknown (SM901): kept as possibly reachable
    for state in machine.states:
        if state.name not in graph.reachable:
            findings.detail = "unreachable in the state graph, whatever the data"
            findings.unreachable(state.name)
            continue
        answer = reach.ask(_at(index[state.name]))
        if _decided(
            findings, answer, state.name, f"whether '{state.name}' is reachable", state.span
        ):
            if answer.verdict is Verdict.UNREACHABLE:
                findings.unreachable(state.name)
            else:
                reached[state.name] = answer
                findings.proof(codes.SM101, state.name, answer.engine, answer.certificate)
        else:
            undecided.add(state.name)
    may_deadlock = _deadlocks(machine, graph, reach, reached, findings)
    dead: set[int] = set()  # positions of transitions proved never enabled
    for number, transition in enumerate(machine.transitions):
        if transition.source not in reached:
            continue
        subject = transition_id(transition)
        if transition.guard is None:
            findings.proof(codes.SM105, subject, "graph", "no guard, and its source is reachable")
        else:
            answer = reach.ask(_at(index[transition.source], [transition.guard]))
            what = f"whether '{transition.label}' is ever enabled"
            if _decided(findings, answer, subject, what, transition.span):
                if answer.verdict is Verdict.UNREACHABLE:
                    findings.dead_transition(transition)
                    dead.add(number)
                else:
                    findings.proof(codes.SM105, subject, answer.engine, answer.certificate)
        ranged = [p for p, a in enumerate(transition.action) if _ranged(reach.encoding, a)]
        kept = [_out_of_range(reach, transition, position, findings) for position in ranged]
        if ranged and all(k is not None for k in kept):
            engines = sorted({k[0] for k in kept if k is not None})
            why = "; ".join(k[1] for k in kept if k is not None)
            findings.proof(codes.SM107, subject, "+".join(engines), why)
    live = [
        t
        for number, t in enumerate(machine.transitions)
        if number not in dead and t.source in reached.keys() | undecided
    ]
    _termination(machine, graph, reach, reached, set(may_deadlock), live, findings)
    for state_name in reached:
        for first, second in nondeterministic_pairs(graph.outgoing[state_name]):
            guards = [g for g in (first.guard, second.guard) if g is not None]
            answer = reach.ask(_at(index[state_name], guards))
            what = f"whether '{first.label}' and '{second.label}' overlap"
            subject = transition_id(second)
            if not _decided(findings, answer, subject, what, second.span):
                continue
            if answer.verdict is Verdict.REACHABLE:
                witness = answer.steps[-1].values if answer.steps else None
                findings.nondeterminism(first, second, witness)
            else:
                findings.proof(codes.SM104, subject, answer.engine, answer.certificate)
    for prop in machine.properties:
        if not prop.is_liveness:  # SM203: liveness_smt.py
            _property(reach, prop, reached, findings)
    findings.detail = None


def _at(state: int, conditions: list[Expr] | None = None, negate: bool = False) -> GoalBuilder:
    def build(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
        parts = [Compiler(env, pc.ctx).expr(c) for c in conditions or []]
        if negate:
            parts = [z3.Not(p) for p in parts]
        return z3.And(pc == state, *parts), {}

    return build


def _decided(findings: Findings, answer: Answer, subject: str, what: str, span: Any) -> bool:
    """Record the engine note; an unknown answer becomes SM901 and returns False."""
    findings.detail = answer.note
    if answer.verdict is Verdict.UNKNOWN:
        findings.inconclusive(subject, what, span, answer.note)
        return False
    return True


def _deadlocks(
    machine: StateMachine,
    graph: ControlGraph,
    reach: Reach,
    reached: dict[str, Answer],
    findings: Findings,
) -> list[str]:
    """SM102 per reached state; returns the states that may deadlock (shown or undecided)."""
    out = []
    for state_name, answer in reached.items():
        if state_name in machine.final:
            continue
        free = [t for t in graph.outgoing[state_name] if t.guard is None]
        if free:
            findings.proof(codes.SM102, state_name, "graph", f"'{free[0].label}' has no guard")
            continue
        guards = [t.guard for t in graph.outgoing[state_name]]
        conditions = [g for g in guards if g is not None]
        if conditions:
            answer = reach.ask(_at(reach.encoding.index[state_name], conditions, negate=True))
        state = machine.state(state_name)
        assert state is not None
        if not _decided(
            findings, answer, state_name, f"whether '{state_name}' deadlocks", state.span
        ):
            out.append(state_name)
        elif answer.verdict is Verdict.REACHABLE:
            findings.deadlock(state_name, answer.steps)
            out.append(state_name)
        else:
            findings.proof(codes.SM102, state_name, answer.engine, answer.certificate)
    return out


def _termination(
    machine: StateMachine,
    graph: ControlGraph,
    reach: Reach,
    reached: dict[str, Answer],
    may_deadlock: set[str],
    live: list[Transition],
    findings: Findings,
) -> None:
    """SM103 per reached state: proved, shown (a trace into a closed loop), or SM901.

    A state is fine only where the fixpoint proves that each of its reachable valuations
    can still reach a final state or a deadlock (``_proved_exits``): having a path in the
    state graph to a deadlocked state proves nothing when a guard closes that path. It is
    reported when no path over ``live`` transitions (those not proved dead, between states
    not proved unreachable) leads to a final state or a state that may deadlock: every run
    from it stays on such paths, so none can finish or stop. Anything else is undecided.
    """
    if not machine.final:
        return
    proved = _proved_exits(machine, graph, reach)
    exits = _live_exits(machine, live, may_deadlock)
    open_states = []
    for state in machine.states:
        name = state.name
        if name not in reached:
            continue
        if name in proved:
            findings.proof(codes.SM103, name, *proved[name])
        elif name not in exits:
            findings.detail = (
                "no path to a final state or a deadlock over transitions that can fire "
                "(dead transitions and unreachable states left out), whatever the data"
            )
            findings.no_termination(name, reached[name].steps)
        else:
            open_states.append(name)
    from archctl.check.statemachine.termination import settle

    runs = {name: reached[name].steps for name in open_states}
    settle(reach, graph, set(proved), open_states, runs, findings)


def _live_exits(machine: StateMachine, live: list[Transition], may_deadlock: set[str]) -> set[str]:
    """States with a path over ``live`` transitions to a final or possibly deadlocked state."""
    parents: dict[str, list[str]] = {}
    for transition in live:
        parents.setdefault(transition.target, []).append(transition.source)
    targets = [*machine.final, *sorted(may_deadlock)]
    return backward_closure(targets, lambda name: parents.get(name, []))


def _proved_exits(
    machine: StateMachine, graph: ControlGraph, reach: Reach
) -> dict[str, tuple[str, str | None]]:
    """States from which a final state or a deadlock stays reachable: a fixpoint from the finals.

    A state is added when in every valuation (first try: the whole domain, one SMT query;
    then: every reachable valuation, a reachability question to BMC and Spacer) either no
    transition is enabled (a deadlock: SM102 reports it) or some transition into an already
    proved state is enabled and keeps its updates in range. Its successor is then reachable
    and proved, so by induction every run from it can still finish or stop. Each proved
    state maps to the engine and certificate of its proof.
    """
    encoding = reach.encoding
    proved: dict[str, tuple[str, str | None]] = {
        name: ("graph", "a final state") for name in machine.final
    }
    frame = encoding.frame("")
    env = {var.name: var.term for var in frame}
    tried: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for name in graph.order:
            exits = [t for t in graph.outgoing[name] if t.target in proved]
            if name in proved or tried.get(name) == len(exits):
                continue
            tried[name] = len(exits)
            stuck = _stuck(encoding, graph.outgoing[name], env)
            if not exits and z3.is_false(stuck):
                continue
            options = [stuck]
            for transition in exits:
                enabled, effect = encoding.fires(transition, env)
                options.append(z3.Exists(effect.fresh, enabled) if effect.fresh else enabled)
            solver = new_solver(reach.timeout_ms, encoding.ctx)
            solver.add(*encoding.in_domain(frame), z3.Not(z3.Or(*options)))
            ways = _ways_out(exits, stuck)
            if solve(solver) is Outcome.UNSAT:
                proved[name] = ("z3", f"in every valuation {ways}")
            else:
                answer = _no_stuck_valuation(reach, name, exits)
                if answer.verdict is not Verdict.UNREACHABLE:
                    continue
                invariant = "" if answer.certificate is None else f"; {answer.certificate}"
                proved[name] = (answer.engine, f"in every reachable valuation {ways}{invariant}")
            changed = True
    return proved


def _ways_out(exits: list[Transition], stuck: Any) -> str:
    """The certificate's reason: which transitions lead on, or that it deadlocks."""
    out = []
    if exits:
        labels = " or ".join(f"'{t.label}'" for t in exits)
        out.append(f"{labels} can fire towards a state proved to finish")
    if not z3.is_false(stuck):
        out.append("no transition is enabled (a deadlock, SM102)")
    return ", or ".join(out)


def _stuck(encoding: Encoding, outgoing: list[Transition], env: Mapping[str, Any]) -> Any:
    """No transition of ``outgoing`` is enabled (its guard fails): a deadlock at a non-final."""
    if any(t.guard is None for t in outgoing):
        return z3.BoolVal(False, encoding.ctx)
    compiler = Compiler(env, encoding.ctx)
    return z3.And(*[z3.Not(compiler.expr(t.guard)) for t in outgoing if t.guard], encoding.ctx)


def _no_stuck_valuation(reach: Reach, state: str, exits: list[Transition]) -> Answer:
    """Whether Z3 proves (UNREACHABLE) that every reachable valuation of ``state`` deadlocks
    or can take one of ``exits``."""
    encoding = reach.encoding
    usable = [t for t in exits if _plain(encoding, t)]
    index = encoding.index[state]
    outgoing = [t for t in encoding.machine.transitions if t.source == state]

    def build(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
        blocked = [z3.Not(encoding.fires(t, env)[0]) for t in usable]
        return z3.And(pc == index, z3.Not(_stuck(encoding, outgoing, env)), *blocked), {}

    return reach.ask(build)


def _plain(encoding: Encoding, transition: Transition) -> bool:
    """No `any` choice in the action (its enabledness is then quantifier-free)."""
    return all(assignment.value is not None for assignment in transition.action)


def _ranged(encoding: Encoding, assignment: Assignment) -> bool:
    """Only declared ranges can be left (SM107); enum and bool updates are typed."""
    var_type = encoding.types[assignment.target]
    return var_type.is_numeric and (var_type.low is not None or var_type.high is not None)


def _out_of_range(
    reach: Reach, transition: Transition, position: int, findings: Findings
) -> tuple[str, str] | None:
    """SM107 for one ranged assignment; the engine and certificate when proved in range."""
    encoding = reach.encoding
    assignment = transition.action[position]
    var_type = encoding.types[assignment.target]
    source = encoding.index[transition.source]
    names = [v.name for v in encoding.machine.variables]

    def build(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
        effect = encoding.effect(transition.action[: position + 1], env, fresh)
        parts = [pc == source, *effect.fresh_domain]
        if transition.guard is not None:
            parts.append(Compiler(env, encoding.ctx).expr(transition.guard))
        for earlier, term in zip(transition.action[:position], effect.assigned, strict=False):
            parts += domain_of(encoding.types[earlier.target], term)
        parts.append(z3.Not(z3.And(*domain_of(var_type, effect.assigned[position]))))
        return z3.And(*parts), {name: effect.after[name] for name in names}

    answer = reach.ask(build)
    what = f"whether '{transition.label}' keeps {assignment.target} in range"
    if not _decided(findings, answer, transition_id(transition), what, assignment.span):
        return None
    if answer.verdict is not Verdict.REACHABLE:
        kept = f"{assignment.target} stays in {var_type.describe()}"
        if answer.certificate is not None:
            kept += f" ({answer.certificate})"
        return answer.engine, kept
    types = encoding.types
    after = {name: from_z3(term, types[name]) for name, term in answer.extras.items()}
    steps: list[Step] | None = None
    if answer.steps is not None:
        steps = [*answer.steps, Step(transition.target, after, transition, "out of range")]
    findings.out_of_range(transition, assignment, after.get(assignment.target), var_type, steps)
    return None


def _property(reach: Reach, prop: Property, reached: dict[str, Answer], findings: Findings) -> None:
    if prop.kind == "reachable":
        state = prop.state
        if state is not None and state in reached:
            findings.proof(
                codes.SM202, prop.name, reached[state].engine, reached[state].certificate
            )
        elif state is not None:
            findings.detail = None
            if not any(d.code == codes.SM901 and d.subject == state for d in findings.out):
                findings.unreachable_property(prop)
        return
    condition = prop.condition
    assert condition is not None

    def build(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
        holds = Compiler({**env, "state": pc}, pc.ctx).expr(condition)
        return (z3.Not(holds) if prop.kind == "always" else holds), {}

    answer = reach.ask(build)
    if not _decided(findings, answer, prop.name, f"property '{prop.name}'", prop.span):
        return
    if answer.verdict is Verdict.REACHABLE:
        findings.violated(prop, answer.steps)
    else:
        findings.proof(codes.SM201, prop.name, answer.engine, answer.certificate)
