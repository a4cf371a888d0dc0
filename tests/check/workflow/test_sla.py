"""Workflow `sla` (WF112/WF113): the proved bound, the slowest run, and the simulator's line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from archctl.cli import app
from archctl.verify import verify_paths
from tests.conftest import CASES

WF = CASES / "workflow"


def test_met_sla_is_proved_with_worst_and_best_case() -> None:
    outcome = verify_paths([str(WF / "sla-met.yaml")])
    assert outcome.diagnostics == []
    [proof] = [p for p in outcome.proved if p.check == "WF112"]
    assert proof.subject == "checkout"
    assert proof.certificate == "worst case 5.8 s, best case 350 ms (sla 6 s)"


def test_missed_sla_shows_the_slowest_run_with_cumulative_times() -> None:
    outcome = verify_paths([str(WF / "sla-missed.yaml")])
    [finding] = outcome.diagnostics
    assert finding.code == "WF112" and "5.8 s" in finding.message
    steps = finding.evidence.to_json()["steps"]  # type: ignore[union-attr]
    times = [step["time_ms"] for step in steps]  # type: ignore[index]
    assert times == sorted(times) and times[-1] == 5800
    assert steps[0]["node"] == "validate" and steps[0]["time_ms"] == 3300  # type: ignore[index]
    assert "review" in [step["node"] for step in steps]  # type: ignore[index]
    assert "audit" not in [step["node"] for step in steps]  # type: ignore[index]


def test_unbounded_loop_is_reported_with_its_cycle() -> None:
    outcome = verify_paths([str(WF / "sla-unbounded-loop.yaml")])
    [finding] = outcome.diagnostics
    assert finding.code == "WF113"
    assert finding.evidence.to_json() == {  # type: ignore[union-attr]
        "kind": "cycle",
        "path": ["review", "check", "draft"],
    }


def test_simulated_instances_never_exceed_a_proved_sla() -> None:
    assert any(p.check == "WF112" for p in verify_paths([str(WF / "sla-met.yaml")]).proved)
    args = ["simulate", str(WF / "sla-met.yaml"), "--spec", "checkout", "-n", "3000"]
    result = CliRunner().invoke(app, [*args, "--format", "json", "--seed", "3"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["sla"] == {"sla_ms": 6000, "over": 0, "share": 0.0}
    assert report["latency_ms"]["max"] > 0
    text = CliRunner().invoke(app, args).stdout
    assert "sla 6000 ms: 0 instance(s) over it (0.00%)" in text


def test_the_sla_line_counts_slow_instances(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "slow.yaml"
    path.write_text(
        "kind: workflow\nname: slow\nsla: 1s\nnodes:\n  start: {type: start}\n"
        "  work: {type: task, duration: {dist: uniform, min: 500ms, max: 1500ms}}\n"
        "  done: {type: end}\nflows:\n  - start -> work\n  - work -> done\n",
        encoding="utf-8",
    )
    assert [d.code for d in verify_paths([str(path)]).diagnostics] == ["WF112"]
    result = CliRunner().invoke(app, ["simulate", str(path), "-n", "2000", "--format", "json"])
    sla = json.loads(result.stdout)["sla"]
    assert 0.4 < sla["share"] < 0.6 and sla["over"] == round(sla["share"] * 2000)
