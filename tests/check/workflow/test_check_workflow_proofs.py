"""The workflow checker's "proved" records: only for what the engine really decided."""

from __future__ import annotations

from archctl.check import CheckContext, CheckOptions
from archctl.check.workflow.checker import check
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.workflow import Workflow
from archctl.proof import Proof
from archctl.verify import verify_paths
from tests.conftest import CASES

PARALLEL = """kind: workflow
name: par
nodes:
  start: {type: start}
  split: {type: gateway, gateway: parallel}
  a: {type: task}
  b: {type: task}
  c: {type: task}
  join: {type: gateway, gateway: parallel}
  end: {type: end}
flows: [start -> split, split -> a, split -> b, split -> c, a -> join, b -> join, c -> join,
  join -> end]
"""


def _proved(text: str, max_states: int = 2_000_000) -> list[Proof]:
    spec = load_yaml_text("w.yaml", text).specs[0]
    assert isinstance(spec, Workflow)
    context = CheckContext([spec], CheckOptions(max_states=max_states))
    check(spec, context)
    return context.proved


def test_a_sound_workflow_proves_soundness_with_the_markings_explored() -> None:
    proofs = {(p.check, p.subject): p for p in _proved(PARALLEL)}
    assert set(proofs) == {(c, "par") for c in ("WF102", "WF103", "WF104", "WF105", "WF106")}
    deadlock = proofs[("WF103", "par")]
    assert deadlock.engine == "explicit token game"
    assert deadlock.certificate is not None and "markings explored" in deadlock.certificate


def test_a_bound_proves_nothing_about_runs() -> None:
    proofs = _proved(PARALLEL, max_states=3)
    assert [p.check for p in proofs] == ["WF102"]  # reachability is a graph fact


def test_findings_are_never_proved() -> None:
    outcome = verify_paths([str(CASES / "workflow" / "xor-split-into-and-join.yaml")])
    found = {d.code for d in outcome.diagnostics}
    assert "WF103" in found
    assert not any(p.check in found for p in outcome.proved)


def test_gateway_checks_are_proved_per_gateway() -> None:
    outcome = verify_paths([str(CASES / "workflow" / "rework-loop-sound.yaml")])
    gateways = {(p.check, p.subject) for p in outcome.proved if p.check in ("WF107", "WF108")}
    assert gateways == {("WF107", "check"), ("WF108", "check")}


def test_untracked_data_proves_gateways_with_z3_but_not_soundness() -> None:
    outcome = verify_paths([str(CASES / "workflow" / "data-inconclusive.yaml")])
    checks = {p.check: p.engine for p in outcome.proved}
    assert "WF103" not in checks and "WF104" not in checks
    assert checks.get("WF107") == "z3"
