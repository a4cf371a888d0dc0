"""Differential test: the policy checker against brute-force evaluation on small domains.

Random policies over small attribute domains (two ints, an enum, a bool, a string compared
only with two literals, a band over an int) are checked by both engines (boxes in Python,
and Z3 alone) and by an oracle that evaluates every request of the domain with the plain
expression evaluator and applies the definitions of docs/policies.md literally. Verdicts
(code, subject, severity) must be identical; every witness is evaluated and must show what
its finding claims; every named cover must cover the rule and be minimal (no member can be
dropped). Seeded and bounded in time, so a failure is reproducible from its seed.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections import Counter
from pathlib import Path

from archctl.check import CheckContext
from archctl.check.policy.asserts import check_asserts
from archctl.check.policy.bands import check_bands
from archctl.check.policy.checker import check
from archctl.check.policy.report import Reporter
from archctl.check.policy.request import Matcher, Request, request_from
from archctl.check.policy.rules import RuleChecker
from archctl.diagnostics import Diagnostic
from archctl.evidence import Witness
from archctl.load.loader import load_file
from archctl.model.evaluate import compile_expr
from archctl.model.policy import Policy

X, Y, ENUM, STRINGS = range(6), range(5), ["a", "b", "c"], ["p", "q", "other"]
COMBINES = ("first-applicable", "deny-overrides", "permit-overrides")
Verdict = tuple[str, str, str]
#: sizes of the covers named by findings (the test asserts that some exceed 12)
COVER_SIZES: list[int] = []


def _atom(rng: random.Random) -> str:
    pick = rng.randrange(12)
    if pick == 0:
        return f"x {rng.choice(['<', '<=', '>', '>=', '==', '!='])} {rng.randint(0, 5)}"
    if pick == 1:
        low = rng.randint(0, 5)
        return f"x >= {low} and x <= {rng.randint(low, 5)}"
    if pick == 2:
        return f"y {rng.choice(['<', '>=', '=='])} {rng.randint(0, 4)}"
    if pick == 3:
        return f'e {rng.choice(["==", "!="])} "{rng.choice(ENUM)}"'
    if pick == 4:
        return "e in [" + ", ".join(f'"{v}"' for v in rng.sample(ENUM, 2)) + "]"
    if pick == 5:
        return rng.choice(["b", "not b"])
    if pick == 6:
        return f's {rng.choice(["==", "!="])} "{rng.choice(STRINGS[:2])}"'
    if pick == 7:
        return f'lvl {rng.choice(["==", "!="])} "{rng.choice(["lo", "hi"])}"'
    if pick == 8:  # outside the box fragment: Z3 answers these rules
        return rng.choice([f"x + y > {rng.randint(2, 8)}", "x == y", "x < y"])
    if pick == 9:
        return f"({_atom(rng)} or {_atom(rng)})"
    if pick == 10:
        return f"not ({_atom(rng)})"
    return rng.choice(["b", f"x < {rng.randint(1, 5)}", f'e == "{rng.choice(ENUM)}"'])


def _tiled_rules(rng: random.Random, combine: str) -> list[str]:
    """Narrow rules tiling the x-y grid (plus a few overlapping extras), then broad rules:
    a broad rule is covered by many narrow ones, so named covers exceed 12 rules and must be
    minimised (the extras are never needed)."""
    cells = []
    for x in X:
        cuts = sorted(rng.sample(range(1, len(Y)), rng.randint(1, 3)))
        for low, high in zip([0, *cuts], [*cuts, len(Y)], strict=True):
            cells.append(f"x == {x} and y >= {low} and y <= {high - 1}")
    for _ in range(rng.randint(3, 6)):
        low = rng.randint(0, 4)
        cells.append(f"x == {rng.randint(0, 5)} and y >= {low} and y <= {rng.randint(low, 4)}")
    rng.shuffle(cells)
    winner = {"deny-overrides": "deny", "permit-overrides": "allow"}.get(combine)
    lines = []
    for index, body in enumerate(cells):
        effect = winner or rng.choice(["allow", "deny"])
        lines.append(f"  - {{id: r{index}, effect: {effect}, when: '{body}'}}")
    for index in range(len(cells), len(cells) + rng.randint(1, 2)):
        body = rng.choice(["b", "x <= 5", f'e != "{rng.choice(ENUM)}"', _atom(rng)])
        lines.append(
            f"  - {{id: r{index}, effect: {rng.choice(['allow', 'deny'])}, when: '{body}'}}"
        )
    return lines


def _level(rng: random.Random) -> str:
    low = rng.randint(0, 4)
    high = rng.randint(low, 5)
    return f"{rng.choice('[(')}{low}, {high}{rng.choice('])')}"


def _policy_text(rng: random.Random, seed: int, combine: str) -> str:
    lines = [
        "kind: policy",
        f"name: oracle-{seed}",
        "attributes:",
        "  x: {type: int, range: [0, 5]}",
        "  y: {type: int, range: [0, 4]}",
        "  e: {type: enum, values: [a, b, c]}",
        "  b: {type: bool}",
        "  s: {type: string}",
        "bands:",
        f'  lvl: {{over: x, levels: {{lo: "{_level(rng)}", hi: "{_level(rng)}"}}}}',
        f"combine: {combine}",
        f"default: {rng.choice(['allow', 'deny', 'none'])}",
        "rules:",
    ]
    if seed % 5 == 4:
        lines += _tiled_rules(rng, combine)
    else:
        for index in range(rng.randint(2, 8)):
            body = " and ".join(_atom(rng) for _ in range(rng.randint(1, 3)))
            effect = rng.choice(["allow", "deny"])
            lines.append(f"  - {{id: r{index}, effect: {effect}, when: '{body}'}}")
    lines.append("assert:")
    for index in range(rng.randint(1, 2)):
        kind, effect = rng.choice(["always", "never"]), rng.choice(["allow", "deny", "none"])
        lines.append(f"  - {{name: a{index}, {kind}: {effect}, when: '{_atom(rng)}'}}")
    return "\n".join(lines) + "\n"


class Oracle:
    """docs/policies.md, applied to every request of the (finite) domain."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        matcher = Matcher(policy)
        count = len(policy.rules)
        self.requests: list[Request] = [
            request_from(policy, {"x": x, "y": y, "e": e, "b": b, "s": s})
            for x, y, e, b, s in itertools.product(X, Y, ENUM, (False, True), STRINGS)
        ]
        self.hits = [set(matcher.matching(r)) for r in self.requests]
        self.matches = [{k for k, hit in enumerate(self.hits) if p in hit} for p in range(count)]
        self.effects = [rule.effect for rule in policy.rules]
        self.silent = {p for p in range(count) if not self.matches[p]}
        self.silent |= {p for p in range(count) if self.shadowed(p)}

    def rivals(self, position: int) -> set[int]:
        if self.policy.combine == "first-applicable":
            return set(range(position))
        winner = "deny" if self.policy.combine == "deny-overrides" else "allow"
        if self.effects[position] == winner:
            return set()
        return {p for p, effect in enumerate(self.effects) if effect == winner}

    def decision(self, hit: set[int], without: int | None = None) -> str:
        hit = hit - {without}
        if not hit:
            return self.policy.default
        if self.policy.combine == "first-applicable":
            return self.effects[min(hit)]
        winner = "deny" if self.policy.combine == "deny-overrides" else "allow"
        return winner if any(self.effects[p] == winner for p in hit) else self.effects[min(hit)]

    def decides(self, position: int) -> bool:
        rivals = self.rivals(position)
        return any(not (self.hits[k] & rivals) for k in self.matches[position])

    def shadowed(self, position: int) -> bool:
        effect = self.effects[position]
        if not self.matches[position] or self.decides(position):
            return False
        return any(self.decision(self.hits[k]) != effect for k in self.matches[position])

    def covers(self, position: int, cover: set[int]) -> bool:
        return all(self.hits[k] & cover for k in self.matches[position])

    def verdicts(self) -> Counter[Verdict]:
        out: Counter[Verdict] = Counter()
        policy, first = self.policy, self.policy.combine == "first-applicable"
        for p, rule in enumerate(policy.rules):
            if not self.matches[p]:
                out[("PO101", rule.id, "warning")] += 1
                continue
            if self.shadowed(p):
                out[("PO102", rule.id, "error")] += 1
                continue
            if all(self.decision(h) == self.decision(h, without=p) for h in self.hits):
                out[("PO103", rule.id, "warning")] += 1
            if any(
                q < p and self.effects[q] != rule.effect and q not in self.silent and q in h
                for k in self.matches[p]
                for h in [self.hits[k]]
                for q in h
            ):
                out[("PO104", rule.id, "warning" if first else "info")] += 1
        if policy.default == "none" and any(not h for h in self.hits):
            out[("PO105", policy.name, "error")] += 1
        for band in policy.bands:
            inside = [{x for x in X if level.contains(x)} for level in band.levels]
            for second, first_level in itertools.combinations(range(len(inside)), 2):
                if inside[second] & inside[first_level]:
                    out[("PO106", band.name, "error")] += 1
            if set(X) - set().union(*inside):
                out[("PO107", band.name, "error")] += 1
        for assertion in policy.asserts:
            scope = None if assertion.when is None else compile_expr(assertion.when)
            for request, hit in zip(self.requests, self.hits, strict=True):
                decided = self.decision(hit) == assertion.effect
                inside = scope is None or bool(scope(request.env))
                if inside and decided != (assertion.kind == "always"):
                    out[("PO201", assertion.name, "error")] += 1
                    break
        return out


def _z3_only(policy: Policy) -> list[Diagnostic]:
    report = Reporter(policy)
    check_bands(report)
    rules = RuleChecker(report, 10_000, exact=False)
    rules.run()
    check_asserts(rules.finder, report, 10_000)
    return report.found


def _raw(policy: Policy, witness: Witness) -> Request:
    return request_from(policy, {a.name: witness.values[a.name] for a in policy.attributes})


NAMES = re.compile(r"'([^']+)'")


def _named(text: str, ids: dict[str, int]) -> set[int]:
    return {ids[name] for name in NAMES.findall(text) if name in ids}


def _check_evidence(policy: Policy, oracle: Oracle, found: list[Diagnostic]) -> None:
    """Every witness shows what its finding claims; every cover covers and is minimal."""
    ids = {rule.id: p for p, rule in enumerate(policy.rules)}
    matcher = Matcher(policy)
    for finding in found:
        if finding.code not in ("PO102", "PO103", "PO104", "PO105", "PO201"):
            continue
        assert isinstance(finding.evidence, Witness), finding
        request = _raw(policy, finding.evidence)
        hit = set(matcher.matching(request))
        if finding.code == "PO105":
            assert not hit
            continue
        if finding.code == "PO201":
            continue  # the oracle verdict is compared; the witness is checked in test_check_policy
        p = ids[str(finding.subject)]
        assert p in hit, (finding.code, finding.subject, "witness must match the rule")
        if finding.code == "PO102":
            assert oracle.decision(hit) != policy.rules[p].effect
        if finding.code == "PO104":
            partners = _named(finding.message.split(" rule(s) ")[1], ids)
            assert partners and partners <= hit
            assert all(q < p and policy.rules[q].effect != policy.rules[p].effect for q in partners)
        covered = [n for n in finding.notes if n.startswith("covered by ")]
        if covered:
            cover = _named(covered[0], ids)
            assert cover <= oracle.rivals(p), (finding.code, finding.subject, cover)
            assert oracle.covers(p, cover), (finding.code, finding.subject, cover)
            COVER_SIZES.append(len(cover))
            for member in cover:
                assert not oracle.covers(p, cover - {member}), ("cover not minimal", finding)


def _check_proofs(policy: Policy, context: CheckContext, expected: Counter[Verdict]) -> None:
    """A proof is recorded exactly where the oracle finds nothing to report."""
    failing = {(code, subject) for code, subject, _ in expected}
    by_code = {code for code, _, _ in expected}
    proved = {(p.check, p.subject) for p in context.proved}
    assert all(p.spec == policy.name for p in context.proved)
    holds = {(a.name) for a in policy.asserts if ("PO201", a.name) not in failing}
    wanted = {("PO201", name) for name in holds}
    wanted |= {(c, b.name) for b in policy.bands for c in ("PO106", "PO107")} - failing
    wanted |= {(c, policy.name) for c in ("PO101", "PO102", "PO103", "PO104")} - {
        (c, policy.name) for c in by_code
    }
    if policy.default == "none" and "PO105" not in by_code:
        wanted.add(("PO105", policy.name))
    assert proved == wanted, (policy.name, sorted(proved ^ wanted))


def _verdicts(found: list[Diagnostic]) -> Counter[Verdict]:
    return Counter((d.code, str(d.subject), d.severity.value) for d in found)


def test_checker_agrees_with_brute_force(tmp_path: Path) -> None:
    deadline, checked, seen = time.monotonic() + 4.0, 0, set()
    for seed in range(400):
        if time.monotonic() > deadline and checked >= 60:
            break
        rng = random.Random(seed)
        path = tmp_path / f"oracle-{seed}.yaml"
        path.write_text(_policy_text(rng, seed, COMBINES[seed % 3]), encoding="utf-8")
        specs = load_file(str(path)).specs
        assert specs, path.read_text()
        policy = specs[0]
        assert isinstance(policy, Policy)
        oracle = Oracle(policy)
        expected = oracle.verdicts()
        seen |= {code for code, _, _ in expected}
        context = CheckContext([policy])
        boxes = check(policy, context)
        _check_proofs(policy, context, expected)
        for engine, found in (
            ("boxes", boxes),
            ("z3", _z3_only(policy)),
        ):
            assert not [d for d in found if d.code == "PO901"], (seed, engine)
            assert _verdicts(found) == expected, (seed, engine, path.read_text())
            _check_evidence(policy, oracle, found)
        checked += 1
    assert checked >= 60, checked
    print(f"{checked} random policies, largest cover {max(COVER_SIZES)}")
    # not toothless: the random policies produce every verdict the checker can give
    assert max(COVER_SIZES) > 12
    assert seen == {"PO101", "PO102", "PO103", "PO104", "PO105", "PO106", "PO107", "PO201"}
