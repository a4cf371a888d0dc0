"""PO102-PO104 for policies in the box fragment, answered with the decided regions.

``po_partition`` sweeps the rules that take precedence once; then per rule:

* where it decides is its own piece (first-applicable), all of it (a rule of the winning
  effect), or its part of the remainder after the winning rules (a rule of the other one);
* a rule that decides nowhere is covered by the pieces it meets: their owners are a cover
  (minimised by deletion), and it is shadowed exactly when one of them has the other effect
  (the witness is a point of that piece, decided by its owner);
* a rule that decides somewhere matters unless the other rules decide the same there;
  the yes/no questions go to the cell search (``po_cells``: whether a rule of the winning
  effect, or any rule under first-applicable, decides otherwise anywhere without it, by
  ``first_differing`` over its pieces under first-applicable), and a rule of the losing
  effect of an override algorithm matters exactly where no other rule matches it, so it
  is asked first, before its part of the remainder is made at all;
* conflicts are looked for among the earlier rules of the other effect (rules are checked
  in file order) that are neither empty nor shadowed and whose hulls overlap, so a
  finding's partners and note come from those and the deciding piece, not from
  evaluating every near rule.

One index of every rule box (``po_index``) names the rules whose boxes may meet or contain
a box for the splitting questions that remain, so none of them walks all the rules.

Findings are the ones the per-rule engine gives (the differential tests hold both to a
brute-force oracle); only witnesses of PO102/PO103 may be other points of the same regions.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from archctl.check.policy.cells import Cells
from archctl.check.policy.exact import Box, TooHard, box_meet, contains, disjoint
from archctl.check.policy.index import BoxIndex
from archctl.check.policy.partition import Partition
from archctl.check.policy.report import Decided
from archctl.check.policy.request import DECISION_NAMES, DECISIONS
from archctl.check.policy.sweep import Lookup, first_differing, sample, subtract
from archctl.model.types import VarType

Types = dict[str, VarType]

if TYPE_CHECKING:
    from archctl.check.policy.rules import RuleChecker

#: box splits for building the partition before the per-rule engine takes over
SWEEP_BUDGET = 100_000
#: box splits per rule (covers, decisions) before that rule goes to the per-rule engine
RULE_BUDGET = 2_000


class SweptRules:
    def __init__(self, checker: RuleChecker, partition: Partition, boxes: list[list[Box]]) -> None:
        self.checker = checker
        self.partition = partition
        self.boxes = boxes
        policy = checker.policy
        self.first = policy.combine == "first-applicable"
        self.winner = "deny" if policy.combine == "deny-overrides" else "allow"
        #: rule -> how many attribute constraints its boxes carry (fewer: broader)
        self.narrowness = [sum(len(box) for box in mine) for mine in boxes]
        #: rule -> the index key of its first box (its boxes are numbered on from there)
        self.key = list(itertools.accumulate((len(mine) for mine in boxes), initial=0))
        #: every box, in rule order (index key -> box)
        self.everything = [box for mine in boxes for box in mine]
        self._index: BoxIndex | None = None
        self._cells: Cells | None = None

    def rivals(self, i: int) -> list[int]:
        """The rules checked so far (rules are checked in file order), of the other effect,
        neither empty nor shadowed, whose hulls overlap rule i's (only those can share a
        request with it), ascending."""
        checker = self.checker
        effect, silenced = checker.effects[i], checker.silenced
        return [
            p
            for p in checker.finder.near(i)
            if p < i and checker.effects[p] != effect and p not in silenced
        ]

    def cells(self) -> Cells:
        """The cells of every rule box, bits in priority order, built on first use."""
        if self._cells is None:
            checker = self.checker
            order, effects = checker.order, checker.effects
            self._cells = Cells(self.boxes, order, effects, checker.finder.types)
        return self._cells

    def index(self) -> BoxIndex:
        """Every box of every rule, keyed in rule order, built on first use."""
        if self._index is None:
            everything = self.everything
            self._index = BoxIndex.of(self.checker.finder.types, everything, everything)
        return self._index

    @classmethod
    def build(cls, checker: RuleChecker) -> SweptRules | None:
        """None when some rule is outside the box fragment or the partition grows too big."""
        finder, count = checker.finder, len(checker.policy.rules)
        if not finder.is_exact(range(count)):
            return None
        boxes = [finder.boxes(p) for p in range(count)]
        if checker.policy.combine == "first-applicable":
            swept = list(range(count))
        else:
            winner = "deny" if checker.policy.combine == "deny-overrides" else "allow"
            swept = [p for p in checker.order if checker.effects[p] == winner]
        try:
            partition = Partition(swept, boxes, finder.types, SWEEP_BUDGET)
        except TooHard:
            return None
        return cls(checker, partition, boxes)

    def rule(self, i: int) -> None:
        """Check rule i (not empty); ``TooHard`` before anything is reported."""
        mine, effect = self.boxes[i], self.checker.effects[i]
        alone: bool | None = None
        if self.first:
            decided: Iterator[Box] = iter(self.partition.decided[i])
        elif effect == self.winner:
            decided = iter(mine)
        else:
            alone = self._alone(i)
            if alone:  # it decides there, and matters: only its conflicts are left
                self.conflicts(i)
                return
            decided = self.partition.undecided(mine)
        start = next(decided, None)
        if start is None:
            self._never_decides(i)
        elif not self.first and effect != self.winner:
            self._losing(i, start, decided, alone)
        else:
            self._decides(i, [start, *decided])

    def _alone(self, i: int) -> bool | None:
        """A rule of the losing effect of an override algorithm matters exactly where no other
        rule matches (no rule of the winning effect, where it decides, and no other rule of
        its own, where it would not be missed), unless the default gives its effect anyway;
        the near rules are all that can match. None: the cells gave up."""
        checker = self.checker
        if checker.policy.default == checker.effects[i]:
            return False
        try:
            return self.cells().uncovered(self.boxes[i], checker.finder.near(i))
        except TooHard:
            return None

    def _losing(self, i: int, start: Box, decided: Iterator[Box], alone: bool | None) -> None:
        """A rule of the losing effect of an override algorithm decides where no winning
        rule matches, so only the other rules of its effect can match there: it matters
        unless they cover all of it, or the default gives its effect anyway (``alone``, when
        the cells could tell)."""
        matters = self._matters(i, start, decided) if alone is None else alone
        if not matters:
            self._redundant(i, start)
        self.conflicts(i)

    def _matters(self, i: int, start: Box, decided: Iterator[Box]) -> bool:
        """``_alone`` by splitting: some piece where rule i decides is not covered by the
        other rules of its effect. Its pieces are made one at a time, and the first one that
        is not covered ends the question."""
        checker, types = self.checker, self.checker.finder.types
        asked = [p for p in checker.finder.near(i) if checker.effects[p] == checker.effects[i]]
        owned = [(p, box) for p in asked for box in self.boxes[p]]
        keys = [self.key[p] + k for p in asked for k in range(len(self.boxes[p]))]
        lookup, budget = Lookup(self.index(), keys), [RULE_BUDGET]
        # a rule inside other rules of its effect is covered wherever it decides
        if all(_held(box, owned, lookup, types) for box in self.boxes[i]):
            return False
        return any(
            subtract([piece], owned, types, budget, True, lookup)[0]
            for piece in itertools.chain([start], decided)
        )

    def _decides(self, i: int, decided: list[Box]) -> None:
        """Does rule i matter where it decides? Only rules that can match there are asked:
        under first-applicable the later ones (no earlier rule matches there), under an
        override algorithm every rule near a rule of the winning effect."""
        checker, finder = self.checker, self.checker.finder
        default, effect = checker.policy.default, checker.effects[i]
        near = finder.near(i)
        asked = [p for p in near if p > i] if self.first else checker._ordered(i, near)
        ordered = [(p, checker.effects[p], self.boxes[p]) for p in asked]
        matters: bool | None = None
        if not self.first:
            # the rule's own boxes, a few regions: one search over the cells each (under
            # first-applicable its many small pieces are faster to probe and split)
            with contextlib.suppress(TooHard):
                matters = self.cells().differs(decided, asked, default, effect)
        if matters is None:
            budget = [RULE_BUDGET]
            found = first_differing(decided, ordered, default, effect, finder.types, budget)
            matters = found is not None
        if not matters:
            self._redundant(i, decided[0])
        self.conflicts(i)

    def _redundant(self, i: int, where: Box) -> None:
        """PO103 for a rule that decides (at ``where``, among other places) but never
        matters; the note's deciding rule is found on the boxes of the near rules."""
        checker, finder = self.checker, self.checker.finder
        values = sample(where, finder.types)
        by = self.cells().first(values)
        checker.report.redundant(i, finder.request(values, is_point=True), None, Decided(by))

    def _never_decides(self, i: int) -> None:
        checker, finder = self.checker, self.checker.finder
        effects = checker.effects
        effect = effects[i]
        owners, other = self.partition.meeting(self.boxes[i], lambda o: effects[o] != effect)
        # Narrow candidates are tried for deletion first: they are usually covered by the
        # broad ones (cheap to prove, on a small part of rule i), and the broad ones that
        # remain are kept after one sample point, so a cover of one or two broad rules is
        # found in a few steps whatever the number of pieces rule i meets.
        ordered = sorted(owners, key=lambda p: (-self.narrowness[p], p))
        cover = checker._exact_cover(i, ordered, [RULE_BUDGET], self.cells())
        if other is not None:
            checker.silenced.add(i)
            checker.report.shadowed(i, cover, finder.request(other[1]), Decided(other[0]))
            return
        request = finder.request(self.boxes[i][0])
        by = self.cells().first(sample(self.boxes[i][0], finder.types))
        checker.report.redundant(i, request, cover, Decided(by))
        self.conflicts(i)

    def conflicts(self, i: int) -> None:
        """PO104: the first earlier rule of the other effect (not empty, not shadowed) that
        shares a request with rule i gives the witness; every such rule holding it is named."""
        checker, types = self.checker, self.checker.finder.types
        # only rivals with a box that may meet one of rule i's can hold one of its points
        rivals = self.rivals(i)
        for j in rivals:
            for a in self.boxes[i]:
                for b in self.boxes[j]:
                    if disjoint(a, b, types):
                        continue
                    both = box_meet(a, b, types)
                    if both is None:
                        continue
                    values = sample(both, types)
                    cells = self.cells()
                    held, bits = cells.holding(values), cells.bits
                    partners = [p for p in rivals if bits[p] & held]
                    by = cells.first(values)
                    decision = (
                        DECISIONS[checker.policy.default]
                        if by is None
                        else DECISIONS[checker.effects[by]]
                    )
                    request = checker.finder.request(values, is_point=True)
                    checker.report.conflict(
                        i, partners, request, DECISION_NAMES[decision], Decided(by)
                    )
                    return


def _held(box: Box, owned: list[tuple[int, Box]], lookup: Lookup, types: Types) -> bool:
    """Some one of the owned boxes contains this box."""
    found = lookup.containing(box)
    candidates = range(len(owned)) if found is None else found
    return any(contains(owned[k][1], box, types) for k in candidates)
