"""Yes/no box questions by bit masks over a region's elementary cells, without splitting.

``subtract`` and ``first_differing`` (``po_sweep``) answer "is some point of a region in none
of these boxes" and "does some point get another decision" by splitting the region around
the boxes one at a time; every split builds dictionaries and domains, and on heavily
overlapping policies (most rules covered by a few others, the covers found piece by piece)
that is where the time goes. Many callers only need the yes/no answer, not a witness: whether
a rule matters where it decides, whether a cover stays a cover without one member.

Those questions are answered here on the arrangement of the boxes instead, built once per
policy over all its rule boxes. Per attribute, the domain falls into elementary cells (the
values of an enum, the stretches of an interval between the boxes' bounds, the strings the
boxes name plus "any other string") and each cell has a mask: one bit per box whose domain
there holds the whole cell; a question keeps the bits of the rules it is about and the cells
inside its region. A point's
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
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import cast

from archctl.check.policy.exact import Box, CoSet, Dom, Interval, TooHard, full, integral
from archctl.model.types import TypeKind, VarType

#: search nodes per question before it goes back to box splitting
BUDGET = 20_000
#: asked boxes constraining an interval attribute up to which its cells are made from their
#: bounds alone rather than read off the policy's stretches
FEW = 24

#: an interval end as an ordered key (``_reals``, ``_integers``); [start, end) keys
#: delimit any interval
Key = tuple[object, ...]
_LOW: Key = (0,)
_HIGH: Key = (2,)
#: the ends of an unbounded interval of integers (keys are the integers themselves)
_MINUS, _PLUS = float("-inf"), float("inf")


class Cells:
    """The cells of every attribute over all the boxes of one policy's rules, built once.

    Bits number the boxes in priority ``order`` (the lowest bit of a point's mask is the
    rule that decides it); a question names the rules it is about, and the cells of the
    region are the attribute's cells inside it, each mask cut down to those rules' bits.
    """

    def __init__(
        self,
        rules: Sequence[Sequence[Box]],
        order: Sequence[int],
        effects: Sequence[str],
        types: dict[str, VarType],
    ) -> None:
        #: rule -> the bits of its boxes; effect -> the bits of its rules' boxes
        self.bits = [0] * len(rules)
        #: bit -> the rule of that box
        self.owner: list[int] = []
        self.effects: dict[str, int] = {}
        bounded: dict[str, list[tuple[int, Dom]]] = {}
        count = 0
        for position in order:
            for box in rules[position]:
                bit = 1 << count
                count += 1
                self.bits[position] |= bit
                self.owner.append(position)
                effect = effects[position]
                self.effects[effect] = self.effects.get(effect, 0) | bit
                for name, dom in box.items():
                    bounded.setdefault(name, []).append((bit, dom))
        every = self.every = (1 << count) - 1
        self.attributes = [
            _Attribute(var_type, bounded[name], every)
            for name, var_type in types.items()
            if name in bounded
        ]
        self.names = [name for name in types if name in bounded]

    def holding(self, values: dict[str, object]) -> int:
        """The boxes holding a point (every attribute valued): one cell per attribute."""
        mask = self.every
        for name, attribute in zip(self.names, self.attributes, strict=True):
            mask &= attribute.at(values[name])
        return mask

    def first(self, values: dict[str, object]) -> int | None:
        """The rule that decides a point: the first in priority order holding it (None: the
        default decides)."""
        mask = self.holding(values)
        return self.owner[(mask & -mask).bit_length() - 1] if mask else None

    def uncovered(self, regions: Sequence[Box], rules: Iterable[int]) -> bool:
        """Some point of the regions lies in no box of these rules."""
        mask = self._mask(rules)
        return any(self._search(region, mask, 0, True) for region in regions)

    def differs(
        self, regions: Sequence[Box], rules: Iterable[int], default: str, target: str
    ) -> bool:
        """Some point of the regions is decided other than ``target`` by the first of these
        rules (in priority order) holding it, or by ``default`` where none does."""
        mask = self._mask(rules)
        other = mask & ~self.effects.get(target, 0)
        return any(self._search(region, mask, other, default != target) for region in regions)

    def _mask(self, rules: Iterable[int]) -> int:
        mask = 0
        for position in rules:
            mask |= self.bits[position]
        return mask

    def _search(self, region: Box, mask: int, other: int, default_differs: bool) -> bool:
        cells = []
        for name, attribute in zip(self.names, self.attributes, strict=True):
            masks = attribute.cells(region.get(name), mask)
            if masks is not None:
                cells.append(masks)
        return _Search(cells, mask, other, default_differs).run()


def uncovered(regions: Sequence[Box], boxes: Sequence[Box], types: dict[str, VarType]) -> bool:
    """Some point of the regions lies in none of the boxes (``subtract`` leaves something)."""
    count = len(boxes)
    cells = Cells([[box] for box in boxes], range(count), [""] * count, types)
    return cells.uncovered(regions, range(count))


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
    count = len(ordered)
    effects = [effect for effect, _ in ordered]
    cells = Cells([boxes for _, boxes in ordered], range(count), effects, types)
    return cells.differs(regions, range(count), default, target)


class _Attribute:
    """One attribute's cells over all the boxes: the stretches of an interval between their
    bounds, or the values of a value set (the strings they name and any other string),
    each with the mask of the boxes holding all of it."""

    def __init__(self, var_type: VarType, bounded: list[tuple[int, Dom]], every: int) -> None:
        self.var_type = var_type
        #: the boxes that constrain the attribute (the others hold every cell)
        self.constrained = 0
        for bit, _ in bounded:
            self.constrained |= bit
        free = every & ~self.constrained
        self.whole = integral(var_type)
        self.interval = var_type.kind in (TypeKind.INT, TypeKind.REAL, TypeKind.IP)
        if self.interval:
            self._stretches(bounded, free)
        else:
            self._values(bounded, free)

    def _stretches(self, bounded: list[tuple[int, Dom]], free: int) -> None:
        """A box is toggled on at its start and off at its end (keys: ``_span``)."""
        first, last = self._span(cast(Interval, full(self.var_type)))
        toggles: dict[Key, int] = {first: 0, last: 0}
        #: box bit -> [start, end) keys of its interval
        self.spans: dict[int, tuple[Key, Key]] = {}
        for bit, dom in bounded:
            assert isinstance(dom, Interval), "an interval attribute has interval domains"
            begin, end = self.spans[bit] = self._span(dom)
            toggles[begin] = toggles.get(begin, 0) ^ bit
            toggles[end] = toggles.get(end, 0) ^ bit
        #: the keys, ascending; the stretch k runs from keys[k] to keys[k + 1]
        self.keys = sorted(toggles)
        self.masks: list[int] = []
        running = free
        for key in self.keys[:-1]:
            running ^= toggles[key]
            self.masks.append(running)

    def _span(self, dom: Interval) -> tuple[Key, Key]:
        return _integers(dom) if self.whole else _reals(dom)

    def _values(self, bounded: list[tuple[int, Dom]], free: int) -> None:
        kind = self.var_type.kind
        if kind is TypeKind.ENUM:
            values: list[object] = list(self.var_type.values)
        elif kind is TypeKind.BOOL:
            values = [False, True]
        else:
            named: set[object] = set()
            for _, dom in bounded:
                named.update(dom.excluded if isinstance(dom, CoSet) else dom)  # type: ignore[arg-type]
            values = _ordered(named)
        #: value -> the boxes holding it; for strings ``other``: those holding any string
        #: no box names (the co-finite boxes)
        self.held = dict.fromkeys(values, free)
        self.other = free
        for bit, dom in bounded:
            if isinstance(dom, CoSet):
                self.other |= bit
                for value in values:
                    if value not in dom.excluded:
                        self.held[value] |= bit
            else:
                assert isinstance(dom, frozenset), "a value attribute has value domains"
                for value in dom:
                    if value in self.held:
                        self.held[value] |= bit

    def at(self, value: object) -> int:
        """The mask of the cell holding a value of the attribute."""
        if self.interval:
            key = cast(Key, value) if self.whole else (1, value, 0)
            return self.masks[bisect_right(self.keys, key) - 1]
        return self.held.get(value, self.other)

    def cells(self, dom: Dom | None, mask: int) -> list[int] | None:
        """The distinct masks (cut to ``mask``) of the cells inside a region's domain; None
        when they are all ``mask`` (the attribute cannot tell the boxes apart there)."""
        if not mask & self.constrained:
            return None
        if self.interval:
            found = self._inside(cast(Interval, dom or full(self.var_type)), mask)
        elif dom is None or isinstance(dom, CoSet):
            excluded = frozenset() if dom is None else dom.excluded
            found = dict.fromkeys(h & mask for v, h in self.held.items() if v not in excluded)
            if self.var_type.kind is TypeKind.STRING:
                found[self.other & mask] = None
        else:
            assert isinstance(dom, frozenset)
            held = self.held
            found = dict.fromkeys(held[v] & mask for v in held if v in dom)
            if any(value not in held for value in dom):  # strings no box names
                found[self.other & mask] = None
        if len(found) == 1 and mask in found:
            return None
        return list(found)

    def _inside(self, dom: Interval, mask: int) -> dict[int, None]:
        """The masks of the stretches inside an interval: the policy's stretches there, or,
        when few of the asked boxes constrain the attribute, the stretches between their
        own bounds (the same masks, without walking stretches that only other boxes cut)."""
        first, last = self._span(dom)
        bounded = mask & self.constrained
        if bounded.bit_count() > FEW:
            keys = self.keys
            low, high = bisect_right(keys, first) - 1, bisect_left(keys, last)
            return dict.fromkeys(held & mask for held in self.masks[low:high])
        toggles: dict[Key, int] = {first: 0, last: 0}
        while bounded:
            bit = bounded & -bounded
            bounded ^= bit
            begin, end = self.spans[bit]
            begin, end = max(begin, first), min(end, last)
            if begin < end:  # else the box holds no cell here: its bit stays off
                toggles[begin] = toggles.get(begin, 0) ^ bit
                toggles[end] = toggles.get(end, 0) ^ bit
        found: dict[int, None] = {}
        running = mask & ~self.constrained
        for key in sorted(toggles)[:-1]:
            running ^= toggles[key]
            found[running] = None
        return found


class _Search:
    """The search over the cells of one region (one list of masks per attribute)."""

    def __init__(self, cells: list[list[int]], mask: int, other: int, differs: bool) -> None:
        cells.sort(key=len)  # few branches first: masks shrink before the wide attributes
        self.cells = cells
        self.start = mask
        #: the boxes of another effect than the target
        self.other = other
        self.default_differs = differs
        #: per depth, the boxes holding every cell of every attribute from there on
        self.whole = [0] * (len(cells) + 1)
        self.whole[len(cells)] = mask
        for depth in reversed(range(len(cells))):
            every = mask
            for held in cells[depth]:
                every &= held
            self.whole[depth] = self.whole[depth + 1] & every
        #: every target box comes before every other box (``_undominated`` applies)
        first_other = other & -other
        self.split = not other or not mask & ~other & ~(first_other - 1)
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


def _ordered(values: Iterable[object]) -> list[object]:
    """Values in a fixed order (the search tries cells in it; answers do not depend on it)."""
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=repr)
