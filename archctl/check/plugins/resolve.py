"""Version resolution: one version per selected plugin, newest preferred, or why not.

Semantics. The install roots must be selected. A selected candidate's `requires` entries
select their targets at a version the constraint allows; its `optional` entries constrain a
target only when that target is selected anyway (they never pull it in); its `conflicts`
entries forbid the target at any version the constraint allows. Preference, as in PubGrub
and pip: plugins are decided breadth-first from the roots (in `install` order, then each
decided version's `requires` order), each at the newest version that still admits a
complete selection; a plugin no decided version requires is not selected.

Fast path: when "every reachable plugin at its newest version" is consistent, that is the
preferred selection and Z3 is not needed; this keeps huge single-version sets linear.

Otherwise Z3 decides (see :mod:`archctl.check.plugins.encode`): one satisfiability check, then
one check with assumptions per newer candidate tried, guided by the last model, so a plugin
whose model value is already the newest costs nothing. (z3's ``Optimize`` with a "versions
skipped" objective was tried first and took 4 s on 60 plugins x 10 versions; incremental
checks with assumptions take milliseconds.) When nothing fits, every fact is asserted under
its own literal and an unsat core, shrunk to a minimal one by deletion, becomes the
explanation.

Broken entries (a `requires` naming an undeclared plugin, PL101, or matching no candidate,
PL103) are reported by :mod:`archctl.check.plugins.static`. They must not hide another
reason: when no selection exists, the question asked next is whether one would exist
without them (every broken entry dropped). If so, they are the whole reason and nothing is
added; if not, the unsat core of the healthy facts is the other reason, PL104 or PL105.

Every spec gets its own Z3 context, so what z3 answers (models, unsat cores) depends on
this spec alone, never on which specs were checked before it in the same run.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from archctl import codes
from archctl.check.budget import clamp_ms
from archctl.check.plugins.conflicts import conflict_findings
from archctl.check.plugins.encode import encode
from archctl.check.plugins.facts import chain, focus
from archctl.check.plugins.index import PluginIndex
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
    #: what established ``selected``: "search" (the newest closure) or "z3"
    engine: str = "search"


def resolve(index: PluginIndex, timeout_ms: int) -> Resolution:
    newest, broken = _newest_selection(index)
    if newest is not None:
        return Resolution(newest)
    if broken and all(len(index.plugins[name].versions) == 1 for name in index.reachable):
        # Nothing to choose: the forced closure holds a broken entry, so no selection
        # exists. Whether one would without the broken entries is a closure too.
        relaxed, _ = _newest_selection(index, skip_broken=True)
        if relaxed is not None:
            return Resolution(None)  # PL101/PL103 are the whole reason
    return _Solver(index, timeout_ms).run()


def _newest_selection(
    index: PluginIndex, skip_broken: bool = False
) -> tuple[dict[str, int] | None, bool]:
    """The closure of the roots at newest versions if it honours every fact, else None,
    and whether it failed on a requirement no candidate matches (PL101/PL103). With
    ``skip_broken`` such requirements are left out instead (the relaxed problem)."""
    plugins = index.plugins
    known_to_hold = index.newest_requires_hold is True  # static_findings checked them all
    if known_to_hold and all(len(plugins[name].versions) == 1 for name in index.reachable):
        # one candidate each: the closure is the reachable set, in the same breadth-first
        # order (build_index walks the same `requires` from the same roots)
        return _honoured(index, dict.fromkeys(index.reachable, 0))
    selected: dict[str, int] = {root: 0 for root in index.roots}
    queue = deque(index.roots)
    while queue:
        version = index.plugins[queue.popleft()].versions[0]
        for requirement in version.requires:
            if not known_to_hold:
                allowed = index.allowed(requirement)
                if not allowed and skip_broken:
                    continue
                if 0 not in allowed:
                    return None, not allowed
            if requirement.name not in selected:
                selected[requirement.name] = 0
                queue.append(requirement.name)
    return _honoured(index, selected)


def _honoured(index: PluginIndex, selected: dict[str, int]) -> tuple[dict[str, int] | None, bool]:
    """``selected`` if its optional and conflict entries hold at newest versions."""
    for name in selected:
        version = index.plugins[name].versions[0]
        for requirement in version.optional:
            if requirement.name in selected and 0 not in index.allowed(requirement):
                return None, False
        for requirement in version.conflicts:
            if requirement.name in selected and 0 in index.allowed(requirement):
                return None, False
    return selected, False


class _Solver:
    """The encoded problem, queried for a preferred selection or for an explanation."""

    def __init__(self, index: PluginIndex, timeout_ms: int) -> None:
        import z3

        from archctl.check import smt

        self.z3 = z3
        self.smt = smt
        self.ctx = z3.Context()  # this spec's own: answers must not depend on other specs
        self.index = index
        self.timeout_ms = timeout_ms
        self.encoding = encode(index)
        self.facts = self.encoding.facts
        self.literals: list[Any] = []

    def _solver(self, tracked: bool) -> Any:
        # QF_FD: z3's SAT-based engine with native cardinality constraints; far faster on
        # these purely propositional problems than the general incremental SMT core.
        solver = self.z3.SolverFor("QF_FD", ctx=self.ctx)
        solver.set("timeout", clamp_ms(self.timeout_ms))
        solver.set("phase", "always_true")  # fewer checks: models lean towards newest
        solver.from_string(self.encoding.text(tracked))
        if tracked:
            self.literals = [self.z3.Bool(f"f{n}", self.ctx) for n in range(len(self.facts))]
        return solver

    def run(self) -> Resolution:
        smt = self.smt
        solver = self._solver(tracked=False)
        outcome = smt.solve(solver)
        if outcome is smt.Outcome.SAT:
            return self._preferred(solver)
        if outcome is smt.Outcome.UNKNOWN:
            return Resolution(None, [self._inconclusive(solver.reason_unknown())])
        solver = self._solver(tracked=True)
        # broken entries (PL101/PL103) are left unassumed: is there a reason beyond them?
        healthy = [n for n, fact in enumerate(self.facts) if not fact.broken]
        outcome = smt.solve(solver, [self.literals[n] for n in healthy])
        if outcome is smt.Outcome.SAT:
            return Resolution(None)  # the broken entries are the whole reason
        if outcome is smt.Outcome.UNKNOWN:
            return Resolution(None, [self._inconclusive(solver.reason_unknown())])
        core = self._shrink(solver, self._core(solver))
        if any(self.facts[p].kind == "conflict" for p in core):
            kept = [n for n in healthy if self.facts[n].kind != "conflict"]
            outcome = smt.solve(solver, [self.literals[n] for n in kept])
            if outcome is smt.Outcome.UNKNOWN:
                return Resolution(None, [self._inconclusive(solver.reason_unknown())])
            if outcome is smt.Outcome.SAT:
                return Resolution(None, conflict_findings(self.index, self.facts, core))
            core = self._shrink(solver, self._core(solver))
        return Resolution(None, [self._unresolvable(core)])

    def _preferred(self, solver: Any) -> Resolution:
        """Decide plugins breadth-first from the roots, each at the newest version that still
        admits a complete selection. The model in hand proves one index m; one check asks
        for "any newer than m" and, while that is satisfiable, its model lowers m. Decided
        versions are asserted outright (decisions are final), so each check carries a single
        assumption. Plugins nothing selected requires are never decided, so never selected."""
        z3, smt, index = self.z3, self.smt, self.index
        model = solver.model()
        decided: dict[str, int] = {}
        queue = deque(index.roots)
        while queue:
            name = queue.popleft()
            if name in decided:
                continue
            terms = [
                z3.Bool(self.encoding.symbols[(name, i)], self.ctx)
                for i in range(len(index.plugins[name].versions))
            ]
            # len(terms) when the model leaves the plugin out: then "any version" is asked
            chosen = next(
                (i for i, term in enumerate(terms) if z3.is_true(model.eval(term, True))),
                len(terms),
            )
            while chosen > 0:
                newer = z3.Bool(f"newer!{len(decided)}!{chosen}", self.ctx)
                solver.add(z3.Implies(newer, z3.Or(terms[:chosen])))
                outcome = smt.solve(solver, [newer])
                if outcome is smt.Outcome.UNKNOWN:
                    return Resolution(None, [self._inconclusive(solver.reason_unknown())])
                if outcome is smt.Outcome.UNSAT:
                    break
                model = solver.model()
                chosen = next(i for i in range(chosen) if z3.is_true(model.eval(terms[i], True)))
            if chosen == len(terms):  # cannot happen: a required plugin has a version
                return Resolution(None, [self._inconclusive(f"no version left for {name}")])
            solver.add(terms[chosen])
            decided[name] = chosen
            queue.extend(req.name for req in index.plugins[name].versions[chosen].requires)
        return Resolution(decided, engine="z3")

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
            codes.PL104,
            default_severity(codes.PL104),
            "no consistent selection of versions exists: " + "; ".join(sentences),
            meeting[-1].span,
            spec=self.index.spec.name,
            subject=name,
            evidence=Explanation(tuple(sentences)),
            help="relax one of these constraints or add a candidate version that fits them",
        )

    def _inconclusive(self, why: str) -> Diagnostic:
        spec = self.index.spec
        return Diagnostic(
            codes.PL901,
            default_severity(codes.PL901),
            f"version resolution did not finish ({why or 'unknown'}); no selection is proved",
            spec.span,
            spec=spec.name,
            subject=spec.name,
            help="raise --timeout",
        )
