"""The box index and the integer grid of real attributes, against their definitions, and the
checker with both on overlapping policies over a real attribute, against brute force.

The index may only ever answer a superset (its candidates are tested exactly); the grid
must keep every box question and every sample point; and the checker that uses both must
give the oracle's verdicts (docs/policies.md applied to one representative request of every
region: the constants of the real attribute and the midpoints between them). Seeded and
bounded in time.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from fractions import Fraction
from pathlib import Path

from archctl.check import CheckContext
from archctl.check.policy.checker import check
from archctl.check.policy.exact import (
    CoSet,
    contains,
    disjoint,
    full,
)
from archctl.check.policy.index import BoxIndex, indexed_names
from archctl.check.policy.request import Matcher, request_from
from archctl.check.policy.scale import Scale
from archctl.check.policy.sweep import sample
from archctl.load.loader import load_file
from archctl.model.policy import Policy
from tests.check.policy.test_policy_boxes import TYPES, _box
from tests.check.policy.test_policy_oracle import Oracle


def test_index_answers_a_superset() -> None:
    rng = random.Random(7)
    for _ in range(60):
        boxes = [_box(rng) for _ in range(rng.randint(1, 200))]
        queries = [_box(rng) for _ in range(20)]
        index = BoxIndex.of(TYPES, boxes, queries)
        gone = set(rng.sample(range(len(boxes)), len(boxes) // 3))
        for key in gone:  # removing keeps the rest findable
            index.remove(key, boxes[key])
        for query in queries:
            kept = [k for k in range(len(boxes)) if k not in gone]
            meeting = {k for k in kept if not disjoint(boxes[k], query, TYPES)}
            holders = {k for k in kept if contains(boxes[k], query, TYPES)}
            found = index.meeting(query)
            assert found is None or meeting <= found, (boxes, query)
            inside = index.containing(query)
            assert inside is None or holders <= inside, (boxes, query)
    assert indexed_names(TYPES, [{"s": CoSet(frozenset())}]) == []


def test_grid_keeps_every_box_question_and_point() -> None:
    rng = random.Random(11)
    for _ in range(200):
        rules = [[_box(rng) for _ in range(rng.randint(1, 3))] for _ in range(4)]
        grid = Scale(TYPES, list(rules))
        types = grid.types(TYPES)
        plain = [box for boxes in rules for box in boxes]
        scaled = [box for boxes in rules for box in grid.boxes(boxes) or []]
        bounds = [full(types["r"])] + [box["r"] for box in scaled if "r" in box]
        assert all(  # on the grid: ints only
            isinstance(b, int)
            for dom in bounds
            for b in (dom.low, dom.high)  # type: ignore[union-attr]
        )
        for (a, sa), (b, sb) in itertools.product(zip(plain, scaled, strict=True), repeat=2):
            assert disjoint(a, b, TYPES) == disjoint(sa, sb, types)
            assert contains(a, b, TYPES) == contains(sa, sb, types)
        for box, on_grid in zip(plain, scaled, strict=True):
            for variant in range(3):
                expected = sample(box, TYPES, variant)
                assert grid.point(sample(on_grid, types, variant)) == expected


# -- the checker on overlapping policies over a real attribute --------------------------------

CONSTANTS = ["0.1", "0.25", "0.3", "0.5", "0.7", "0.75", "0.9"]
XS, ES = range(4), ["a", "b", "c"]


def _points() -> list[Fraction]:
    marks = sorted({Fraction(0), Fraction(1), *(Fraction(c) for c in CONSTANTS)})
    middles = [(a + b) / 2 for a, b in itertools.pairwise(marks)]
    return sorted(marks + middles)


def _atom(rng: random.Random) -> str:
    pick = rng.randrange(6)
    if pick == 0:
        return f"r {rng.choice(['<', '<=', '>', '>='])} {rng.choice(CONSTANTS)}"
    if pick == 1:
        low, high = sorted(rng.sample(CONSTANTS, 2), key=Fraction)
        return f"r >= {low} and r < {high}"
    if pick == 2:
        return f'lvl {rng.choice(["==", "!="])} "{rng.choice(["lo", "mid", "hi"])}"'
    if pick == 3:
        return f"x {rng.choice(['<', '>=', '=='])} {rng.randint(0, 3)}"
    if pick == 4:
        return rng.choice(["b", "not b"])
    return f'e {rng.choice(["==", "!="])} "{rng.choice(ES)}"'


def _policy_text(rng: random.Random, seed: int) -> str:
    combine = ("first-applicable", "deny-overrides", "permit-overrides")[seed % 3]
    lines = [
        "kind: policy",
        f"name: grid-{seed}",
        "attributes:",
        "  r: {type: real, range: [0, 1]}",
        "  x: {type: int, range: [0, 3]}",
        "  e: {type: enum, values: [a, b, c]}",
        "  b: {type: bool}",
        "bands:",
        '  lvl: {over: r, levels: {lo: "[0, 0.3]", mid: "(0.3, 0.7]", hi: "(0.7, 1]"}}',
        f"combine: {combine}",
        f"default: {rng.choice(['allow', 'deny', 'none'])}",
        "rules:",
    ]
    for index in range(rng.randint(8, 40)):
        scope = f'e == "{rng.choice(ES)}"' if rng.random() < 0.6 else "b"
        atoms = [scope] + [_atom(rng) for _ in range(rng.randint(0, 2))]
        effect = rng.choice(["allow", "deny"])
        lines.append(f"  - {{id: r{index}, effect: {effect}, when: '{' and '.join(atoms)}'}}")
    return "\n".join(lines) + "\n"


class GridOracle(Oracle):
    """The oracle of test_policy_oracle over this test's attributes: one request per region
    of the real attribute is every request there is, as far as the rules can tell."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        matcher = Matcher(policy)
        self.requests = [
            request_from(policy, {"r": r, "x": x, "e": e, "b": b})
            for r, x, e, b in itertools.product(_points(), XS, ES, (False, True))
        ]
        self.hits = [set(matcher.matching(request)) for request in self.requests]
        count = len(policy.rules)
        self.matches = [{k for k, hit in enumerate(self.hits) if p in hit} for p in range(count)]
        self.effects = [rule.effect for rule in policy.rules]
        self.silent = {p for p in range(count) if not self.matches[p]}
        self.silent |= {p for p in range(count) if self.shadowed(p)}


RULE_CODES = ("PO101", "PO102", "PO103", "PO104", "PO105")
NAMES = re.compile(r"'([^']+)'")


def test_checker_on_a_real_attribute_agrees_with_brute_force(tmp_path: Path) -> None:
    deadline, checked = time.monotonic() + 4.0, 0
    for seed in range(300):
        if time.monotonic() > deadline and checked >= 30:
            break
        rng = random.Random(seed)
        path = tmp_path / f"grid-{seed}.yaml"
        path.write_text(_policy_text(rng, seed), encoding="utf-8")
        policy = load_file(str(path)).specs[0]
        assert isinstance(policy, Policy)
        oracle = GridOracle(policy)
        expected = {v for v in oracle.verdicts() if v[0] in RULE_CODES}
        found = check(policy, CheckContext([policy]))
        assert not [d for d in found if d.code == "PO901"], seed
        got = {(d.code, str(d.subject), d.severity.value) for d in found if d.code in RULE_CODES}
        assert got == expected, (seed, path.read_text(), sorted(got ^ expected))
        ids = {rule.id: p for p, rule in enumerate(policy.rules)}
        matcher = Matcher(policy)
        for finding in found:
            if finding.code not in ("PO102", "PO103", "PO104") or finding.evidence is None:
                continue
            values = dict(finding.evidence.values)  # type: ignore[union-attr]
            shown = values["r"]
            values["r"] = Fraction(str(shown)) if isinstance(shown, float) else shown
            request = request_from(policy, {a.name: values[a.name] for a in policy.attributes})
            hit = set(matcher.matching(request))
            assert ids[str(finding.subject)] in hit, (seed, finding)
            if finding.code == "PO102":
                assert oracle.decision(hit) != policy.rules[ids[str(finding.subject)]].effect
            covered = [n for n in finding.notes if n.startswith("covered by ")]
            if covered:
                cover = {ids[name] for name in NAMES.findall(covered[0]) if name in ids}
                p = ids[str(finding.subject)]
                assert oracle.covers(p, cover), (seed, finding)
                assert all(not oracle.covers(p, cover - {m}) for m in cover), (seed, finding)
        checked += 1
    assert checked >= 30, checked
