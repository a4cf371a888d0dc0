"""Linear ranking functions that prove "a final state can still be reached" over unbounded data.

The states left undecided by the exit fixpoint (``symbolic_checks``) form a region ``U``; the
states already proved fine are the *exits*. A ranking function is one linear expression per
state of ``U``, ``R_s(x) = d_s + sum c_v * x_v`` over the numeric variables, such that in every
*reachable* configuration ``(s, x)`` some transition fires (guard true, updates in range) and
either leads to an exit or keeps ``R >= 0`` before the step and lowers ``R`` by at least 1.
Then from every reachable configuration a run of progress steps is finite and ends at an
exit, from which a final state is reachable by the fixpoint: the property holds.

Synthesis is template based and counterexample guided, as in termination provers (T2,
Ultimate): the unknown coefficients are solved for at a growing set of reachable sample
configurations (each sample makes the condition linear in the coefficients, a disjunction
over the transitions), then the candidate is verified for *all* configurations. Verification
first asks Z3 over the whole declared domain; when a configuration there breaks it, the
question becomes a reachability goal, answered by bounded model checking (a concrete
reachable counterexample, the next sample) or by Spacer (an inductive invariant excludes
every bad configuration: proved). Coefficients are integers, tried small first, so the
certificate reads like ``10 - x``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from archctl.check.smt import Outcome, constant, new_solver, solve
from archctl.check.statemachine.symbolic import GoalBuilder, Reach, Verdict
from archctl.evidence import Value
from archctl.model.statemachine import Transition
from archctl.model.types import TypeKind

#: coefficient bounds tried in turn (small first: readable certificates, quick answers)
BOUNDS = (1, 10, 1000)
#: samples added before giving up (each is a reachable counterexample to a candidate)
MAX_ROUNDS = 12


@dataclass
class Ranked:
    """Outcome of a synthesis attempt: the certificate per state, or why none was found."""

    functions: dict[str, str]
    reason: str


@dataclass(frozen=True)
class Move:
    transition: Transition
    enabled: Any  # guard and range obligations over the frame
    after: dict[str, Any]  # terms after the update
    exit: bool


class RankingSearch:
    #: optimise every candidate (slower per round, but converges in fewer rounds where many
    #: functions fit the samples); otherwise only the final certificate is minimised
    minimal = False

    def __init__(
        self, reach: Reach, region: Sequence[str], exits: set[str], timeout_ms: int
    ) -> None:
        self.reach = reach
        self.encoding = reach.encoding
        self.ctx = reach.encoding.ctx
        self.region = list(region)
        self.timeout_ms = timeout_ms
        machine = self.encoding.machine
        self.frame = self.encoding.frame("")
        self.env = {var.name: var.term for var in self.frame}
        self.numeric = [var for var in self.frame if var.type.kind in (TypeKind.INT, TypeKind.REAL)]
        real = any(var.type.kind is TypeKind.REAL for var in self.numeric)
        sort = z3.RealSort(self.ctx) if real else z3.IntSort(self.ctx)

        def make(name: str) -> Any:
            return z3.Const(name, sort)

        self.coefficients = {
            s: (make(f"rank!{s}!const"), [make(f"rank!{s}!{v.name}") for v in self.numeric])
            for s in self.region
        }
        self.moves: dict[str, list[Move]] = {s: [] for s in self.region}
        for transition in machine.transitions:
            if self.usable(transition, exits):
                enabled, effect = self.encoding.fires(transition, self.env)
                self.moves[transition.source].append(
                    Move(transition, enabled, effect.after, transition.target in exits)
                )

    def unknowns(self) -> list[Any]:
        """Every unknown of the template, in a fixed order (for the tie-breaking objectives)."""
        return [term for const, rest in self.coefficients.values() for term in (const, *rest)]

    def unknown_bounds(self) -> list[Any]:
        """Constraints on unknowns a subclass adds to the template (none here)."""
        return []

    def usable(self, transition: Transition, exits: set[str]) -> bool:
        """Moves that may serve as progress: from the region, to the region or an exit."""
        if transition.source not in self.moves:
            return False
        if any(a.value is None for a in transition.action):
            return False  # an `any` choice: progress would need a quantifier over it
        return transition.target in exits or transition.target in self.moves

    # -- the template -------------------------------------------------------------------------
    def rank(self, state: str, env: Mapping[str, Any], model: Any = None) -> Any:
        const, coefficients = self.coefficients[state]
        if model is not None:
            const = model.eval(const, model_completion=True)
            coefficients = [model.eval(c, model_completion=True) for c in coefficients]
        total = const
        for coefficient, var in zip(coefficients, self.numeric, strict=True):
            total = total + coefficient * env[var.name]
        return total

    def progress(self, state: str, model: Any = None) -> Any:
        """Some move fires and exits, or descends from R >= 0 by at least 1."""
        now = self.rank(state, self.env, model)
        options = []
        for move in self.moves[state]:
            if move.exit:
                options.append(move.enabled)
            else:
                later = self.rank(move.transition.target, move.after, model)
                options.append(z3.And(move.enabled, now >= 0, later <= now - 1))
        return z3.Or(*options) if options else z3.BoolVal(False, self.ctx)

    # -- counterexample-guided synthesis --------------------------------------------------
    def run(self, seeds: Sequence[tuple[str, Mapping[str, Value]]]) -> Ranked:
        samples = [(s, v) for s, v in seeds if s in self.moves]
        refuted = 0
        for bound in BOUNDS:
            while refuted <= MAX_ROUNDS:
                candidate = self._candidate(samples, bound, minimal=self.minimal)
                if candidate is None:
                    break  # no function of this size fits the samples: allow larger ones
                if isinstance(candidate, str):
                    return Ranked({}, candidate)
                verdict = self._verify(candidate)
                if isinstance(verdict, dict):
                    smallest = None if self.minimal else self._smallest(samples, bound)
                    return Ranked(smallest or verdict, "")
                if isinstance(verdict, str):
                    return Ranked({}, verdict)
                samples.append(verdict)
                refuted += 1
            if refuted > MAX_ROUNDS:
                break
        return Ranked(
            {},
            f"no linear ranking function (integer coefficients up to {BOUNDS[-1]}) fits "
            f"{len(samples)} reachable sample configuration(s) after {refuted} refuted "
            "candidate(s)",
        )

    def _smallest(
        self, samples: list[tuple[str, Mapping[str, Value]]], bound: int
    ) -> dict[str, str] | None:
        """The smallest function that fits the samples, if it also verifies: certificates
        read best small (``9 - x``, not ``17 - 2*x``). Only run once a proof is in hand, as
        optimising every candidate would cost more than the search itself.

        Every function that verifies fits every sample (samples are reachable), so the
        optimum over the samples, once it verifies, is the optimum over all certificates
        within the bound: the same whichever samples the search happened to collect."""
        samples = list(samples)
        for _ in range(MAX_ROUNDS):
            model = self._candidate(samples, bound, minimal=True)
            if model is None or isinstance(model, str):
                return None
            verdict = self._verify(model)
            if isinstance(verdict, dict):
                return verdict
            if isinstance(verdict, str):
                return None
            samples.append(verdict)
        return None

    def _candidate(
        self, samples: list[tuple[str, Mapping[str, Value]]], bound: int, minimal: bool = False
    ) -> Any:
        solver = z3.Optimize(ctx=self.ctx) if minimal else z3.Solver(ctx=self.ctx)
        solver.set("timeout", self.timeout_ms)
        size = []
        for const, coefficients in self.coefficients.values():
            solver.add(*[z3.And(c >= -bound, c <= bound) for c in coefficients])
            solver.add(const >= -100 * bound, const <= 100 * bound)
            size += [z3.If(c >= 0, c, -c) for c in (const, *coefficients)]
        if minimal:
            # the smallest function first, then each unknown in a fixed order: the optimum
            # is unique, so the certificate does not depend on the path the search took (or
            # on what Z3 solved earlier in the process)
            solver.minimize(z3.Sum(*size))
            for unknown in self.unknowns():
                solver.minimize(unknown)
        solver.add(*self.unknown_bounds())
        for state, values in samples:
            pairs = [
                (var.term, constant(values[var.name], var.type, self.ctx))
                for var in self.frame
                if var.name in values
            ]
            solver.add(z3.simplify(z3.substitute(self.progress(state), *pairs)))
        outcome = solve(solver)
        if outcome is Outcome.SAT:
            return solver.model()
        if outcome is Outcome.UNKNOWN:
            return "the solver answered unknown while fitting a ranking function"
        return None

    def _verify(self, model: Any) -> dict[str, str] | tuple[str, Mapping[str, Value]] | str:
        """Certificates when the candidate holds everywhere reachable; else a counterexample."""
        for state in self.region:
            condition = self.progress(state, model)
            solver = new_solver(self.timeout_ms, self.ctx)
            solver.add(*self.encoding.in_domain(self.frame), z3.Not(condition))
            if solve(solver) is Outcome.UNSAT:
                continue
            answer = self.reach.ask(self._breaks(self.encoding.index[state], condition))
            if answer.verdict is Verdict.UNREACHABLE:
                continue
            if answer.verdict is Verdict.UNKNOWN:
                return f"verifying a ranking candidate for '{state}': {answer.note}"
            if not answer.steps:
                return f"a candidate for '{state}' fails, but no run shows where: {answer.note}"
            return state, answer.steps[-1].values
        return {state: self.describe(state, model) for state in self.region}

    def _breaks(self, index: int, condition: Any) -> GoalBuilder:
        """Goal: a configuration in state ``index`` where ``condition`` fails."""

        def goal(env: Mapping[str, Any], pc: Any, fresh: Callable[[str], Any]) -> Any:
            pairs = [(var.term, env[var.name]) for var in self.frame]
            return z3.And(pc == index, z3.Not(z3.substitute(condition, *pairs))), {}

        return goal

    def describe(self, state: str, model: Any) -> str:
        const, coefficients = self.coefficients[state]
        terms: list[tuple[Fraction, str]] = []
        for coefficient, var in zip(coefficients, self.numeric, strict=True):
            value = _number(model.eval(coefficient, model_completion=True))
            if value:
                terms.append((value, var.name))
        constant_value = _number(model.eval(const, model_completion=True))
        return _linear(constant_value, terms)


def _number(term: Any) -> Fraction:
    if z3.is_int_value(term):
        return Fraction(term.as_long())
    fraction = term.as_fraction()
    return Fraction(fraction.numerator, fraction.denominator)


def _linear(constant_value: Fraction, terms: list[tuple[Fraction, str]]) -> str:
    """``10 - x``, ``a + 2*b - 1``: constant first when positive, as people write bounds."""
    parts: list[tuple[Fraction, str]] = []
    if constant_value > 0:
        parts.append((constant_value, ""))
    parts += terms
    if constant_value < 0:
        parts.append((constant_value, ""))
    if not parts:
        return "0"
    out = ""
    for number, (value, name) in enumerate(parts):
        magnitude = abs(value)
        text = name if magnitude == 1 and name else str(magnitude) + (f"*{name}" if name else "")
        if number == 0:
            out = ("-" if value < 0 else "") + text
        else:
            out += (" - " if value < 0 else " + ") + text
    return out
