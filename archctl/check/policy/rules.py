"""PO101-PO105: rules that never apply, are shadowed, redundant, conflict, or leave gaps.

Per rule i the questions are, in order:

1. *Where does it decide?* Its condition minus the union of the rules that take precedence
   over it (not pair by pair: two earlier rules may cover it only together). Nothing left:
   it never decides; the rules used to cover it are named (minimised).
2. If it decides somewhere: *does it matter there?* A request it decides whose decision
   without it (the other rules in priority order, then the default) differs. None: PO103.
3. If it never decides: PO101 when its condition is empty, else PO102 shadowed when some
   request it matches gets another decision, PO103 redundant when none does.
4. PO104: does it share a request with an earlier rule of the other effect?

Rules are only compared with their *near* rules (overlapping hulls). When the rule and its
near rules are all in the box fragment the questions are answered exactly in Python
(``po_exact``: one subtraction and one sweep per rule); otherwise, or past the splitting
budget, by Z3 under assumptions (``po_engine.find``), one query per question.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from archctl import codes
from archctl.check.policy.engine import Answer, Finder, Result
from archctl.check.policy.exact import Box, TooHard, box_meet, disjoint
from archctl.check.policy.report import Reporter
from archctl.check.policy.request import (
    DECISION_NAMES,
    Request,
    decide,
    priority_order,
    takes_precedence,
)
from archctl.check.policy.sweep import first_differing, holds, probe, sample, subtract

if TYPE_CHECKING:
    from archctl.check.policy.cells import Cells
    from archctl.check.policy.swept import SweptRules

BUDGET = 2_000  # box splits per rule before handing the rule to Z3


class RuleChecker:
    def __init__(self, report: Reporter, timeout_ms: int, exact: bool = True) -> None:
        self.report = report
        self.policy = report.policy
        self.effects = [rule.effect for rule in self.policy.rules]
        self.finder = Finder(self.policy, timeout_ms, exact)
        self.exact = exact
        self.order = priority_order(self.policy)
        #: position -> place in ``order``; ``near`` lists are put in priority order by it
        self.rank = {p: k for k, p in enumerate(self.order)}
        #: effect -> the rules taking precedence over a rule of that effect (not for
        #: first-applicable, where it depends on the position); computed once, not per rule
        self._ahead: dict[str, frozenset[int]] = {}
        #: rules reported as never applying or shadowed: their conflicts are moot
        self.silenced: set[int] = set()
        #: which engines decided the rules ("box sweep", "z3"), for the proof records
        self.engines: set[str] = set()
        #: pairs of rules whose hulls overlap (the only pairs ever compared)
        self.pairs = 0

    def run(self) -> None:
        from archctl.check.policy.swept import SweptRules

        swept = SweptRules.build(self) if self.exact else None
        for position in range(len(self.policy.rules)):
            self._rule(position, swept)
        if self.policy.default == "none":
            self._gap()

    def _rule(self, i: int, swept: SweptRules | None) -> None:
        if self.finder.empty(i):
            self.silenced.add(i)
            self.report.never_applies(i, proved_by="its conditions contradict each other")
            return
        if swept is not None:
            try:
                swept.rule(i)
                self.engines.add("box sweep")
                return
            except TooHard:
                pass
        near = self.finder.near(i)
        self.pairs += len(near)
        if self.finder.is_exact([i, *near]):
            try:
                self._exact(i, near)
                self.engines.add("box sweep")
                return
            except TooHard:
                pass
        self.engines.add("z3")
        self._solver(i, near)

    def _ordered(self, i: int, near: list[int]) -> list[int]:
        return sorted(near, key=self.rank.__getitem__)

    def _rivals(self, i: int, near: list[int]) -> list[int]:
        """The near rules that take precedence over rule i, ascending (``near`` is sorted).

        The same list as filtering ``takes_precedence`` by ``near``, without walking every
        rule of the policy once per rule.
        """
        if self.policy.combine == "first-applicable":
            return [p for p in near if p < i]
        effect = self.effects[i]
        ahead = self._ahead.get(effect)
        if ahead is None:
            ahead = self._ahead[effect] = frozenset(takes_precedence(self.policy, i))
        return [p for p in near if p in ahead]

    # -- the box fragment: exact, in Python -------------------------------------------------

    def _exact(self, i: int, near: list[int]) -> None:
        finder, budget = self.finder, [BUDGET]
        effect, types = self.effects[i], finder.types
        mine = finder.boxes(i)
        rivals = self._rivals(i, near)
        ordered = [(p, self.effects[p], finder.boxes(p)) for p in self._ordered(i, near)]
        default = self.policy.default
        avoid = [box for p in rivals for box in finder.boxes(p)]
        if probe(mine, ordered, default, effect, types, avoid) is not None:
            self._exact_conflicts(i, near)  # decides somewhere, and matters there
            return
        decided, used = subtract(mine, finder.owned(rivals), types, budget)
        if decided:
            if first_differing(decided, ordered, default, effect, types, budget) is None:
                self.report.redundant(i, finder.request(decided[0]), None, [i, *near])
            self._exact_conflicts(i, near)
            return
        cover = self._exact_cover(i, sorted(used), budget)
        differs = first_differing(mine, ordered, default, effect, types, budget)
        if differs is not None:
            self.silenced.add(i)
            self.report.shadowed(i, cover, finder.request(differs, is_point=True), [i, *near])
        else:  # never decides, but not shadowed: its conflicts still count (PO104)
            self.report.redundant(i, finder.request(mine[0]), cover, [i, *near])
            self._exact_conflicts(i, near)

    def _exact_cover(
        self, i: int, cover: list[int], budget: list[int], cells: Cells | None = None
    ) -> list[int]:
        """A minimal cover of rule i by deletion: a member is dropped when the rest still
        covers the part of rule i inside that member (the rest of rule i is covered by the
        rest already), so each test splits only that part, whatever the cover's size.
        ``cells`` (the policy's, when the sweep has them) answer that without splitting."""
        finder, types = self.finder, self.finder.types
        for candidate in list(cover):
            trial = [p for p in cover if p != candidate]
            inside = [
                both
                for mine in finder.boxes(i)
                for box in finder.boxes(candidate)
                if (both := box_meet(mine, box, types)) is not None
            ]
            if cells is not None:
                with contextlib.suppress(TooHard):
                    if not cells.uncovered(inside, trial):
                        cover = trial
                    continue
            if self._uncovered_sample(inside, finder.owned(trial)):
                continue  # a point only the candidate covers: it stays
            # only boxes that meet this part can cover any of it (same answer, fewer tests)
            meeting = [
                (p, box)
                for p, box in finder.owned(trial)
                if any(not disjoint(box, part, types) for part in inside)
            ]
            left, _ = subtract(inside, meeting, types, budget)
            if not left:
                cover = trial
        return cover

    def _uncovered_sample(self, parts: list[Box], boxes: list[tuple[int, Box]]) -> bool:
        """Some sample point of the parts lies in none of the boxes (cheap, before the
        subtraction that proves the opposite)."""
        types = self.finder.types
        for part in parts:
            for variant in range(3):
                values = sample(part, types, variant)
                if not any(holds(box, values) for _, box in boxes):
                    return True
        return False

    def _exact_conflicts(self, i: int, near: list[int]) -> None:
        types = self.finder.types
        for j in self._opposed(i, near):
            for a in self.finder.boxes(i):
                for b in self.finder.boxes(j):
                    both = box_meet(a, b, types)
                    if both is not None:
                        self._conflict(i, near, self.finder.request(both))
                        return

    # -- everything else: Z3 under assumptions ----------------------------------------------

    def _solver(self, i: int, near: list[int]) -> None:
        rivals = self._rivals(i, near)
        question = self._matters_question(i, near)
        result = Result(Answer.NONE)
        if question is not None:
            result = self.finder.find([i], rivals + question[0], question[1])
        if result.answer is Answer.NONE:
            result = self.finder.find([i], rivals)
            if result.request is not None:
                self.report.redundant(i, result.request, None, [i, *near])
        if result.answer is Answer.UNKNOWN:
            self.report.inconclusive(i, "whether it decides any request or is redundant")
        elif result.request is not None:
            self._solver_conflicts(i, near)
        else:
            self._solver_never_decides(i, near, list(result.cover))

    def _matters_question(self, i: int, near: list[int]) -> tuple[list[int], list[Any]] | None:
        """(more rules to exclude, literals) for "decided by i, otherwise without i"."""
        z3_engine = self.finder.solver()
        effect, default = self.effects[i], self.policy.default
        if self.policy.combine == "first-applicable":
            return [], [z3_engine.differs(i + 1, effect)]
        winner = "deny" if self.policy.combine == "deny-overrides" else "allow"
        if effect != winner:
            return None if default == effect else (near, [])
        same = [k for k in near if self.effects[k] == effect]
        loser = "allow" if winner == "deny" else "deny"
        return same, [] if default != effect else [z3_engine.any_of(loser)]

    def _solver_never_decides(self, i: int, near: list[int], cover: list[int]) -> None:
        matched = self.finder.find([i], [])
        if matched.answer is Answer.UNKNOWN:
            self.report.inconclusive(i, "whether its condition is satisfiable")
            return
        if matched.request is None:
            self.silenced.add(i)
            self.report.never_applies(i, proved_by="no request satisfies it")
            return
        cover, minimal = self._solver_cover(i, cover)
        differs = matched
        if self.policy.combine == "first-applicable":
            literal = self.finder.solver().differs(0, self.effects[i])
            differs = self.finder.find([i], [], [literal])
        if differs.answer is Answer.UNKNOWN:
            self.report.inconclusive(i, "whether it is shadowed or only redundant")
        elif differs.request is not None:
            self.silenced.add(i)
            self.report.shadowed(i, cover, differs.request, [i, *near], minimal)
        else:  # never decides, but not shadowed: its conflicts still count (PO104)
            self.report.redundant(i, matched.request, cover, [i, *near], minimal)
            self._solver_conflicts(i, near)

    def _solver_cover(self, i: int, cover: list[int]) -> tuple[list[int], bool]:
        """Deletion as in ``_exact_cover``, one query per member (rule i within the member,
        outside the rest). False when the solver gave up on a member: it is kept, and the
        cover is not claimed minimal."""
        minimal = True
        for candidate in list(cover):
            trial = [p for p in cover if p != candidate]
            answer = self.finder.find([i, candidate], trial).answer
            if answer is Answer.NONE:
                cover = trial
            minimal = minimal and answer is not Answer.UNKNOWN
        return cover, minimal

    def _solver_conflicts(self, i: int, near: list[int]) -> None:
        if not self._opposed(i, near):
            return
        other = "allow" if self.effects[i] == "deny" else "deny"
        seen = self.finder.solver().seen(other, i, self.silenced)
        result = self.finder.find([i], [], [seen])
        if result.answer is Answer.UNKNOWN:
            self.report.inconclusive(i, "whether it conflicts with an earlier rule")
        elif result.request is not None:
            self._conflict(i, near, result.request)

    # -- shared ------------------------------------------------------------------------------

    def _opposed(self, i: int, near: list[int]) -> list[int]:
        effect = self.effects[i]
        return [p for p in near if p < i and self.effects[p] != effect and p not in self.silenced]

    def _conflict(self, i: int, near: list[int], request: Request) -> None:
        hits = self.report.matcher.matching(request, [i, *near])
        partners = [p for p in self._opposed(i, near) if p in hits]
        winner = DECISION_NAMES[decide(self.policy, hits)[0]]
        self.report.conflict(i, partners, request, winner, [i, *near])

    def _gap(self) -> None:
        everything = list(range(len(self.policy.rules)))
        if self.finder.is_exact(everything):
            try:
                left, used = subtract(
                    [{}], self.finder.owned(everything), self.finder.types, [BUDGET * 10]
                )
                if left:
                    self.report.gap(self.finder.request(left[0]))
                else:
                    self.report.proved(codes.PO105, "box sweep", _cover_text(used, everything))
                return
            except TooHard:
                pass
        result: Result = self.finder.find([], everything)
        if result.answer is Answer.UNKNOWN:
            self.report.inconclusive(None, "whether every request gets a decision")
        elif result.request is not None:
            self.report.gap(result.request)
        else:
            self.report.proved(
                codes.PO105, "z3", "unsat core: " + _cover_text(result.cover, everything)
            )


def _cover_text(cover: Iterable[int], everything: list[int]) -> str:
    return f"{len(set(cover))} of {len(everything)} rules cover every request"
