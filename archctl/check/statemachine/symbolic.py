"""Symbolic reachability for machines whose data is unbounded or too large to enumerate.

A question is a goal: "is there a reachable configuration in state s whose values satisfy
phi". Two Z3 engines answer it:

- bounded model checking (an incremental unrolling, depth by depth) finds the shortest
  concrete run to the goal when one exists within the bound;
- Spacer (z3.Fixedpoint, constrained Horn clauses, one relation per state) proves that no
  run of any length reaches the goal, by finding an inductive invariant, even over unbounded
  integers and reals.

Out-of-range updates (SM107) are not steps of the machine: like the explicit engine, both
encodings keep every variable inside its declared range.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import z3

from archctl.check.budget import clamp_ms
from archctl.check.smt import (
    Compiler,
    Outcome,
    SmtVar,
    constant,
    declare,
    domain_of,
    enum_names,
    from_z3,
    new_solver,
    solve,
)
from archctl.check.statemachine.evidence import Step
from archctl.check.statemachine.invariant import invariant_text
from archctl.evidence import Value
from archctl.model.expr import Action
from archctl.model.statemachine import StateMachine, Transition
from archctl.model.types import enum_type

#: env (variable name -> term), current state term -> condition; extras are read on success.
GoalBuilder = Callable[[Mapping[str, Any], Any, Callable[[str], Any]], tuple[Any, dict[str, Any]]]


class Verdict(enum.Enum):
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


@dataclass
class Answer:
    verdict: Verdict
    note: str
    steps: list[Step] | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    #: what decided it ("bmc", "spacer") and, when it has one, why (checks.md "proved")
    engine: str = "z3"
    certificate: str | None = None


@dataclass
class Effect:
    """The terms of a transition's sequential action: result, range obligations, fresh vars."""

    after: dict[str, Any]
    assigned: list[Any]  # term assigned by each assignment, in order
    fresh: list[Any]
    fresh_domain: list[Any]


class Encoding:
    """Shared pieces of both engines for one machine."""

    def __init__(self, machine: StateMachine) -> None:
        self.machine = machine
        # a context of its own: Z3's answers (models, invariants) depend on what a context
        # saw before, so each machine's result is a function of that machine alone
        self.ctx = z3.Context()
        # the control state is the `state` enum of property expressions: the same code by
        # name as every enum (smt.enum_code), so `state == "done"` means what it says
        state_type = enum_type(tuple(state.name for state in machine.states))
        #: state name of each control-state code, and the code of each state name
        self.names = enum_names(state_type)
        self.index = {name: code for code, name in enumerate(self.names)}
        #: invariants already made readable (invariant.invariant_text's cache)
        self.invariants: dict[str, str] = {}
        self.types = {variable.name: variable.type for variable in machine.variables}
        self.counter = 0

    def frame(self, suffix: str) -> list[SmtVar]:
        return [declare(v.name, v.type, suffix, self.ctx) for v in self.machine.variables]

    def in_domain(self, frame: list[SmtVar]) -> list[Any]:
        return [c for var in frame for c in var.domain()]

    def initial(self, frame: list[SmtVar]) -> list[Any]:
        return [
            var.term == constant(v.initial, v.type, self.ctx)
            for var, v in zip(frame, self.machine.variables, strict=False)
            if v.initial is not None
        ]

    def fresh(self, name: str) -> Any:
        self.counter += 1
        return declare(name, self.types[name], f"!any{self.counter}", self.ctx).term

    def effect(
        self, action: Action, env: Mapping[str, Any], fresh: Callable[[str], Any] | None = None
    ) -> Effect:
        make = fresh or self.fresh
        current = dict(env)
        assigned: list[Any] = []
        chosen: list[Any] = []
        fresh_domain: list[Any] = []
        for assignment in action:
            if assignment.value is None:
                term = make(assignment.target)
                chosen.append(term)
                fresh_domain += domain_of(self.types[assignment.target], term)
            else:
                term = Compiler(current, self.ctx).expr(assignment.value)
            current[assignment.target] = term
            assigned.append(term)
        return Effect(current, assigned, chosen, fresh_domain)

    def fires(self, transition: Transition, env: Mapping[str, Any]) -> tuple[Any, Effect]:
        """Guard and in-range obligations of firing ``transition``, and its effect."""
        effect = self.effect(transition.action, env)
        parts = list(effect.fresh_domain)
        if transition.guard is not None:
            parts.append(Compiler(env, self.ctx).expr(transition.guard))
        for assignment, term in zip(transition.action, effect.assigned, strict=False):
            parts += domain_of(self.types[assignment.target], term)
        return z3.And(*parts) if parts else z3.BoolVal(True, self.ctx), effect

    def step(
        self, env: Mapping[str, Any], nxt: Mapping[str, Any], pc: Any, pc_next: Any, taken: Any
    ) -> Any:
        """One transition from frame ``env`` (state ``pc``) to ``nxt``; ``taken`` its number."""
        options = []
        for number, transition in enumerate(self.machine.transitions):
            enabled, effect = self.fires(transition, env)
            options.append(
                z3.And(
                    pc == self.index[transition.source],
                    enabled,
                    pc_next == self.index[transition.target],
                    taken == number,
                    *[nxt[name] == effect.after[name] for name in nxt],
                )
            )
        return z3.Or(*options) if options else z3.BoolVal(False, self.ctx)


class Bmc:
    """Incremental unrolling; frame k holds the state, the values and the transition taken."""

    def __init__(self, encoding: Encoding, timeout_ms: int) -> None:
        self.encoding = encoding
        self.ctx = encoding.ctx
        self.solver = new_solver(timeout_ms, self.ctx)
        self.frames: list[list[SmtVar]] = []
        self.pcs: list[Any] = []
        self.taken: list[Any] = []
        # step k is asserted only under active@k, so a deeper unrolling never forces a
        # shorter run to continue (a run may stop in any state)
        self.active: list[Any] = []
        self.solver.add(*self._frame())
        machine = encoding.machine
        self.solver.add(self.pcs[0] == encoding.index[machine.initial])
        self.solver.add(*encoding.initial(self.frames[0]))

    def _frame(self) -> list[Any]:
        k = len(self.frames)
        frame = self.encoding.frame(f"@{k}")
        self.frames.append(frame)
        self.pcs.append(z3.Int(f"state@{k}", self.ctx))
        self.taken.append(z3.Int(f"taken@{k}", self.ctx))
        self.active.append(z3.Bool(f"active@{k}", self.ctx))
        return self.encoding.in_domain(frame)

    def env(self, k: int) -> dict[str, Any]:
        return {var.name: var.term for var in self.frames[k]}

    def _unroll(self) -> None:
        k = len(self.frames) - 1
        domain = self._frame()
        env, nxt = self.env(k), self.env(k + 1)
        step = self.encoding.step(env, nxt, self.pcs[k], self.pcs[k + 1], self.taken[k + 1])
        self.solver.add(z3.Implies(self.active[k + 1], z3.And(*domain, step)))

    def search(self, goal: GoalBuilder, depth: int, start: int = 0) -> tuple[Answer | None, bool]:
        """Shortest run to the goal within ``depth`` steps; the flag says an answer was unknown."""
        unknown = False
        for k in range(start, depth + 1):
            while len(self.frames) <= k:
                self._unroll()
            condition, extras = goal(self.env(k), self.pcs[k], self.encoding.fresh)
            self.solver.push()
            self.solver.add(condition)
            outcome = solve(self.solver, self.active[1 : k + 1])
            if outcome is Outcome.SAT:
                answer = self._answer(self.solver.model(), k, extras)
                self.solver.pop()
                return answer, unknown
            unknown = unknown or outcome is Outcome.UNKNOWN
            self.solver.pop()
        return None, unknown

    def _answer(self, model: Any, depth: int, extras: dict[str, Any]) -> Answer:
        machine = self.encoding.machine
        steps = []
        for k in range(depth + 1):
            state = self.encoding.names[model.eval(self.pcs[k], model_completion=True).as_long()]
            values = {
                var.name: from_z3(model.eval(var.term, True), var.type) for var in self.frames[k]
            }
            via = None
            if k > 0:
                via = machine.transitions[model.eval(self.taken[k], True).as_long()]
            steps.append(Step(state, values, via))
        read = {name: model.eval(term, model_completion=True) for name, term in extras.items()}
        note = f"trace found by bounded model checking at depth {depth}"
        run = f"a run of {depth} step(s) found by bounded model checking"
        return Answer(Verdict.REACHABLE, note, steps, read, "bmc", run)


def spacer(encoding: Encoding, goal: GoalBuilder, timeout_ms: int) -> Answer:
    """Prove the goal unreachable (an inductive invariant) or reachable, for runs of any length.

    Spacer's default lemma generalisation (interpolation) sometimes diverges on counters that
    a bounded update keeps below a constant; a second configuration without it settles those
    quickly, so an unknown from the first is retried once with the same per-query timeout.
    """
    first = _spacer(encoding, goal, timeout_ms, interpolate=True)
    if first.verdict is not Verdict.UNKNOWN:
        return first
    second = _spacer(encoding, goal, timeout_ms, interpolate=False)
    if second.verdict is not Verdict.UNKNOWN:
        return second
    return Answer(Verdict.UNKNOWN, f"{first.note}; retried: {second.note}")


def _spacer(encoding: Encoding, goal: GoalBuilder, timeout_ms: int, interpolate: bool) -> Answer:
    machine = encoding.machine
    ctx = encoding.ctx
    fp = z3.Fixedpoint(ctx=ctx)
    fp.set(engine="spacer")
    fp.set("timeout", clamp_ms(timeout_ms))  # at most what is left of the spec's budget
    fp.set("spacer.use_iuc", interpolate)
    now, nxt = encoding.frame(""), encoding.frame("'")
    sorts = [var.term.sort() for var in now]
    relations = [z3.Function(f"at!{name}", *sorts, z3.BoolSort(ctx)) for name in encoding.names]
    error = z3.Function("error!", z3.BoolSort(ctx))
    fp.register_relation(*relations, error)
    fp.declare_var(*[var.term for var in now + nxt])
    terms = [var.term for var in now]
    env = {var.name: var.term for var in now}
    start = relations[encoding.index[machine.initial]]
    fp.rule(start(*terms), [*encoding.in_domain(now), *encoding.initial(now)])
    for transition in machine.transitions:
        enabled, effect = encoding.fires(transition, env)
        if effect.fresh:
            fp.declare_var(*effect.fresh)
        head = relations[encoding.index[transition.target]]
        links = [n.term == effect.after[n.name] for n in nxt]
        body = [relations[encoding.index[transition.source]](*terms), enabled, *links]
        fp.rule(head(*[n.term for n in nxt]), body)
    for number, relation in enumerate(relations):
        condition, _ = goal(env, z3.IntVal(number, ctx), _declaring(fp, encoding))
        condition = _tighten(condition)
        if not z3.is_false(condition):
            fp.rule(error(), [relation(*terms), condition])
    try:
        answer = fp.query(error())
    except z3.Z3Exception as problem:  # a timeout cancels the query with an exception
        raw = problem.value
        reason = raw.decode() if isinstance(raw, bytes) else str(raw)
        # the configured limit, not the clamped one: what is left of the budget depends on
        # how fast the machine ran, and the same input must give the same message
        return Answer(
            Verdict.UNKNOWN,
            f"Spacer stopped at its time limit ({timeout_ms} ms, or what was left of the "
            f"spec's budget; {reason})",
        )
    if answer == z3.unsat:
        names = {s.name: relations[encoding.index[s.name]] for s in machine.states}
        types = [var.type for var in now]
        domain = encoding.in_domain(now)
        certificate = invariant_text(
            fp.get_answer(), names, terms, types, domain, encoding.invariants
        )
        note = "proved unreachable by Spacer (inductive invariant)"
        return Answer(Verdict.UNREACHABLE, note, engine="spacer", certificate=certificate)
    if answer == z3.sat:
        return Answer(Verdict.REACHABLE, "shown reachable by Spacer", engine="spacer")
    reason = fp.reason_unknown() or "unknown"
    return Answer(Verdict.UNKNOWN, f"Spacer answered unknown ({reason})")


def _tighten(condition: Any) -> Any:
    """Simplify and merge bounds (x >= 999 and x >= 1000 -> x >= 1000): Spacer is sensitive."""
    goal = z3.Goal(ctx=condition.ctx)
    goal.add(condition)
    try:
        return z3.Then("simplify", "propagate-ineqs", ctx=condition.ctx)(goal).as_expr()
    except z3.Z3Exception:
        return z3.simplify(condition)


def _declaring(fp: Any, encoding: Encoding) -> Callable[[str], Any]:
    def fresh(name: str) -> Any:
        term = encoding.fresh(name)
        fp.declare_var(term)
        return term

    return fresh


class Reach:
    """Answers goals: BMC for short runs, then Spacer, then deeper BMC for the trace."""

    def __init__(self, machine: StateMachine, timeout_ms: int, quick: int = 8, deep: int = 40):
        self.encoding = Encoding(machine)
        self.timeout_ms = timeout_ms
        self.bmc = Bmc(self.encoding, timeout_ms)
        self.quick = quick
        self.deep = deep

    def ask(self, goal: GoalBuilder) -> Answer:
        found, _ = self.bmc.search(goal, self.quick)
        if found is not None:
            return found
        proof = spacer(self.encoding, goal, self.timeout_ms)
        if proof.verdict is not Verdict.REACHABLE:
            return proof
        found, _ = self.bmc.search(goal, self.deep, self.quick + 1)
        if found is not None:
            return found
        proof.note += f"; no run of at most {self.deep} steps found to show as a trace"
        return proof


def values_of(answer: Answer, types: Mapping[str, Any]) -> dict[str, Value]:
    """Extras of an answer as Python values (``types`` maps each extra to its VarType)."""
    return {name: from_z3(term, types[name]) for name, term in answer.extras.items()}
