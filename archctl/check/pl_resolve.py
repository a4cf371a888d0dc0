"""Version resolution: one version per selected plugin, newest preferred, or why not.

Semantics. The install roots must be selected. A selected candidate's `requires` entries
select their targets at a version the constraint allows; its `optional` entries constrain a
target only when that target is selected anyway (they never pull it in); its `conflicts`
entries forbid the target at any version the constraint allows. Among all selections that
honour this, the resolver prefers newest versions: it minimises the total number of newer
candidates skipped (index 0 is the newest), then the number of selected plugins.

Fast path: when "every reachable plugin at its newest version" is consistent, that selection
is optimal by definition (nothing skipped, nothing extra) and Z3 is not needed; this keeps
huge single-version sets linear. Otherwise each reachable plugin gets an integer (-1: not
selected, else a candidate index) and every fact is asserted under its own assumption
literal; an unsat core, shrunk to a minimal one by deletion, becomes the explanation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from archctl.check.pl_facts import Fact, chain, focus
from archctl.check.pl_index import PluginIndex
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.evidence import Explanation

#: Upper bound on the solver calls spent shrinking one unsat core to a minimal one.
MAX_SHRINK_CHECKS = 400


@dataclass
class Resolution:
    """``selected`` maps plugin -> candidate index; None when no selection was established."""

    selected: dict[str, int] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def resolve(index: PluginIndex, timeout_ms: int) -> Resolution:
    newest = _newest_selection(index)
    if newest is not None:
        return Resolution(newest)
    return _Solver(index, timeout_ms).run()


def _newest_selection(index: PluginIndex) -> dict[str, int] | None:
    """The closure of the roots at newest versions, if it honours every fact; else None."""
    selected: dict[str, int] = {root: 0 for root in index.roots}
    queue = deque(index.roots)
    while queue:
        version = index.plugins[queue.popleft()].versions[0]
        for requirement in version.requires:
            if 0 not in index.allowed(requirement):
                return None
            if requirement.name not in selected:
                selected[requirement.name] = 0
                queue.append(requirement.name)
    for name in selected:
        version = index.plugins[name].versions[0]
        for requirement in version.optional:
            if requirement.name in selected and 0 not in index.allowed(requirement):
                return None
        for requirement in version.conflicts:
            if requirement.name in selected and 0 in index.allowed(requirement):
                return None
    return selected


class _Solver:
    """One Z3 encoding of the problem, queried for a selection, an optimum or a core."""

    def __init__(self, index: PluginIndex, timeout_ms: int) -> None:
        import z3

        from archctl.check import smt
        from archctl.model.types import TypeKind, VarType

        self.z3 = z3
        self.smt = smt
        self.index = index
        self.timeout_ms = timeout_ms
        self.vars: dict[str, Any] = {}
        self.hard: list[Any] = []
        for name in index.reachable:
            high = Fraction(len(index.plugins[name].versions) - 1)
            var = smt.declare(f"v!{name}", VarType(TypeKind.INT, Fraction(-1), high))
            self.vars[name] = var.term
            self.hard.extend(var.domain())
        self.facts: list[Fact] = []
        self.terms: list[Any] = []
        self._encode()
        self.literals = [z3.Bool(f"fact!{fact.order}") for fact in self.facts]

    # -- encoding ------------------------------------------------------------------------------
    def _in(self, name: str, allowed: Sequence[int]) -> Any:
        """``v_name`` takes one of ``allowed`` (contiguous runs become interval tests)."""
        z3, var = self.z3, self.vars[name]
        runs: list[Any] = []
        start = previous = None
        for position in [*allowed, None]:
            if position is not None and previous is not None and position == previous + 1:
                previous = position
                continue
            if start is not None and previous is not None:
                runs.append(
                    var == start if start == previous else z3.And(var >= start, var <= previous)
                )
            start = previous = position
        return z3.Or(*runs) if len(runs) != 1 else runs[0]

    def _fact(self, fact: Fact, term: Any) -> None:
        self.facts.append(fact)
        self.terms.append(term)

    def _encode(self) -> None:
        z3, index = self.z3, self.index
        spans = dict(zip(index.spec.install or (), index.spec.install_spans, strict=False))
        for root in index.roots:
            span = spans.get(root, index.plugins[root].span)
            self._fact(Fact(len(self.facts), "root", span, root), self.vars[root] >= 0)
        for name in index.reachable:
            var = self.vars[name]
            for number, version in enumerate(index.plugins[name].versions):
                chosen = var == number
                for requirement in version.requires:
                    allowed = index.allowed(requirement)
                    holds = self._in(requirement.name, allowed) if allowed else z3.BoolVal(False)
                    fact = Fact(
                        len(self.facts),
                        "requires",
                        requirement.span,
                        name,
                        (name, number),
                        requirement,
                        broken=not allowed,
                    )
                    self._fact(fact, z3.Implies(chosen, holds))
                for requirement in version.optional:
                    if requirement.name not in self.vars:
                        continue
                    allowed = index.allowed(requirement)
                    target = self.vars[requirement.name]
                    holds = self._in(requirement.name, allowed) if allowed else z3.BoolVal(False)
                    fact = Fact(
                        len(self.facts),
                        "optional",
                        requirement.span,
                        name,
                        (name, number),
                        requirement,
                    )
                    self._fact(fact, z3.Implies(z3.And(chosen, target >= 0), holds))
                for requirement in version.conflicts:
                    allowed = index.allowed(requirement)
                    if requirement.name not in self.vars or not allowed:
                        continue
                    fact = Fact(
                        len(self.facts),
                        "conflict",
                        requirement.span,
                        name,
                        (name, number),
                        requirement,
                    )
                    self._fact(
                        fact, z3.Implies(chosen, z3.Not(self._in(requirement.name, allowed)))
                    )

    # -- queries -------------------------------------------------------------------------------
    def run(self) -> Resolution:
        z3, smt = self.z3, self.smt
        solver = smt.new_solver(self.timeout_ms)
        solver.add(*self.hard)
        for literal, term in zip(self.literals, self.terms, strict=True):
            solver.add(z3.Implies(literal, term))
        outcome = smt.solve(solver, self.literals)
        if outcome is smt.Outcome.UNKNOWN:
            return Resolution(None, [self._inconclusive(solver.reason_unknown())])
        if outcome is smt.Outcome.SAT:
            return self._optimum()
        core = self._shrink(solver, self._core(solver))
        if any(self.facts[position].broken for position in core):
            return Resolution(None)  # already reported as PL101/PL103
        conflicts = [p for p in core if self.facts[p].kind == "conflict"]
        if conflicts:
            kept = [n for n, fact in enumerate(self.facts) if fact.kind != "conflict"]
            outcome = smt.solve(solver, [self.literals[n] for n in kept])
            if outcome is smt.Outcome.UNKNOWN:
                return Resolution(None, [self._inconclusive(solver.reason_unknown())])
            if outcome is smt.Outcome.SAT:
                return Resolution(None, [self._conflict(self.facts[p], core) for p in conflicts])
            core = self._shrink(solver, self._core(solver))
        return Resolution(None, [self._unresolvable(core)])

    def _optimum(self) -> Resolution:
        z3, index = self.z3, self.index
        optimizer = z3.Optimize()
        optimizer.set("timeout", self.timeout_ms)
        optimizer.add(*self.hard, *self.terms)
        terms = [self.vars[name] for name in index.reachable]
        optimizer.minimize(z3.Sum([z3.If(term > 0, term, 0) for term in terms]))
        optimizer.minimize(z3.Sum([z3.If(term >= 0, 1, 0) for term in terms]))
        answer = optimizer.check()
        if answer != z3.sat:
            why = optimizer.reason_unknown() if answer == z3.unknown else "no model"
            return Resolution(None, [self._inconclusive(why)])
        model = optimizer.model()
        selected = {}
        for name in index.reachable:
            value = model.eval(self.vars[name], model_completion=True).as_long()
            if value >= 0:
                selected[name] = int(value)
        return Resolution(selected)

    def _core(self, solver: Any) -> list[int]:
        positions = {str(literal): n for n, literal in enumerate(self.literals)}
        return sorted(positions[str(literal)] for literal in solver.unsat_core())

    def _shrink(self, solver: Any, core: list[int]) -> list[int]:
        """Deletion-based minimisation: drop each fact whose removal keeps the core unsat."""
        z3 = self.z3
        kept = list(core)
        position = 0
        checks = 0
        while position < len(kept) and checks < MAX_SHRINK_CHECKS:
            trial = kept[:position] + kept[position + 1 :]
            checks += 1
            answer = solver.check(*[self.literals[n] for n in trial])
            if answer == z3.unsat:
                smaller = set(self._core(solver))
                kept = [n for n in trial if n in smaller]
            elif answer == z3.sat:
                position += 1
            else:
                break
        return kept

    # -- findings ------------------------------------------------------------------------------
    def _unresolvable(self, core: list[int]) -> Diagnostic:
        facts = [self.facts[n] for n in core]
        sentences = chain(self.index, facts)
        name = focus(facts) or self.index.roots[0]
        meeting = [fact for fact in facts if fact.target == name] or facts
        return Diagnostic(
            "PL104",
            default_severity("PL104"),
            "no consistent selection of versions exists: " + "; ".join(sentences),
            meeting[-1].span,
            spec=self.index.spec.name,
            subject=name,
            evidence=Explanation(tuple(sentences)),
            help="relax one of these constraints or add a candidate version that fits them",
        )

    def _conflict(self, fact: Fact, core: list[int]) -> Diagnostic:
        assert fact.source is not None and fact.requirement is not None
        sentences = chain(self.index, [self.facts[n] for n in core])
        return Diagnostic(
            "PL105",
            default_severity("PL105"),
            f"{self.index.label(fact.source)} conflicts with {fact.requirement.name} "
            f"'{fact.requirement.constraint}', but both must be selected: "
            + "; ".join(sentences[:-1]),
            fact.span,
            spec=self.index.spec.name,
            subject=fact.plugin,
            evidence=Explanation(tuple(sentences[:-1])),
            help="drop one of them from the install roots, or the requirement that needs it",
        )

    def _inconclusive(self, why: str) -> Diagnostic:
        spec = self.index.spec
        return Diagnostic(
            "PL901",
            default_severity("PL901"),
            f"version resolution did not finish ({why or 'unknown'}); no selection is proved",
            spec.span,
            spec=spec.name,
            subject=spec.name,
            help="raise --timeout",
        )
