"""Termination certificates, lasso evidence and its renderings (issue 16)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from archctl.cli import app
from archctl.verify import verify_paths
from tests.conftest import CASES

SM = CASES / "statemachine"


def proofs(name: str) -> dict[tuple[str, str], str | None]:
    outcome = verify_paths([str(SM / name)])
    return {(p.check, p.subject): p.certificate for p in outcome.proved}


def test_counter_that_must_reach_a_bound_is_proved_with_its_ranking_function() -> None:
    found = proofs("termination-counter-bound.yaml")
    assert found[("SM103", "counting")] is not None
    assert found[("SM103", "counting")].startswith("9 - x in 'counting'")  # type: ignore[union-attr]


def test_exchange_and_countdown_are_proved_by_ranking_functions() -> None:
    assert proofs("termination-exchange.yaml")[("SM103", "moving")].startswith("a in")  # type: ignore[union-attr]
    countdown = proofs("termination-countdown.yaml")
    assert countdown[("SM103", "counting")].startswith("n - 1 in")  # type: ignore[union-attr]


def test_refuted_termination_carries_the_run_into_the_trap() -> None:
    outcome = verify_paths([str(SM / "termination-overshoot.yaml")])
    [finding] = [d for d in outcome.diagnostics if d.code == "SM103"]
    steps = finding.evidence.to_json()["steps"]  # type: ignore[union-attr]
    assert steps[-1]["values"] == {"x": 9}  # past the exit at 7: x only grows from here


def test_liveness_proofs_are_listed() -> None:
    found = [key for key in proofs("liveness-weak-holds.yaml") if key[0] in ("SM201", "SM203")]
    assert sorted(found) == [("SM203", "eventually-served"), ("SM203", "request-answered")]
    strong = verify_paths([str(SM / "liveness-leads-to-strong.yaml")]).proved
    live = [(p.spec, p.subject) for p in strong if p.check in ("SM201", "SM203")]
    assert live == [("toggling-strong", "answered")]


def test_lasso_json_has_prefix_loop_and_fairness() -> None:
    outcome = verify_paths([str(SM / "liveness-leads-to-strong.yaml")])
    [finding] = outcome.diagnostics
    evidence = finding.evidence.to_json()  # type: ignore[union-attr]
    assert evidence["kind"] == "lasso" and evidence["fairness"] == "weak"
    assert [s["event"] for s in evidence["loop"]] == ["toggle", "toggle"]  # type: ignore[index]
    assert evidence["prefix"][-1]["state"] == "waiting"  # type: ignore[index]


def test_stopping_lasso_has_an_empty_loop() -> None:
    outcome = verify_paths([str(SM / "liveness-unfair-input.yaml")])
    [finding] = outcome.diagnostics
    evidence = finding.evidence.to_json()  # type: ignore[union-attr]
    assert evidence["loop"] == [] and [s["state"] for s in evidence["prefix"]] == ["open"]  # type: ignore[index]


def test_text_report_prints_the_loop_as_repeating_forever() -> None:
    result = CliRunner().invoke(app, ["verify", str(SM / "liveness-none-fails.yaml")])
    assert result.exit_code == 1
    assert "then repeats forever:" in result.output
    assert "--back-off--> waiting" in result.output


def test_unbounded_liveness_without_argument_is_inconclusive_not_passed(tmp_path: object) -> None:
    """A counter that may grow forever: no lasso repeats a configuration and no ranking
    function exists, so the property is neither refuted nor proved: SM901."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "m.yaml"
    path.write_text(
        "kind: statemachine\nname: m\nfairness: none\nvariables:\n  n: {type: int, initial: 0}\n"
        "states: [a, b]\ninitial: a\nfinal: [b]\ntransitions:\n"
        '  - {from: a, on: go, to: b, guard: "n >= 0"}\n'
        '  - {from: a, on: up, to: a, do: "n = n + 1"}\n'
        'properties:\n  - {name: ends, eventually: "state == \\"b\\""}\n',
        encoding="utf-8",
    )
    outcome = verify_paths([str(path)])
    assert [(d.code, d.subject) for d in outcome.diagnostics] == [("SM901", "ends")]
    assert not any(p.check == "SM203" for p in outcome.proved)


def test_json_report_of_a_lasso_is_deterministic() -> None:
    args = ["verify", str(SM / "liveness-none-fails.yaml"), "--format", "json"]
    first = CliRunner().invoke(app, args).output
    second = CliRunner().invoke(app, args).output
    assert first == second and json.loads(first)["diagnostics"][0]["evidence"]["kind"] == "lasso"


def test_simulate_replays_a_lasso_prefix_then_the_loop_repeatedly(tmp_path: object) -> None:
    from pathlib import Path

    case = str(SM / "liveness-none-fails.yaml")
    report = Path(str(tmp_path)) / "report.json"
    report.write_text(
        CliRunner().invoke(app, ["verify", case, "--format", "json"]).stdout, encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["simulate", case, "--replay", str(report)])
    assert result.exit_code == 0, result.output
    assert result.output.count("back-off") == 3  # the loop, replayed three times
    graph = CliRunner().invoke(
        app, ["graph", case, "--highlight", str(report), "--format", "mermaid"]
    )
    assert graph.exit_code == 0, graph.output
    assert "step 2, 3, 4, 5, 6" in graph.output  # the prefix and the loop drawn in order


def test_unbounded_liveness_is_proved_with_a_helpful_transition() -> None:
    outcome = verify_paths([str(SM / "liveness-unbounded.yaml")])
    [proof] = [p for p in outcome.proved if p.check == "SM203"]
    assert (proof.spec, proof.subject) == ("retry-unbounded", "served")
    assert "fair 'serve'" in (proof.certificate or "")
