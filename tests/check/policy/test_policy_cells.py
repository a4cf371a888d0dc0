"""The cell search (``po_cells``) against brute force and against the splitting engine.

Both questions, "is some point of the regions in none of the boxes" and "does some point
get another decision than the target", are asked of random boxes over int (bounded and
not), real, enum, string (value sets and co-finite sets) and bool attributes, and answered
three ways: by the cells, by enumerating one point of every region the boxes can tell
apart, and by ``subtract`` / ``first_differing``; the rule the cells say decides a point is
the first whose boxes hold it. Seeded and bounded in time.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Sequence
from fractions import Fraction

import pytest

from archctl.check.policy import cells
from archctl.check.policy.cells import Cells, differs, uncovered
from archctl.check.policy.exact import Box, Interval, TooHard, full
from archctl.check.policy.sweep import first_differing, holds, subtract
from tests.check.policy.test_policy_boxes import TYPES, _dom

#: every value the boxes of ``_dom`` can tell apart, per attribute (bounds are -2..10, in
#: quarters for the real one: eighths reach every open stretch between them)
POINTS: dict[str, list[object]] = {
    "n": list(range(10)),
    "r": [Fraction(k, 8) for k in range(9)],
    "u": list(range(-3, 12)),
    "e": ["a", "b", "c"],
    "s": ["x", "y", "z", "w"],
    "f": [False, True],
}


def _box(rng: random.Random, names: Sequence[str]) -> Box:
    out: Box = {}
    for name in rng.sample(list(names), rng.randint(0, len(names))):
        dom = _dom(rng, name)
        if dom is not None:
            out[name] = dom
    return out


def _points(names: Sequence[str]) -> list[dict[str, object]]:
    """One point per region over these attributes (the rest take their first value)."""
    rest = {name: POINTS[name][0] for name in TYPES}
    return [
        {**rest, **dict(zip(names, values, strict=True))}
        for values in itertools.product(*(POINTS[name] for name in names))
    ]


def _decision(point: dict[str, object], ordered: list[tuple[str, list[Box]]], default: str) -> str:
    return next((e for e, boxes in ordered if any(holds(b, point) for b in boxes)), default)


@pytest.mark.parametrize("few", [cells.FEW, 0])
def test_cells_agree_with_brute_force_and_splitting(
    few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the cells of an interval come from the asked boxes' bounds (few of them) or from the
    # policy's stretches (many): both ways are held to the same answers
    monkeypatch.setattr(cells, "FEW", few)
    rng = random.Random(19)
    deadline, asked = time.monotonic() + 1.5, 0
    answers = {True: 0, False: 0}
    while asked < 400 or (time.monotonic() < deadline and asked < 3_000):
        names = rng.sample(sorted(TYPES), rng.randint(1, 3))
        points = _points(names)
        regions = [_box(rng, names) for _ in range(rng.randint(1, 2))]
        ordered = [
            (rng.choice(["allow", "deny"]), [_box(rng, names) for _ in range(rng.randint(1, 2))])
            for _ in range(rng.randint(0, 7))
        ]
        if rng.random() < 0.3:  # one override algorithm: the target's rules come first
            ordered.sort(key=lambda rule: rule[0] != "deny")
        target, default = rng.choice(["allow", "deny"]), rng.choice(["allow", "deny", "none"])
        inside = [p for p in points if any(holds(r, p) for r in regions)]
        boxes = [box for _, mine in ordered for box in mine]

        expected = any(not any(holds(b, p) for b in boxes) for p in inside)
        assert uncovered(regions, boxes, TYPES) == expected, (regions, boxes)
        owned = [(k, box) for k, box in enumerate(boxes)]
        assert bool(subtract(regions, owned, TYPES, [10**6])[0]) == expected

        expected = any(_decision(p, ordered, default) != target for p in inside)
        assert differs(regions, ordered, default, target, TYPES) == expected, (regions, ordered)
        numbered = [(k, effect, mine) for k, (effect, mine) in enumerate(ordered)]
        split = first_differing(regions, numbered, default, target, TYPES, [10**6])
        assert (split is not None) == expected

        located = Cells(
            [mine for _, mine in ordered], range(len(ordered)), ["x"] * len(ordered), TYPES
        )
        for point in points[:: max(1, len(points) // 20)]:
            holding = [
                k for k, (_, mine) in enumerate(ordered) if any(holds(b, point) for b in mine)
            ]
            assert located.first(point) == (holding[0] if holding else None), (ordered, point)
        answers[expected] += 1
        asked += 1
    assert min(answers.values()) > asked // 10, answers


def test_a_search_past_its_budget_gives_up_instead_of_answering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the region is covered only by boxes that each hold one value of n or one of u (within
    # [-3, 11]), so no box holds it all and the search has to branch
    boxes: list[Box] = [{"u": Interval(u, True, u, True)} for u in range(-3, 12)]
    boxes += [{"n": Interval(n, True, n, True)} for n in range(10)]
    region: Box = {"u": full(TYPES["u"])}
    assert not uncovered([region], boxes, TYPES)
    assert uncovered([region], boxes[:-1], TYPES)  # u = 12 and n = 9
    monkeypatch.setattr(cells, "BUDGET", 0)
    with pytest.raises(TooHard):
        uncovered([region], boxes, TYPES)


def test_stretches_between_bounds_hold_a_value_or_are_not_cells() -> None:
    n, r = TYPES["n"], TYPES["r"]
    half = Fraction(1, 2)
    # ints: nothing lies between 3 and 4, so [0, 3] and [4, 9] cover all of n
    assert not uncovered([{"n": full(n)}], [{"n": _closed(0, 3)}, {"n": _closed(4, 9)}], TYPES)
    assert uncovered([{"n": full(n)}], [{"n": _closed(0, 3)}, {"n": _closed(5, 9)}], TYPES)
    # reals: [0, 1/2) and [1/2, 1] cover [0, 1]; (0, 1/2) and (1/2, 1] miss 0 and 1/2
    below, above = Interval(0, True, half, False), Interval(half, True, 1, True)
    assert not uncovered([{"r": full(r)}], [{"r": below}, {"r": above}], TYPES)
    gaps = [{"r": Interval(0, False, half, False)}, {"r": Interval(half, False, 1, True)}]
    assert uncovered([{"r": full(r)}], gaps, TYPES)
    assert not uncovered([{"r": Interval(half, False, 1, True)}], gaps, TYPES)


def _closed(low: int, high: int) -> Interval:
    return Interval(low, True, high, True)


def test_a_child_is_only_skipped_when_another_dominates_it() -> None:
    # deny-overrides over e in {a, b}: under a, deny rule t1 decides everywhere; under b,
    # deny rule t2 only for n <= 4, and allow rule o1 decides n in [5, 6]. The child b
    # has other target boxes than the child a, not more: it must still be searched.
    ordered: list[tuple[str, list[Box]]] = [
        ("deny", [{"e": frozenset({"a"})}]),
        ("deny", [{"e": frozenset({"b"}), "n": _closed(0, 4)}]),
        ("allow", [{"n": _closed(0, 6)}]),
    ]
    region: Box = {"e": frozenset({"a", "b"})}
    assert differs([region], ordered, "deny", "deny", TYPES)
    assert not differs([{"e": frozenset({"a"})}], ordered, "deny", "deny", TYPES)
