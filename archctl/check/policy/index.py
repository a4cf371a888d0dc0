"""An inverted index of boxes by attribute values: which boxes may meet or contain a box,
without testing every box.

The box questions (``po_sweep``, ``po_partition``) compare each piece of a region with every
box of a list, and on heavily overlapping policies the lists run to thousands of boxes (the
decided regions) while a piece meets a few. Enum and bool attributes have a known, small set
of values, and numeric ones are cut into a few buckets, so a box is filed under every value
or bucket its domain reaches (all of them when it leaves the attribute free); the boxes that
may meet a query are then the intersection, over the query's constrained attributes, of the
unions of the sets filed under what it reaches, and those that may contain it an
intersection alone. The answer is a superset (strings are not indexed, buckets are coarse):
callers still test each candidate exactly, so the index changes the work, never an answer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from archctl.check.policy.exact import Box, CoSet, Interval, Number
from archctl.model.types import TypeKind, VarType


def indexed_names(types: dict[str, VarType], boxes: Iterable[Box]) -> list[str]:
    """The attributes that some of these boxes constrain and an index can file boxes by
    (enum, bool, int, real, ip: not strings), in declaration order."""
    seen: set[str] = set()
    for box in boxes:
        seen.update(box)
    return [name for name, var_type in types.items() if name in seen and var_type.kind in KINDS]


KINDS = (TypeKind.ENUM, TypeKind.BOOL, TypeKind.INT, TypeKind.REAL, TypeKind.IP)
#: buckets per numeric attribute (cut at quantiles of the query boxes' bounds)
BUCKETS = 8


class BoxIndex:
    """Keys of boxes filed by the values of some attributes; boxes can be added and removed
    (the undecided region of a sweep changes as rules are cut out of it).

    An enum or bool attribute files a box under each value its domain allows. A numeric
    attribute is cut into buckets at bounds of the queries; a box is filed under every
    bucket its interval reaches (both ends taken as closed: a superset). A box that leaves
    an attribute free is filed under all of them.
    """

    def __init__(
        self, types: dict[str, VarType], names: Sequence[str], queries: Iterable[Box]
    ) -> None:
        self.names = list(names)
        #: every key filed
        self.keys: set[int] = set()
        #: attribute -> value or bucket -> keys of the boxes filed there
        self.filed: dict[str, dict[object, set[int]]] = {}
        #: attribute -> every value or bucket (a box leaving it free is filed under all)
        self.universe: dict[str, tuple[object, ...]] = {}
        #: numeric attribute -> the bounds between its buckets, ascending
        self.cuts: dict[str, list[Number]] = {}
        bounds: dict[str, set[Number]] = {name: set() for name in self.names}
        for box in queries:
            for name, dom in box.items():
                if isinstance(dom, Interval) and name in bounds:
                    bounds[name].update(b for b in (dom.low, dom.high) if b is not None)
        for name in self.names:
            var_type = types[name]
            if var_type.kind is TypeKind.ENUM:
                values: tuple[object, ...] = var_type.values
            elif var_type.kind is TypeKind.BOOL:
                values = (False, True)
            else:
                ordered = sorted(bounds[name])
                step = max(1, len(ordered) // BUCKETS)
                self.cuts[name] = ordered[step::step][: BUCKETS - 1]
                values = tuple(range(len(self.cuts[name]) + 1))
            self.universe[name] = values
            self.filed[name] = {value: set() for value in values}

    @classmethod
    def of(
        cls,
        types: dict[str, VarType],
        boxes: Sequence[Box],
        queries: Sequence[Box],
        kinds: Sequence[TypeKind] = KINDS,
    ) -> BoxIndex:
        """An index of ``boxes`` keyed by position, over the attributes ``queries`` constrain
        (of these ``kinds``)."""
        names = [n for n in indexed_names(types, queries) if types[n].kind in kinds]
        index = cls(types, names, queries)
        for key, box in enumerate(boxes):
            index.add(key, box)
        return index

    def _under(self, name: str, dom: object) -> Iterable[object]:
        """The values or buckets a domain is filed under."""
        if isinstance(dom, frozenset):
            return dom
        if isinstance(dom, Interval):
            cuts = self.cuts[name]
            low = 0 if dom.low is None else bisect_right(cuts, dom.low)
            high = len(cuts) if dom.high is None else bisect_right(cuts, dom.high)
            return range(low, high + 1)
        return self.universe[name]

    def add(self, key: int, box: Box) -> None:
        self.keys.add(key)
        for name in self.names:
            filed = self.filed[name]
            for value in self._under(name, box.get(name)):
                filed[value].add(key)

    def remove(self, key: int, box: Box) -> None:
        self.keys.discard(key)
        for name in self.names:
            filed = self.filed[name]
            for value in self._under(name, box.get(name)):
                filed[value].discard(key)

    def meeting(self, box: Box) -> set[int] | None:
        """Keys of every box that may meet ``box``; None when no indexed attribute constrains
        it (then every box may). The set may be the index's own: read it (or sort it) before
        adding or removing boxes."""
        groups: list[set[int]] = []
        for filed, under in self._constrained(box):
            if len(under) == 1:
                groups.append(filed[under[0]])
            elif len(under) < len(filed):
                groups.append(set().union(*(filed[value] for value in under)))
        return _intersection(groups)

    def containing(self, box: Box) -> set[int] | None:
        """Keys of every box that may contain ``box`` (None: no indexed attribute constrains
        it): such a box is filed under every value ``box`` allows and under the buckets of
        both ends of its intervals, so intersections suffice, no unions."""
        groups: list[set[int]] = []
        for filed, under in self._constrained(box):
            if isinstance(under, range):
                under = [under[0], under[-1]]
            groups.extend(filed[value] for value in under)
        return _intersection(groups)

    def _constrained(self, box: Box) -> Iterator[tuple[dict[object, set[int]], Sequence[object]]]:
        """Per indexed attribute the box constrains: its files, and the values or buckets
        the box's domain there is filed under."""
        for name in self.names:
            dom = box.get(name)
            if dom is not None and not isinstance(dom, CoSet):
                under = self._under(name, dom)
                yield self.filed[name], under if isinstance(under, range) else list(under)


#: candidates few enough to test exactly rather than narrow down further
FEW = 12


def _intersection(groups: list[set[int]]) -> set[int] | None:
    """The keys in every group (a superset once few are left: callers test them exactly)."""
    if not groups:
        return None
    groups.sort(key=len)
    found = groups[0]
    for group in groups[1:]:
        if len(found) <= FEW:
            break
        found = found & group
    return found
