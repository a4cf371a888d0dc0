"""PO101-PO105: rules that never apply, are shadowed, redundant, conflict, or leave gaps.

One incremental solver holds the domains and, per rule, two guarded facts: ``pos_i -> m_i``
and ``neg_i -> not m_i``. Each question is then a ``check`` under assumptions, never a new
solver: "does rule i decide anything" is ``pos_i`` plus ``neg_j`` for every rule j that takes
precedence over it (the union of them, not pair by pair), and when the answer is unsat the
unsat core names the rules that together cover it. Boxes (``po_box``) drop rivals that cannot
overlap the rule at all, so the assumption lists stay short, and a rule whose box is empty
needs no query. Removal questions ("would any decision change without rule i") are first
answered on the witness request with the Python evaluator; Z3 is asked only when the witness
does not already refute redundancy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import z3

from archctl.check.po_box import Box, Boxer, overlaps
from archctl.check.po_encode import (
    DECISION_NAMES,
    DECISIONS,
    Encoding,
    Request,
    decide,
    matching,
    request_of,
    takes_precedence,
)
from archctl.check.po_report import Reporter
from archctl.check.smt import Outcome, new_solver, solve


class RuleChecker:
    """Answers the per-rule questions of checks.md with one incremental solver."""

    def __init__(self, encoding: Encoding, report: Reporter, timeout_ms: int) -> None:
        self.enc = encoding
        self.policy = encoding.policy
        self.report = report
        self.solver = new_solver(timeout_ms)
        self.solver.add(*encoding.domain)
        self.pos: list[Any] = []
        self.neg: list[Any] = []
        for position, match in enumerate(encoding.matches):
            pos, neg = z3.Bool(f"!pos{position}"), z3.Bool(f"!neg{position}")
            self.solver.add(z3.Implies(pos, match), z3.Implies(neg, z3.Not(match)))
            self.pos.append(pos)
            self.neg.append(neg)
        types = {a.name: a.type for a in self.policy.attributes}
        boxer = Boxer(types, self.policy.bands)
        self.boxes: list[Box] = [boxer.box(rule.when) for rule in self.policy.rules]
        self._suffix: list[Any] | None = None
        #: rules already reported as never applying or shadowed: their conflicts are moot
        self.silenced: set[int] = set()

    def run(self) -> None:
        for position in range(len(self.policy.rules)):
            self._rule(position)
        if self.policy.default == "none":
            self._gap()

    def _near(self, position: int, candidates: Sequence[int]) -> list[int]:
        box = self.boxes[position]
        return [p for p in candidates if p != position and overlaps(box, self.boxes[p])]

    def _ask(self, assumptions: Sequence[Any], extra: Any = None) -> tuple[Outcome, Any]:
        if extra is None:
            outcome = solve(self.solver, assumptions)
        else:
            self.solver.push()
            self.solver.add(extra)
            outcome = solve(self.solver, assumptions)
        model = self.solver.model() if outcome is Outcome.SAT else None
        core = self.solver.unsat_core() if outcome is Outcome.UNSAT else None
        if extra is not None:
            self.solver.pop()
        return outcome, model if model is not None else core

    def _rule(self, position: int) -> None:
        if self.boxes[position] is None:
            self.silenced.add(position)
            self.report.never_applies(position, proved_by="its conditions contradict each other")
            return
        rivals = self._near(position, takes_precedence(self.policy, position))
        assumptions = [self.pos[position], *(self.neg[p] for p in rivals)]
        outcome, answer = self._ask(assumptions)
        if outcome is Outcome.UNKNOWN:
            self.report.inconclusive(position, "whether it ever decides a request")
            return
        if outcome is Outcome.UNSAT:
            self._never_decides(position, rivals, answer)
            return
        request = request_of(self.enc, answer)
        self._redundancy(position, rivals, request)
        self._conflicts(position)

    def _never_decides(self, position: int, rivals: list[int], core: Any) -> None:
        outcome, model = self._ask([self.pos[position]])
        if outcome is Outcome.UNKNOWN:
            self.report.inconclusive(position, "whether its condition is satisfiable")
            return
        if outcome is Outcome.UNSAT:
            self.silenced.add(position)
            self.report.never_applies(position, proved_by="no request satisfies it")
            return
        cover = self._minimal_cover(position, rivals, core)
        effect = DECISIONS[self.policy.rules[position].effect]
        outcome, found = self._ask([self.pos[position]], self.enc.decision() != effect)
        if outcome is Outcome.UNKNOWN:
            self.report.inconclusive(position, "whether it is shadowed or redundant")
        elif outcome is Outcome.SAT:
            self.silenced.add(position)
            self.report.shadowed(position, cover, request_of(self.enc, found))
        else:
            self.report.redundant(position, request_of(self.enc, model), cover=cover)

    def _minimal_cover(self, position: int, rivals: list[int], core: Any) -> list[int]:
        """The rivals in the unsat core, shrunk by deletion while the cover still holds."""
        in_core = {str(literal) for literal in core}
        cover = [p for p in rivals if str(self.neg[p]) in in_core]
        if len(cover) > 12:
            return cover
        for candidate in list(cover):
            trial = [p for p in cover if p != candidate]
            outcome, _ = self._ask([self.pos[position], *(self.neg[p] for p in trial)])
            if outcome is Outcome.UNSAT:
                cover = trial
        return cover

    def _redundancy(self, position: int, rivals: list[int], request: Request) -> None:
        """Would removing the rule change any decision? Only where it decides can it matter."""
        hits = matching(self.enc, request)
        if (
            decide(self.policy, hits, without=position)[0]
            != DECISIONS[self.policy.rules[position].effect]
        ):
            return
        decides = [self.pos[position], *(self.neg[p] for p in rivals)]
        outcome, _ = self._ask(decides, self._changes_without(position))
        if outcome is Outcome.UNKNOWN:
            self.report.inconclusive(position, "whether it is redundant")
        elif outcome is Outcome.UNSAT:
            self.report.redundant(position, request, cover=None)

    def _changes_without(self, position: int) -> Any:
        """Where rule ``position`` decides: the decision without it differs from its effect."""
        effect = DECISIONS[self.policy.rules[position].effect]
        if self.policy.combine == "first-applicable":
            return self._suffix_decision(position + 1) != effect
        same = [
            self.enc.matches[p]
            for p in self._near(position, range(len(self.policy.rules)))
            if self.policy.rules[p].effect == self.policy.rules[position].effect
        ]
        others = [
            self.enc.matches[p]
            for p in self._near(position, range(len(self.policy.rules)))
            if self.policy.rules[p].effect != self.policy.rules[position].effect
        ]
        fallback = z3.BoolVal(self.policy.default != self.policy.rules[position].effect)
        return z3.And(z3.Not(_any(same)), z3.Or(fallback, *others))

    def _suffix_decision(self, start: int) -> Any:
        if self._suffix is None:
            out: Any = z3.IntVal(DECISIONS[self.policy.default])
            chain = [out]
            for position in reversed(range(len(self.policy.rules))):
                effect = DECISIONS[self.policy.rules[position].effect]
                out = z3.If(self.enc.matches[position], z3.IntVal(effect), out)
                chain.append(out)
            self._suffix = list(reversed(chain))
        return self._suffix[start]

    def _conflicts(self, position: int) -> None:
        """One query: does the rule share a request with an earlier rule of the other effect?"""
        effect = self.policy.rules[position].effect
        earlier = [p for p in range(position) if self.policy.rules[p].effect != effect]
        opposed = [p for p in self._near(position, earlier) if p not in self.silenced]
        if not opposed:
            return
        any_opposed = _any([self.enc.matches[p] for p in opposed])
        outcome, model = self._ask([self.pos[position]], any_opposed)
        if outcome is Outcome.UNKNOWN:
            self.report.inconclusive(position, "whether it conflicts with an earlier rule")
        elif outcome is Outcome.SAT:
            request = request_of(self.enc, model)
            hits = matching(self.enc, request)
            partners = [p for p in opposed if p in hits]
            winner = decide(self.policy, hits)
            self.report.conflict(position, partners, request, DECISION_NAMES[winner[0]])

    def _gap(self) -> None:
        everything = range(len(self.policy.rules))
        outcome, model = self._ask([self.neg[p] for p in everything])
        if outcome is Outcome.UNKNOWN:
            self.report.inconclusive(None, "whether every request gets a decision")
        elif outcome is Outcome.SAT:
            self.report.gap(request_of(self.enc, model))


def _any(terms: list[Any]) -> Any:
    if not terms:
        return z3.BoolVal(False)
    return terms[0] if len(terms) == 1 else z3.Or(*terms)
