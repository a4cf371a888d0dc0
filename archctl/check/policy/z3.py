"""The Z3 engine of the rule checks: one incremental solver, every question an assumption set.

Everything a question needs is asserted once, guarded by a fresh literal, so that each
question is a single ``check(assumptions)`` with no new terms to internalise:

* ``pos_i -> m_i`` and ``neg_i -> not m_i`` for each rule;
* ``any_E -> (some rule of effect E matches)`` for allow and deny;
* first-applicable only: ``d_k = if m_k then effect_k else d_{k+1}`` (the decision of the
  rules from k on, the default at the end) and, on demand, ``differs_{k,e} -> d_k != e``;
* ``seen_E_i -> (some rule of effect E before position i matches)``, grown on demand.

The unsat core of an unsatisfiable question names the excluded rules that cover the region.
Imported only when some rule is outside the box fragment, so plain policies never load z3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import z3

from archctl.check.policy.encode import Encoding, encode, request_of
from archctl.check.policy.engine import Answer, Result
from archctl.check.policy.request import DECISIONS
from archctl.check.smt import Outcome, new_solver, solve
from archctl.model.policy import Policy


class Z3Finder:
    def __init__(self, policy: Policy, timeout_ms: int) -> None:
        self.policy = policy
        self.ctx = z3.Context()
        self.encoding: Encoding = encode(policy, self.ctx)
        self.solver = new_solver(timeout_ms, self.ctx)
        self.solver.add(*self.encoding.domain)
        self.pos: list[Any] = []
        self.neg: list[Any] = []
        for position, match in enumerate(self.encoding.matches):
            pos, neg = z3.Bool(f"!pos{position}", self.ctx), z3.Bool(f"!neg{position}", self.ctx)
            self.solver.add(z3.Implies(pos, match), z3.Implies(neg, z3.Not(match)))
            self.pos.append(pos)
            self.neg.append(neg)
        self._any: dict[str, Any] = {}
        self._chain: list[Any] | None = None
        self._differs: dict[tuple[int, str], Any] = {}
        self._seen: dict[str, list[Any]] = {}

    def any_of(self, effect: str) -> Any:
        """Literal: some rule of this effect matches."""
        if effect not in self._any:
            literal = z3.Bool(f"!any_{effect}", self.ctx)
            rules = self.policy.rules
            terms = [self.encoding.matches[k] for k, r in enumerate(rules) if r.effect == effect]
            self.solver.add(z3.Implies(literal, _or(terms, self.ctx)))
            self._any[effect] = literal
        return self._any[effect]

    def differs(self, start: int, effect: str) -> Any:
        """Literal (first-applicable): the rules from ``start`` on do not decide ``effect``."""
        key = (start, effect)
        if key not in self._differs:
            chain = self._decision_chain()
            literal = z3.Bool(f"!differs{start}_{effect}", self.ctx)
            self.solver.add(z3.Implies(literal, chain[start] != DECISIONS[effect]))
            self._differs[key] = literal
        return self._differs[key]

    def _decision_chain(self) -> list[Any]:
        if self._chain is None:
            count = len(self.policy.rules)
            chain = [z3.Int(f"!decision{k}", self.ctx) for k in range(count + 1)]
            self.solver.add(chain[count] == DECISIONS[self.policy.default])
            for k, rule in enumerate(self.policy.rules):
                effect = z3.IntVal(DECISIONS[rule.effect], self.ctx)
                self.solver.add(chain[k] == z3.If(self.encoding.matches[k], effect, chain[k + 1]))
            self._chain = chain
        return self._chain

    def seen(self, effect: str, before: int, skip: set[int]) -> Any:
        """Literal: some rule of this effect before position ``before``, not in ``skip``,
        matches. The chain grows on demand; callers must not change ``skip`` for positions
        already passed (the rule checker only silences the rule it is looking at)."""
        literals = self._seen.setdefault(effect, [])
        while len(literals) <= before:
            k = len(literals) - 1
            literal = z3.Bool(f"!seen_{effect}{k + 1}", self.ctx)
            if k < 0:
                self.solver.add(z3.Not(literal))
            elif self.policy.rules[k].effect == effect and k not in skip:
                self.solver.add(z3.Implies(literal, z3.Or(literals[k], self.encoding.matches[k])))
            else:
                self.solver.add(z3.Implies(literal, literals[k]))
            literals.append(literal)
        return literals[before]

    def find(
        self, include: Sequence[int], exclude: Sequence[int], literals: Sequence[Any] = ()
    ) -> Result:
        assumptions = [self.pos[p] for p in include]
        assumptions += [self.neg[p] for p in exclude] + list(literals)
        outcome = solve(self.solver, assumptions)
        if outcome is Outcome.SAT:
            return Result(Answer.FOUND, request_of(self.encoding, self.solver.model()))
        if outcome is Outcome.UNKNOWN:
            return Result(Answer.UNKNOWN)
        core = {str(literal) for literal in self.solver.unsat_core()}
        return Result(Answer.NONE, cover=tuple(p for p in exclude if f"!neg{p}" in core))


def _or(terms: list[Any], ctx: Any) -> Any:
    if not terms:
        return z3.BoolVal(False, ctx)
    return terms[0] if len(terms) == 1 else z3.Or(*terms)
