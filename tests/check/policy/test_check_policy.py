"""The policy checker: witnesses mean what they claim, both engines agree, unknown is no pass."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

import archctl.check.policy.asserts as po_asserts
import archctl.check.policy.dnf as po_dnf
import archctl.check.policy.z3 as po_z3
from archctl.check import CheckContext
from archctl.check.policy.checker import check
from archctl.check.policy.report import Reporter
from archctl.check.policy.request import DECISIONS, Matcher, Request, decide, request_from
from archctl.check.policy.rules import RuleChecker
from archctl.check.smt import Outcome
from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Witness
from archctl.load.loader import load_file
from archctl.model.policy import Policy
from tests.conftest import CASES, EXAMPLES


def _load(path: Path) -> Policy:
    spec = load_file(str(path)).specs[0]
    assert isinstance(spec, Policy)
    return spec


def _request(policy: Policy, witness: Witness) -> Request:
    raw = {}
    for attribute in policy.attributes:
        value = witness.values[attribute.name]
        if attribute.type.kind.value == "ip":
            value = int(ipaddress.IPv4Address(str(value)))
        if isinstance(value, float):
            value = Fraction(str(value))  # witnesses show short exact decimals as floats
        raw[attribute.name] = value
    return request_from(policy, raw)


def _findings(policy: Policy) -> list[Diagnostic]:
    return check(policy, CheckContext([policy]))


def _case_policies() -> Iterator[Path]:
    yield EXAMPLES / "zero-trust-gateway.yaml"
    for path in sorted((CASES / "policy").glob("*.yaml")):
        if "bad-input" not in path.name:
            yield path


@pytest.mark.parametrize("path", list(_case_policies()), ids=lambda p: p.name)
def test_witnesses_show_what_the_findings_claim(path: Path) -> None:
    policy = _load(path)
    matcher = Matcher(policy)
    rules = {rule.id: position for position, rule in enumerate(policy.rules)}
    for finding in _findings(policy):
        if finding.code in ("PO101", "PO106", "PO107"):
            continue
        assert isinstance(finding.evidence, Witness), finding
        request = _request(policy, finding.evidence)
        hits = matcher.matching(request)
        decision, by = decide(policy, hits)
        if finding.code == "PO105":
            assert hits == [] and policy.default == "none"
            continue
        if finding.code == "PO201":
            assertion = next(a for a in policy.asserts if a.name == finding.subject)
            holds = decision == DECISIONS[assertion.effect]
            assert holds != (assertion.kind == "always")
            continue
        position = rules[str(finding.subject)]
        assert position in hits, f"{finding.code}: the witness must match the rule"
        effect = DECISIONS[policy.rules[position].effect]
        if finding.code == "PO102":
            assert by != position and decision != effect
        if finding.code == "PO103":
            assert decide(policy, hits, without=position)[0] == decision
        if finding.code == "PO104":
            assert any(policy.rules[p].effect != policy.rules[position].effect for p in hits)


def test_example_gateway_has_only_conflict_infos() -> None:
    found = _findings(_load(EXAMPLES / "zero-trust-gateway.yaml"))
    assert found and all(d.code == "PO104" and d.severity is Severity.INFO for d in found)


def test_witness_ips_are_dotted_and_complete() -> None:
    policy = _load(CASES / "policy" / "ip-cidr.yaml")
    shadowed = next(d for d in _findings(policy) if d.code == "PO102")
    assert isinstance(shadowed.evidence, Witness)
    assert str(shadowed.evidence.values["src"]).startswith("10.1.2.")
    assert "'quarantine'" in shadowed.message


def test_union_cover_is_named() -> None:
    policy = _load(CASES / "policy" / "shadowed-by-union.yaml")
    shadowed = next(d for d in _findings(policy) if d.code == "PO102")
    assert "'low-risk-deny', 'high-risk-deny'" in shadowed.message


@pytest.mark.parametrize("exact", [True, False])
def test_cover_above_twelve_rules_is_minimal(exact: bool) -> None:
    """Both engines drop the overlapping 'spare' from the 17 rules used: 16 cells remain."""
    policy = _load(CASES / "policy" / "large-cover-minimal.yaml")
    report = Reporter(policy)
    RuleChecker(report, 10_000, exact=exact).run()
    shadowed = next(d for d in report.found if d.code == "PO102")
    cells = ", ".join(f"'cell-{x}-{y}'" for x in range(8) for y in range(2))
    assert shadowed.notes[0] == f"covered by {cells} together"


def test_redundant_rule_keeps_its_conflict() -> None:
    """PO103 (never decides, not shadowed) is not exempt from PO104; PO102 is."""
    policy = _load(CASES / "policy" / "redundant-rule-conflicts.yaml")
    found = {(d.code, d.subject) for d in _findings(policy)}
    assert ("PO104", "deep-deny") in found and ("PO103", "deep-deny") in found
    assert ("PO104", "late-allow") not in found


ROLES, ZONES = ["admin", "staff", "guest", "bot"], ["corp", "vpn", "public"]


def _random_policy(seed: int, combine: str, default: str, tmp: Path) -> Policy:
    rng = random.Random(seed)
    atoms = [
        lambda: f'role == "{rng.choice(ROLES)}"',
        lambda: f'zone != "{rng.choice(ZONES)}"',
        lambda: rng.choice(["mfa", "not mfa"]),
        lambda: f"level {rng.choice(['<', '>=', '=='])} {rng.randint(0, 10)}",
        lambda: f'trust == "{rng.choice(["high", "low"])}"',
        lambda: f'src in "10.{rng.randint(0, 1)}.0.0/{rng.choice([15, 16, 17])}"',
        lambda: f'(role == "{rng.choice(ROLES)}" or mfa)',
    ]
    lines = [
        "kind: policy",
        f"name: random-{seed}",
        "attributes:",
        f"  role: {{type: enum, values: [{', '.join(ROLES)}]}}",
        f"  zone: {{type: enum, values: [{', '.join(ZONES)}]}}",
        "  mfa: {type: bool}",
        "  level: {type: int, range: [0, 10]}",
        "  risk: {type: real, range: [0, 1]}",
        "  src: {type: ip}",
        "bands:",
        '  trust: {over: risk, levels: {high: "[0, 0.5]", low: "(0.5, 1]"}}',
        f"combine: {combine}",
        f"default: {default}",
        "rules:",
    ]
    for index in range(18):
        body = " and ".join(rng.choice(atoms)() for _ in range(rng.randint(1, 3)))
        effect = rng.choice(["allow", "deny"])
        lines.append(f"  - {{id: r{index}, effect: {effect}, when: '{body}'}}")
    path = tmp / f"random-{seed}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _load(path)


@pytest.mark.parametrize("combine", ["first-applicable", "deny-overrides", "permit-overrides"])
@pytest.mark.parametrize("seed", range(4))
def test_box_engine_and_z3_agree(seed: int, combine: str, tmp_path: Path) -> None:
    default = ["allow", "deny", "none"][seed % 3]
    policy = _random_policy(seed, combine, default, tmp_path)
    results = []
    for exact in (True, False):
        report = Reporter(policy)
        RuleChecker(report, 10_000, exact=exact).run()
        results.append(sorted((d.code, d.subject or "", d.severity.value) for d in report.found))
    assert results[0] == results[1]


def test_solver_unknown_is_reported_never_a_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(po_dnf.Boxes, "boxes", lambda self, expr: None)  # force Z3
    monkeypatch.setattr(po_z3, "solve", lambda solver, assumptions=(): Outcome.UNKNOWN)
    monkeypatch.setattr(po_asserts, "solve", lambda solver, assumptions=(): Outcome.UNKNOWN)
    policy = _load(EXAMPLES / "zero-trust-gateway.yaml")
    found = _findings(policy)
    subjects = sorted(d.subject or "" for d in found)
    expected = sorted([rule.id for rule in policy.rules] + [a.name for a in policy.asserts])
    assert subjects == expected
    assert {d.code for d in found} == {"PO901"}
