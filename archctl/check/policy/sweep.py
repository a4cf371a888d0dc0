"""Questions over unions of boxes: subtract boxes, probe sample points, sweep priorities.

Built on the domains of ``po_exact``. ``subtract`` splits pieces around boxes (what is left
is uncovered; the boxes used form a cover), ``probe`` decides a few sample points exactly
(cheap, and a found point is a proof of existence), and ``first_differing`` sweeps rules in
priority order to find where a decision differs from a target, or prove there is none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from archctl.check.policy.exact import (
    Box,
    CoSet,
    TooHard,
    box_meet,
    contains,
    disjoint,
    full,
    integral,
    meet,
    minus,
    point,
)
from archctl.check.policy.index import BoxIndex
from archctl.model.types import VarType


def subtract(
    pieces: Sequence[Box],
    excluded: Sequence[tuple[int, Box]],
    types: dict[str, VarType],
    budget: list[int],
    first: bool = False,
    lookup: Lookup | None = None,
) -> tuple[list[Box], set[int]]:
    """The parts of the pieces outside every excluded box, and the owners that were used.

    A piece swallowed whole by one excluded box is dropped without splitting; otherwise it is
    split around the next excluded box that meets it. ``budget`` (a one-element counter) is
    spent per split; ``TooHard`` is raised when it runs out, because the number of pieces can
    grow exponentially with many partly overlapping boxes. ``first``: stop at the first part
    left over (the same part the full answer lists first), for callers that only ask whether
    anything is. ``lookup``: finds the excluded boxes that may contain or meet a piece (else
    one is built when the lists are long).
    """
    used: set[int] = set()
    left: list[Box] = []
    # Each piece carries the excluded boxes still to test: a part split off a piece can
    # only meet boxes that met the piece, so the list shrinks down the splits instead of
    # every part being compared with every excluded box again. The pieces themselves start
    # with the boxes the index finds (None: to look up), not with every excluded box.
    lookup = lookup or _index(pieces, excluded, types)
    everything = range(len(excluded))
    stack: list[tuple[Box, Sequence[int] | None]] = [(piece, None) for piece in reversed(pieces)]
    while stack:
        piece, candidates = stack.pop()
        if candidates is None and lookup is not None:
            # Most pieces are swallowed whole: the first box (in order) that contains the
            # piece is the one the scan below would find, and far fewer boxes may contain
            # it than meet it.
            found = lookup.containing(piece)
            holders = everything if found is None else found
            swallowing = next((i for i in holders if contains(excluded[i][1], piece, types)), None)
            if swallowing is not None:
                used.add(excluded[swallowing][0])
                continue
            found = lookup.meeting(piece)
            candidates = everything if found is None else found
        elif candidates is None:
            candidates = everything
        meeting = [k for k in candidates if not disjoint(piece, excluded[k][1], types)]
        if not meeting:
            left.append(piece)
            if first:
                break
            continue
        swallowed = next((i for i in meeting if contains(excluded[i][1], piece, types)), None)
        if swallowed is not None:
            used.add(excluded[swallowed][0])
            continue
        budget[0] -= 1
        if budget[0] < 0:
            raise TooHard
        k = meeting[0]
        later = meeting[1:]
        owner, box = excluded[k]
        used.add(owner)
        stack.extend((part, later) for part in _parts(piece, box, types))
    return left, used


def outside(piece: Box, box: Box, types: dict[str, VarType], budget: list[int]) -> list[Box]:
    """``subtract`` for one box that meets the piece: the same parts in the same order, the
    same budget spent, without the machinery for many boxes."""
    if contains(box, piece, types):
        return []
    budget[0] -= 1
    if budget[0] < 0:
        raise TooHard
    return _parts(piece, box, types)[::-1]  # subtract takes them off its stack last first


def _parts(piece: Box, box: Box, types: dict[str, VarType]) -> list[Box]:
    """Disjoint parts of a piece that together make up all of it outside the box (which
    meets it): per attribute of the box, what lies outside it there, within the box on the
    attributes before."""
    parts: list[Box] = []
    rest = dict(piece)
    for name, dom in box.items():
        mine = rest.get(name) or full(types[name])
        if mine is dom:
            continue  # nothing of it lies outside
        if type(mine) is frozenset and type(dom) is frozenset:  # ``minus`` and ``meet``, inline
            left = mine - dom
            if left:
                parts.append({**rest, name: left})
            rest[name] = mine & dom
            continue
        whole = integral(types[name])
        parts.extend({**rest, name: part} for part in minus(mine, dom, whole))
        inside = meet(mine, dom, whole)
        assert inside is not None, "the box meets the piece"
        rest[name] = inside
    return parts


#: excluded boxes times pieces from which ``subtract`` indexes the excluded boxes first
INDEX_FROM = 512


def _index(
    pieces: Sequence[Box], excluded: Sequence[tuple[int, Box]], types: dict[str, VarType]
) -> Lookup | None:
    if len(excluded) < 8 or len(pieces) * len(excluded) < INDEX_FROM:
        return None
    boxes = [box for _, box in excluded]
    return Lookup(BoxIndex.of(types, boxes, pieces), range(len(excluded)))


class Lookup:
    """The excluded boxes (by position, ascending) that may contain or meet a piece: an
    index holding them (and maybe more), and the key of each excluded box in it."""

    def __init__(self, index: BoxIndex, keys: Sequence[int]) -> None:
        self.index = index
        self.position = {key: k for k, key in enumerate(keys)}

    def containing(self, piece: Box) -> list[int] | None:
        return self._positions(self.index.containing(piece))

    def meeting(self, piece: Box) -> list[int] | None:
        return self._positions(self.index.meeting(piece))

    def _positions(self, keys: set[int] | None) -> list[int] | None:
        if keys is None:
            return None
        position = self.position
        return sorted(position[key] for key in keys if key in position)


def holds(box: Box, values: dict[str, object]) -> bool:
    """The point lies in the box."""
    for name, dom in box.items():
        value = values[name]
        if isinstance(dom, frozenset):
            if value not in dom:
                return False
        elif isinstance(dom, CoSet):
            if value in dom.excluded:
                return False
        else:
            number = value  # an int or Fraction: both compare exactly with the bounds
            if dom.low is not None and (
                number < dom.low or (number == dom.low and not dom.low_closed)  # type: ignore[operator]
            ):
                return False
            if dom.high is not None and (
                number > dom.high or (number == dom.high and not dom.high_closed)  # type: ignore[operator]
            ):
                return False
    return True


def probe(
    pieces: Sequence[Box],
    ordered: Sequence[tuple[int, str, list[Box]]],
    default: str,
    target: str,
    types: dict[str, VarType],
    avoid: Sequence[Box] = (),
    tries: int = 16,
) -> dict[str, object] | None:
    """Cheap first attempt: decide a few sample points exactly; most answers are found here.

    Candidates are points (three variants) of each piece and of each piece's meet with each
    ordered rule. A point counts when it lies in no ``avoid`` box and the first ordered rule
    holding there (else the default) decides other than ``target``. Not finding one proves
    nothing.
    """
    for candidate in _candidates(pieces, ordered, target, types, tries):
        for variant in range(3):
            values = sample(candidate, types, variant)
            if any(holds(box, values) for box in avoid):
                continue
            decision = default
            for _, effect, boxes in ordered:
                if any(holds(box, values) for box in boxes):
                    decision = effect
                    break
            if decision != target:
                return values
    return None


def _candidates(
    pieces: Sequence[Box],
    ordered: Sequence[tuple[int, str, list[Box]]],
    target: str,
    types: dict[str, VarType],
    tries: int,
) -> Iterator[Box]:
    """The pieces, then their meets with rules of the other effect (where a decision can
    differ), then with the rest."""
    yield from pieces[:tries]
    count = len(pieces)
    for wanted in (True, False):
        for piece in pieces:
            for _, effect, boxes in ordered:
                if (effect != target) != wanted:
                    continue
                for box in boxes:
                    both = box_meet(piece, box, types)
                    if both is not None:
                        yield both
                        count += 1
                        if count >= tries:
                            return


def first_differing(
    pieces: Sequence[Box],
    ordered: Sequence[tuple[int, str, list[Box]]],
    default: str,
    target: str,
    types: dict[str, VarType],
    budget: list[int],
) -> dict[str, object] | None:
    """A point of the pieces whose decision by ``ordered`` rules is not ``target``.

    Sweeps the rules in priority order: a rule of the other effect that meets what is left
    decides there (found); a rule of the target effect decides target there, so its boxes are
    cut away; whatever survives every rule gets the default.
    """
    quick = probe(pieces, ordered, default, target, types)
    if quick is not None:
        return quick
    # Consecutive rules of the target effect are cut away together (their order among
    # themselves does not matter, and one subtraction can drop a piece that any of them
    # swallows whole). When the default is the target, only rules of the other effect can
    # make a difference, so pieces that meet none of those still to come are dropped.
    runs: list[tuple[str, list[tuple[int, Box]]]] = []
    for owner, effect, boxes in ordered:
        if not runs or runs[-1][0] != effect:
            runs.append((effect, []))
        runs[-1][1].extend((owner, box) for box in boxes)
    ahead: list[list[Box]] = [[] for _ in range(len(runs) + 1)]
    for index in reversed(range(len(runs))):
        effect, owned = runs[index]
        ahead[index] = ahead[index + 1] + ([b for _, b in owned] if effect != target else [])
    left = list(pieces)
    for index, (effect, owned) in enumerate(runs):
        if default == target:
            left = [p for p in left if any(not disjoint(p, b, types) for b in ahead[index])]
        if not left:
            return None
        if effect != target:
            for piece in left:
                for _, box in owned:
                    both = box_meet(piece, box, types)
                    if both is not None:
                        return sample(both, types)
        elif index + 1 < len(runs):
            left, _ = subtract(left, owned, types, budget)
        elif default == target:
            return None  # what the last run leaves gets the default: the target too
        else:  # what the last run leaves gets the default: the first part left is the point
            left, _ = subtract(left, owned, types, budget, first=True)
    if left and default != target:
        return sample(left[0], types)
    return None


def sample(box: Box, types: dict[str, VarType], variant: int = 0) -> dict[str, object]:
    """A concrete point of a non-empty box, every attribute valued."""
    out: dict[str, object] = {}
    for name, t in types.items():
        dom = box.get(name)
        out[name] = point(dom, t, variant) if dom else _full_point(t, variant)
    return out


#: (id of a type, variant) -> (the type, its full domain's point). Probes sample thousands of
#: points whose unconstrained attributes all take this value; the entry holds the type, so
#: its id cannot be reused while cached.
_FULL_POINTS: dict[tuple[int, int], tuple[VarType, object]] = {}


def _full_point(var_type: VarType, variant: int) -> object:
    key = (id(var_type), variant)
    hit = _FULL_POINTS.get(key)
    if hit is not None and hit[0] is var_type:
        return hit[1]
    if len(_FULL_POINTS) > 4096:
        _FULL_POINTS.clear()
    value = point(full(var_type), var_type, variant)
    _FULL_POINTS[key] = (var_type, value)
    return value
