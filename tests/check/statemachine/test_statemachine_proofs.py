"""What the state machine checker says it proved (checks.md 1.1 "proved").

Each engine proves with its own evidence: the control graph and the explicit search by
exhausting what they search, the symbolic engine by a BMC run (reachability) or Spacer's
inductive invariant (unreachability). These tests pin the entries and certificates, that
an unknown never becomes a proof, and that the certificate reads as archctl syntax.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import z3

from archctl.check import CheckContext, CheckOptions
from archctl.check.smt import Compiler, declare
from archctl.check.statemachine.checker import check
from archctl.check.statemachine.invariant import Renderer, invariant_text
from archctl.load.expr.parse import parse_expression
from archctl.load.expr.types import TypeChecker
from archctl.load.loader import load_paths
from archctl.model.statemachine import StateMachine
from archctl.model.types import INT, enum_type
from archctl.proof import Proof
from archctl.source import Span
from tests.conftest import CASES

SM_CASES = CASES / "statemachine"


def proofs(path: Path, **options: Any) -> tuple[set[tuple[str, str]], list[Proof]]:
    loaded = load_paths([str(path)])
    (machine,) = loaded.specs
    context = CheckContext(loaded.specs, CheckOptions(**options))
    found = check(machine, context)
    return {(d.code, d.subject or "") for d in found}, context.proved


def test_control_engine_proves_what_it_searched() -> None:
    found, proved = proofs(SM_CASES / "control-clean.yaml")
    assert found == set()
    assert proved, "a clean machine proves its checks"
    assert {p.engine for p in proved} == {"graph"}
    assert {p.check for p in proved} >= {"SM101", "SM102", "SM103", "SM105", "SM106"}
    assert all(p.certificate for p in proved)


def test_explicit_engine_counts_the_configurations() -> None:
    found, proved = proofs(SM_CASES / "data-guards.yaml")
    explicit = [p for p in proved if p.engine == "explicit"]
    assert explicit
    assert all(
        p.certificate and p.certificate.endswith("configurations explored") for p in explicit
    )
    # a finding's subject is never also proved for the same check
    assert not {(p.check, p.subject) for p in proved} & found
    assert ("SM101", "vip") in found and ("SM101", "cart") in {(p.check, p.subject) for p in proved}


def test_spacer_proof_carries_its_inductive_invariant() -> None:
    _, proved = proofs(SM_CASES / "unbounded-counter.yaml")
    by_key = {(p.check, p.subject): p for p in proved}
    in_step = by_key[("SM201", "in-step")]
    assert in_step.engine == "spacer"
    assert in_step.certificate is not None
    assert "broken: false" in in_step.certificate  # the glitch state is provably never entered
    parts = dict(part.split(": ", 1) for part in in_step.certificate.split("; "))
    a, b = z3.Ints("a b")
    running = _compiled(parts["running"], {"a": INT, "b": INT}, {"a": a, "b": b})
    solver = z3.Solver()
    solver.add(running, a != b)
    assert solver.check() == z3.unsat, "the invariant of 'running' is what proves a == b"
    assert by_key[("SM101", "running")].engine == "bmc"
    assert ("SM103", "running") in by_key


def test_termination_proof_names_the_ways_out() -> None:
    _, proved = proofs(SM_CASES / "unbounded-open-deadlock-path.yaml")
    held = next(p for p in proved if (p.check, p.subject) == ("SM103", "held"))
    assert held.certificate is not None and "deadlock" in held.certificate


def test_an_unknown_never_proves() -> None:
    found, proved = proofs(SM_CASES / "unbounded-counter.yaml", timeout_ms=1)
    _, full = proofs(SM_CASES / "unbounded-counter.yaml")
    undecided = {subject for code, subject in found if code == "SM901"}
    assert undecided, "a 1 ms budget leaves questions open"
    assert {(p.check, p.subject) for p in proved} <= {(p.check, p.subject) for p in full}
    for proof in proved:
        if proof.check in ("SM201", "SM202", "SM104", "SM105", "SM107"):
            assert proof.subject not in undecided, proof


def test_proofs_are_the_same_every_run() -> None:
    first = proofs(SM_CASES / "unbounded-clean.yaml")[1]
    assert first == proofs(SM_CASES / "unbounded-clean.yaml")[1]


def test_invariant_reads_as_archctl_syntax() -> None:
    tier_type = enum_type(("gold", "basic"))  # codes by sorted name: basic 0, gold 1
    tier, n = z3.Int("tier"), z3.Int("n")
    render = Renderer([tier, n], [tier_type, INT])
    assert render.formula(z3.And(tier == 1, z3.Not(n >= 5))) == 'tier == "gold" and n <= 4'
    assert render.formula(z3.IntVal(100) > n) == "n <= 99"
    assert render.formula(z3.Or(n - tier >= 0, z3.BoolVal(False))) == "n - tier >= 0 or false"


def _compiled(text: str, scope: dict[str, Any], terms: dict[str, Any]) -> Any:
    """A certificate parsed and type-checked as archctl syntax, then compiled to Z3."""
    expr, problems = parse_expression(text, lambda a, b: Span("c", 1, a + 1, 1, b + 1))
    assert expr is not None and not problems, (text, problems)
    checker = TypeChecker(scope)
    typed = checker.condition(expr)
    assert typed is not None, (text, checker.diagnostics)
    return Compiler(terms).expr(typed)


def test_invariant_is_read_from_a_spacer_answer() -> None:
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    a, b, a2, b2 = z3.Ints("a b a2 b2")
    run = z3.Function("at!run", z3.IntSort(), z3.IntSort(), z3.BoolSort())
    error = z3.Function("error!", z3.BoolSort())
    fp.register_relation(run, error)
    fp.declare_var(a, b, a2, b2)
    fp.rule(run(a, b), [a == 0, b == 0])
    fp.rule(run(a2, b2), [run(a, b), a2 == a + 1, b2 == b + 1])
    fp.rule(error(), [run(a, b), a != b])
    assert fp.query(error()) == z3.unsat
    text = invariant_text(fp.get_answer(), {"run": run}, [a, b], [INT, INT])
    assert text is not None and text.startswith("run: ")
    invariant = _compiled(text[len("run: ") :], {"a": INT, "b": INT}, {"a": a, "b": b})
    # a certificate: it holds initially, is preserved by the step, and excludes the error
    for claim in (
        z3.Implies(z3.And(a == 0, b == 0), invariant),
        z3.Implies(invariant, z3.substitute(invariant, (a, a + 1), (b, b + 1))),
        z3.Implies(invariant, a == b),
    ):
        solver = z3.Solver()
        solver.add(z3.Not(claim))
        assert solver.check() == z3.unsat, (text, claim)


def test_every_certificate_of_the_cases_is_archctl_syntax() -> None:
    for path in sorted(SM_CASES.glob("unbounded-*.yaml")):
        loaded = load_paths([str(path)])
        (machine,) = loaded.specs
        assert isinstance(machine, StateMachine)
        scope = {v.name: v.type for v in machine.variables}
        terms = {name: declare(name, var_type).term for name, var_type in scope.items()}
        _, proved = proofs(path)
        for proof in proved:
            if proof.engine != "spacer" or proof.certificate is None:
                continue
            if proof.check in ("SM103", "SM107"):  # the invariant follows their own reason
                proof_text = proof.certificate.split("; ", 1)[1:] or [""]
                if not proof_text[0] or proof.check == "SM107":
                    continue
                proof = replace(proof, certificate=proof_text[0])
            for part in proof.certificate.split("; "):
                state, _, formula = part.partition(": ")
                assert machine.state(state) is not None, (path.name, part)
                _compiled(formula, scope, terms)
