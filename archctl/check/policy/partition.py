"""The decided regions of a policy: one sweep over the rules in priority order.

Walking the rules in priority order and cutting each rule's boxes out of what is still
undecided gives, for every rule j, the region where it is the first match (its *piece*),
as disjoint boxes; together with the remainder (what no rule matches) they partition the
request space, each part labelled with its decision. Large policies mostly consist of rules
that are covered by a few broad rules early on, so the remainder empties soon and stays
small, and every later question ("where does rule i decide", "which rules cover it", "does
any request it matches get another decision") is a meet with a few pieces instead of a
comparison with every earlier rule (the rules before it need not be looked at one by one:
the pieces of the rules that take precedence over rule i cover it exactly when rule i never
decides, and a rule's piece can only meet rule i when that rule takes precedence over it).

Under the override algorithms only the winning effect's rules take precedence over anyone,
so only they are swept; the rest is answered with the remainder after them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from archctl.check.policy.exact import Box, TooHard, box_meet, disjoint
from archctl.check.policy.index import BoxIndex, indexed_names
from archctl.check.policy.sweep import outside
from archctl.model.types import TypeKind, VarType

#: The pieces are filed by enum values only: the sweep adds and removes a piece for every
#: split and asks once per swept box, and the indexes of the pieces and of the remainder
#: are asked once per rule that needs them, so filing thousands of pieces under numeric
#: buckets (and bools, two values that rarely narrow anything down) costs more than the
#: tests it saves.
FILED = (TypeKind.ENUM,)
#: pieces (remainder plus decided) beyond which the sweep gives up: the per-rule engine,
#: which never builds the partition, then answers every rule
LIMIT = 20_000


class Partition:
    def __init__(
        self,
        swept: Sequence[int],
        boxes: Sequence[list[Box]],
        types: dict[str, VarType],
        budget: int,
    ) -> None:
        self.types = types
        #: every rule box: the questions the indexes below are built for (the attributes
        #: they constrain, the bounds their buckets are cut at)
        self.queries = [box for mine in boxes for box in mine]
        #: (owner, box): where the owner is the first match among the swept rules
        self.pieces: list[tuple[int, Box]] = []
        #: owner -> its piece's boxes (empty: a swept rule that never decides)
        self.decided: dict[int, list[Box]] = {}
        undecided = _Undecided(types, [box for owner in swept for box in boxes[owner]])
        counter = [budget]
        for owner in swept:
            inside: list[Box] = []
            for box in boxes[owner]:
                inside.extend(undecided.cut(owner, box, counter))
            self.decided[owner] = inside
            self.pieces.extend((owner, box) for box in inside)
            if len(undecided.live) + len(self.pieces) > LIMIT:
                raise TooHard
        #: what no swept rule matches
        self.remainder = undecided.boxes()
        self._pieces_index: BoxIndex | None = None
        self._remainder_index: BoxIndex | None = None

    def meeting(
        self, mine: Sequence[Box], wanted: Callable[[int], bool]
    ) -> tuple[set[int], tuple[int, Box] | None]:
        """The owners of the pieces that meet any of these boxes, and the first such piece
        (in sweep order) whose owner is ``wanted``, met with the box it meets (the only
        meet a caller needs: the rest are only tested)."""
        if self._pieces_index is None:
            pieces = [b for _, b in self.pieces]
            self._pieces_index = BoxIndex.of(self.types, pieces, self.queries, FILED)
        owners: set[int] = set()
        found: tuple[int, Box] | None = None
        for key in _candidates(self._pieces_index, mine, len(self.pieces)):
            owner, piece = self.pieces[key]
            for box in mine:
                if disjoint(piece, box, self.types):
                    continue
                owners.add(owner)
                if found is None and wanted(owner):
                    both = box_meet(piece, box, self.types)
                    found = None if both is None else (owner, both)
        return owners, found

    def undecided(self, mine: Sequence[Box]) -> Iterator[Box]:
        """The parts of these boxes in the remainder (disjoint pieces), made as they are
        asked for: a caller that finds what it looks for in the first few stops there."""
        if self._remainder_index is None:
            self._remainder_index = BoxIndex.of(self.types, self.remainder, self.queries, FILED)
        for box in mine:
            for key in _candidates(self._remainder_index, [box], len(self.remainder)):
                piece = self.remainder[key]
                if disjoint(piece, box, self.types):
                    continue
                both = box_meet(piece, box, self.types)
                if both is not None:
                    yield both


def _candidates(index: BoxIndex, mine: Sequence[Box], count: int) -> list[int]:
    """Keys (ascending) of the indexed boxes that may meet any of ``mine``."""
    found: set[int] = set()
    for box in mine:
        hits = index.meeting(box)
        if hits is None:
            return list(range(count))
        found |= hits
    return sorted(found)


class _Undecided:
    """The undecided region during the sweep: disjoint boxes, indexed, each with its place.

    Cutting a rule's box out replaces each piece it meets by the piece's parts outside it,
    in place; a piece's place is the path of splits that made it (its parent's path plus
    the part's rank), so listing the pieces by path gives the order a list rewritten after
    every cut would have, without rewriting (or testing) the pieces the box does not meet.
    """

    def __init__(self, types: dict[str, VarType], queries: Sequence[Box]) -> None:
        self.types = types
        names = [n for n in indexed_names(types, queries) if types[n].kind in FILED]
        self.index = BoxIndex(types, names, queries)
        #: key -> (path, box)
        self.live: dict[int, tuple[tuple[int, ...], Box]] = {0: ((), {})}
        self.index.add(0, {})
        self.fresh = 1

    def cut(self, owner: int, box: Box, counter: list[int]) -> list[Box]:
        """Remove ``box`` from the region; the parts of the region inside it, in order."""
        hits = self.index.meeting(box)
        keys = list(self.live) if hits is None else list(hits)
        live, types = self.live, self.types
        met = sorted(
            (live[key][0], key, both)
            for key in keys
            if not disjoint(live[key][1], box, types)
            and (both := box_meet(live[key][1], box, types)) is not None
        )
        for path, key, _ in met:
            piece = live.pop(key)[1]
            self.index.remove(key, piece)
            parts = outside(piece, box, types, counter)
            for rank, part in enumerate(parts):
                live[self.fresh] = ((*path, rank), part)
                self.index.add(self.fresh, part)
                self.fresh += 1
        return [both for _, _, both in met]

    def boxes(self) -> list[Box]:
        return [box for _, box in sorted(self.live.values(), key=_path)]


def _path(entry: tuple[tuple[int, ...], Box]) -> tuple[int, ...]:
    return entry[0]
