"""Yes/no box questions by bit masks over a region's elementary cells, without splitting.

``subtract`` and ``first_differing`` (``po_sweep``) answer "is some point of a region in none
of these boxes" and "does some point get another decision" by splitting the region around
the boxes one at a time; every split builds dictionaries and domains, and on heavily
overlapping policies (most rules covered by a few others, the covers found piece by piece)
that is where the time goes. Many callers only need the yes/no answer, not a witness: whether
a rule matters where it decides, whether a cover stays a cover without one member.

Those questions are answered here on the arrangement of the boxes instead. Per attribute,
the region's domain falls into elementary cells (the values of an enum, the stretches of an
interval between the boxes' bounds, the strings the boxes name plus "any other string") and
each cell has a mask: one bit per box whose domain there holds the whole cell. A point's
cells, one per attribute, say exactly which boxes hold it: the AND of their masks. A
depth-first search over the attributes (cells with equal masks counted once) finds a point
with the asked property or proves there is none; what lies below a node depends only on the
attribute reached and the mask so far, so each such pair is explored once, and a box that
holds all that is left of the region decides the whole subtree at once. Boxes are numbered
in priority order, so the lowest bit of a point's mask is the rule that decides it.

Exact like the splitting it replaces (every cell is non-empty, every mask exact); a search
past its budget raises ``TooHard`` and the caller asks the splitting engine, so answers never
depend on the budget. Held to brute force in ``tests/check/policy/test_policy_cells.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import cast

from archctl.check.policy.exact import (
    Box,
    CoSet,
    Dom,
    Interval,
    TooHard,
    full,
    integral,
)
from archctl.model.types import VarType

#: search nodes per question before it goes back to box splitting
BUDGET = 20_000

#: an interval end as an ordered key (``_reals``, ``_integers``); [start, end) keys
#: delimit any interval
Key = tuple[object, ...]
_LOW: Key = (0,)
_HIGH: Key = (2,)
#: the ends of an unbounded interval of integers (keys are the integers themselves)
_MINUS, _PLUS = float("-inf"), float("inf")


def uncovered(regions: Sequence[Box], boxes: Sequence[Box], types: dict[str, VarType]) -> bool:
    """Some point of the regions lies in none of the boxes (``subtract`` leaves something)."""
    target = [("", box) for box in boxes]
    return any(_Search(region, target, "", "none", types).run() for region in regions)


def differs(
    regions: Sequence[Box],
    ordered: Sequence[tuple[str, Sequence[Box]]],
    default: str,
    target: str,
    types: dict[str, VarType],
) -> bool:
    """Some point of the regions is decided other than ``target`` by the first of the
    ``ordered`` (effect, boxes) rules holding it, or by ``default`` where none does
    (``first_differing`` finds a point)."""
    flat = [(effect, box) for effect, boxes in ordered for box in boxes]
    return any(_Search(region, flat, target, default, types).run() for region in regions)


class _Search:
    """The arrangement of the boxes meeting one region, and the search over it."""

    def __init__(
        self,
        region: Box,
        boxes: Sequence[tuple[str, Box]],
        target: str,
        default: str,
        types: dict[str, VarType],
    ) -> None:
        kept = boxes
        #: boxes of another effect than the target (bit k: the k-th box)
        self.other = sum(1 << k for k, (effect, _) in enumerate(kept) if effect != target)
        self.default_differs = default != target
        self.start = (1 << len(kept)) - 1
        #: attribute -> (bit, domain) of every box that constrains it
        bounded: dict[str, list[tuple[int, Dom]]] = {}
        for k, (_, box) in enumerate(kept):
            bit = 1 << k
            for name, dom in box.items():
                bounded.setdefault(name, []).append((bit, dom))
        cells = [
            _cells(region.get(name) or full(var_type), bounded[name], self.start, var_type)
            for name, var_type in types.items()
            if name in bounded
        ]
        cells.sort(key=len)  # few branches first: masks shrink before the wide attributes
        self.cells = cells
        #: per depth, the boxes holding every cell of every attribute from there on
        self.whole = [0] * (len(cells) + 1)
        self.whole[len(cells)] = self.start
        for depth in reversed(range(len(cells))):
            every = self.start
            for mask in cells[depth]:
                every &= mask
            self.whole[depth] = self.whole[depth + 1] & every
        #: every target box comes before every other box (``_undominated`` applies)
        first_other = self.other & -self.other
        self.split = not self.other or not self.start & ~self.other & ~(first_other - 1)
        self.seen: set[tuple[int, int]] = set()
        self.budget = BUDGET

    def run(self) -> bool:
        return self._below(0, self.start)

    def _below(self, depth: int, mask: int) -> bool:
        """A point below this node (the cells chosen so far give ``mask``) is decided other
        than the target."""
        if not mask:
            return self.default_differs
        other = self.other
        held = mask & self.whole[depth]
        if held:  # these boxes hold every point below: the point's mask is never empty
            first = held & -held
            ahead = mask & (first - 1)  # boxes before it that may hold a point, or not
            if first & other:
                if not ahead & ~other:
                    return True  # whichever box comes first, it decides otherwise
            elif not ahead & other:
                return False  # whichever box comes first, it decides the target
        elif not mask & other and not self.default_differs:
            return False  # target boxes or the default (the target too) decide
        if depth == len(self.cells):
            return bool(mask & -mask & other)
        if (depth, mask) in self.seen:
            return False
        self.seen.add((depth, mask))
        self.budget -= 1
        if self.budget < 0:
            raise TooHard
        children = dict.fromkeys(mask & cell for cell in self.cells[depth])
        if self.split and len(children) > 1:
            children = self._undominated(children)
        return any(self._below(depth + 1, child) for child in children)

    def _undominated(self, children: dict[int, None]) -> dict[int, None]:
        """The children no other child dominates, when the target boxes all come before the
        others (one override algorithm): then a point is decided otherwise exactly when no
        target box holds it and an other box does (or none does and the default differs),
        so a child with fewer target boxes and more other boxes is at least as likely to
        have one below it, and the dominated child need not be searched."""
        other = self.other
        kept: list[int] = []
        for child in sorted(children, key=lambda m: ((m & ~other).bit_count(), -m.bit_count())):
            mine, theirs = child & ~other, child & other
            if not any((k & ~other) & ~mine == 0 and theirs & ~(k & other) == 0 for k in kept):
                kept.append(child)
        return dict.fromkeys(kept)


def _cells(dom: Dom, bounded: list[tuple[int, Dom]], every: int, var_type: VarType) -> list[int]:
    """The distinct masks of the region's cells (its domain ``dom``) on one attribute; the
    boxes not in ``bounded`` leave the attribute free and hold every cell."""
    free = every
    for bit, _ in bounded:
        free &= ~bit
    if isinstance(dom, Interval):
        masks = _stretches(dom, bounded, integral(var_type))
    else:
        masks = _values(dom, bounded)
    return list(dict.fromkeys(free | mask for mask in masks))


def _stretches(dom: Interval, bounded: list[tuple[int, Dom]], whole: bool) -> list[int]:
    """Masks of the stretches of an interval between the bounds of the boxes (a box that
    meets the region is toggled on at its start and off at its end)."""
    span = _integers if whole else _reals
    first, last = span(dom)
    toggles: dict[Key, int] = {first: 0, last: 0}
    for bit, other in bounded:
        assert isinstance(other, Interval), "an interval attribute has interval domains"
        begin, end = span(other)
        begin, end = max(begin, first), min(end, last)
        if begin >= end:
            continue  # the box holds no cell: its bit stays off here
        toggles[begin] = toggles.get(begin, 0) ^ bit
        toggles[end] = toggles.get(end, 0) ^ bit
    masks: list[int] = []
    running = 0
    for key in sorted(toggles)[:-1]:
        running ^= toggles[key]
        masks.append(running)
    return masks


def _reals(dom: Interval) -> tuple[Key, Key]:
    """[start, end) keys of an interval of reals: (1, v, 0) sits at v and (1, v, 1) just
    after it, so every stretch between two keys holds a real number."""
    start = _LOW if dom.low is None else (1, dom.low, 0 if dom.low_closed else 1)
    end = _HIGH if dom.high is None else (1, dom.high, 1 if dom.high_closed else 0)
    return start, end


def _integers(dom: Interval) -> tuple[Key, Key]:
    """[start, end) keys of an interval of integers: its first integer and one past its last
    (so every stretch between two keys holds an integer: no cell is empty)."""
    low, high = dom.low, dom.high
    start: object = (
        _MINUS if low is None else math.ceil(low) if dom.low_closed else math.floor(low) + 1
    )
    end: object = (
        _PLUS if high is None else math.floor(high) + 1 if dom.high_closed else math.ceil(high)
    )
    return cast(Key, start), cast(Key, end)


_ANY_OTHER = object()


def _values(dom: Dom, bounded: list[tuple[int, Dom]]) -> list[int]:
    """Masks of the values of a value set, or of the strings the boxes name plus one cell
    for every other string (a co-finite region)."""
    if isinstance(dom, frozenset):
        values: list[object] = _ordered(dom)
    else:
        assert isinstance(dom, CoSet)
        named: set[object] = set()
        for _, other in bounded:
            named.update(other.excluded if isinstance(other, CoSet) else other)  # type: ignore[arg-type]
        values = [*_ordered(named - dom.excluded), _ANY_OTHER]
    mask = dict.fromkeys(values, 0)
    for bit, other in bounded:
        if isinstance(other, CoSet):
            for value in values:
                if value not in other.excluded:
                    mask[value] |= bit
        else:
            assert isinstance(other, frozenset), "a value attribute has value domains"
            for value in other:
                if value in mask:
                    mask[value] |= bit
    return list(mask.values())


def _ordered(values: Iterable[object]) -> list[object]:
    """Values in a fixed order (the search tries cells in it; answers do not depend on it)."""
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=repr)
