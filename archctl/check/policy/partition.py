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

from collections.abc import Sequence

from archctl.check.policy.exact import Box, TooHard, box_meet, disjoint
from archctl.check.policy.sweep import holds, subtract
from archctl.model.types import VarType

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
        #: (owner, box): where the owner is the first match among the swept rules
        self.pieces: list[tuple[int, Box]] = []
        #: owner -> its piece's boxes (empty: a swept rule that never decides)
        self.decided: dict[int, list[Box]] = {}
        left: list[Box] = [{}]
        counter = [budget]
        for owner in swept:
            inside: list[Box] = []
            for box in boxes[owner]:
                met = [m for piece in left if (m := box_meet(piece, box, types)) is not None]
                if met:
                    inside.extend(met)
                    left, _ = subtract(left, [(owner, box)], types, counter)
            self.decided[owner] = inside
            self.pieces.extend((owner, box) for box in inside)
            if len(left) + len(self.pieces) > LIMIT:
                raise TooHard
        #: what no swept rule matches
        self.remainder = left

    def meeting(self, mine: Sequence[Box]) -> list[tuple[int, Box]]:
        """The pieces that meet any of these boxes, in sweep order, met with them."""
        out = []
        for owner, piece in self.pieces:
            for box in mine:
                if not disjoint(piece, box, self.types):
                    both = box_meet(piece, box, self.types)
                    if both is not None:
                        out.append((owner, both))
        return out

    def undecided(self, mine: Sequence[Box]) -> list[Box]:
        """The parts of these boxes in the remainder (disjoint pieces)."""
        out: list[Box] = []
        for box in mine:
            for piece in self.remainder:
                if disjoint(piece, box, self.types):
                    continue
                both = box_meet(piece, box, self.types)
                if both is not None:
                    out.append(both)
        return out


def first_hit(
    values: dict[str, object], order: Sequence[int], boxes: Sequence[list[Box] | None]
) -> int | None:
    """The first rule in ``order`` whose boxes hold the point (None: the default decides)."""
    for position in order:
        mine = boxes[position]
        if mine is not None and any(holds(box, values) for box in mine):
            return position
    return None
