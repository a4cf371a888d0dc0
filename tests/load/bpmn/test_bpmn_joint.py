"""The pools' machines built from the collaboration's runs against the machines built alone.

The joint construction (``collaboration_joint``) keeps only the markings some run of the
collaboration reaches; the construction it replaces explores each pool alone with every
receive enabled (a superset). Composed in the system, both must have exactly the same runs,
so every verdict about runs must be the same: deadlocks, termination, messages left behind,
safeness. The alone construction is the oracle here, on every corpus collaboration where it
can be built at all (where it cannot, the joint one is the only answer there is).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl.check import CheckOptions
from archctl.load.bpmn import collaboration
from archctl.load.bpmn.collaboration_net import Unbounded
from archctl.model.system import System
from archctl.verify import verify_paths
from tests.conftest import EXAMPLES

#: what a run decides; SY101/SY105 are about the machines' states and steps, which differ
RUN_VERDICTS = ("SY102", "SY103", "SY104", "SY201", "SY901")


def _verdicts(path: Path) -> tuple[bool, set[tuple[str, str | None]], set[tuple[str, str]]]:
    outcome = verify_paths([str(path)], CheckOptions(max_states=100_000))
    built = any(isinstance(spec, System) for spec in outcome.loaded)
    found = {(d.code, d.subject) for d in outcome.diagnostics if d.code in RUN_VERDICTS}
    proved = {
        (proof.check, proof.subject)
        for proof in outcome.proved
        if proof.check in ("SY102", "SY104", "SY201")
    }
    return built, found, proved


def _alone(*_: object) -> list[object]:
    raise Unbounded("forced: build every pool alone")


def _collaborations(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.bpmn") if b"messageFlow" in p.read_bytes())


def _compare(paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> int:
    compared = 0
    for path in paths:
        built, joint, joint_proved = _verdicts(path)
        with monkeypatch.context() as patch:
            patch.setattr(collaboration, "explore_together", _alone)
            built_alone, alone, alone_proved = _verdicts(path)
        if not (built and built_alone) or any(code == "SY901" for code, _ in alone | joint):
            continue  # one side has no complete answer to compare
        assert joint == alone, path
        assert joint_proved == alone_proved, path
        compared += 1
    return compared


def test_joint_and_alone_machines_give_the_same_verdicts_on_the_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _compare([EXAMPLES / "order-saga.bpmn"], monkeypatch) == 1


def test_joint_and_alone_machines_give_the_same_verdicts_on_the_corpus(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _collaborations(corpus / "bpmn")
    compared = _compare(paths, monkeypatch)
    assert compared >= 20, f"only {compared} of {len(paths)} collaborations compared"
