"""`archctl simulate` as a command: reproducible bytes, worker-independence, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from archctl.cli import app
from tests.conftest import EXAMPLES, ROOT

SPECS = ROOT / "tests" / "simulate"
ORDER = str(EXAMPLES / "order-workflow.yaml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_same_seed_same_bytes_text_and_json() -> None:
    for fmt in ("text", "json"):
        first = invoke(ORDER, "-n", "1500", "--seed", "11", "--format", fmt)
        second = invoke(ORDER, "-n", "1500", "--seed", "11", "--format", fmt)
        assert first[0] == 0
        assert first[1] == second[1]
    other = invoke(ORDER, "-n", "1500", "--seed", "12", "--format", "json")
    assert other[1] != first[1]


def test_single_instance_timeline_is_reproducible_in_a_fresh_process() -> None:
    command = [sys.executable, "-m", "archctl", "simulate", ORDER, "--seed", "4"]
    runs = [subprocess.run(command, capture_output=True, cwd=ROOT, check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    text = runs[0].stdout.decode()
    assert "validate-order" in text and "finish" in text


def test_one_worker_and_two_workers_give_the_same_summary() -> None:
    one = invoke(ORDER, "-n", "2500", "--seed", "5", "--workers", "1", "--format", "json")
    two = invoke(ORDER, "-n", "2500", "--seed", "5", "--workers", "2", "--format", "json")
    assert one[0] == two[0] == 0
    assert one[1] == two[1]
    assert json.loads(one[1])["instances"] == 2500


def test_trace_out_writes_every_step_as_json_lines(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    code, _, _ = invoke(ORDER, "-n", "3", "--trace-out", str(events), "--format", "json")
    assert code == 0
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert {line["instance"] for line in lines} == {0, 1, 2}
    finishes = [line for line in lines if line["event"] == "finish"]
    assert len(finishes) == 3
    first = [line for line in lines if line["instance"] == 0]
    assert first[0]["event"] == "start" and first[0]["values"] == {"in_stock": False, "paid": False}
    times = [line["t_ms"] for line in first]
    assert times == sorted(times)  # one instance's events are in virtual-time order
    assert any(line["event"] == "attempt" and line["node"] == "validate-order" for line in first)


def test_spec_with_load_errors_is_refused_with_its_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "kind: workflow\nname: broken\nnodes:\n  start: {type: start}\n"
        "  done: {type: end, colour: red}\nflows:\n  - start -> done\n"
    )
    code, out, err = invoke(str(broken))
    assert code == 2
    assert "LD002" in out and "colour" in out
    assert "cannot be simulated" in err


def test_choosing_among_several_specs_needs_spec(tmp_path: Path) -> None:
    code, _, err = invoke(str(SPECS / "stuck.yaml"))
    assert code == 2
    assert "--spec" in err and "lonely-join" in err and "no-route" in err
    code, _, err = invoke(str(SPECS / "stuck.yaml"), "--spec", "nope")
    assert code == 2 and "no workflow or state machine named 'nope'" in err


def test_bad_options_are_usage_errors() -> None:
    assert invoke(ORDER, "--until", "soon")[0] == 2
    assert invoke(ORDER, "--events", "a,b")[0] == 2
    assert invoke(ORDER, "--instances", "0")[0] == 2
    assert invoke(ORDER, "--format", "xml")[0] == 2


def test_summary_text_lists_outcomes_latency_and_nodes() -> None:
    code, out, _ = invoke(ORDER, "-n", "500")
    assert code == 0
    for word in ("outcomes", "delivered", "latency", "p99", "nodes", "charge-payment"):
        assert word in out


def test_recording_events_does_not_change_the_results(tmp_path: Path) -> None:
    specs = [EXAMPLES / "approval-process.yaml", EXAMPLES / "order-workflow.yaml"]
    for spec in [*specs, SPECS / "draw-order.yaml"]:
        path = str(spec)
        plain = invoke(path, "-n", "1200", "--seed", "8", "--format", "json")
        events = tmp_path / "events.jsonl"
        recorded = invoke(
            path, "-n", "1200", "--seed", "8", "--format", "json", "--trace-out", str(events)
        )
        assert plain[1] == recorded[1], spec
        # instance 0 of a big run is the instance a single run shows
        single = tmp_path / "single.jsonl"
        invoke(path, "--seed", "8", "--format", "json", "--trace-out", str(single))
        first = [line for line in events.read_text().splitlines() if '"instance":0,' in line]
        assert first == single.read_text().splitlines()


def test_workers_write_the_same_events(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    invoke(ORDER, "-n", "2100", "--workers", "1", "--trace-out", str(one), "--format", "json")
    invoke(ORDER, "-n", "2100", "--workers", "2", "--trace-out", str(two), "--format", "json")
    assert one.read_bytes() == two.read_bytes()
    assert one.stat().st_size > 0


def test_subprocess_cycles_and_missing_workflows_are_refused() -> None:
    errors = str(SPECS / "subprocess-errors.yaml")
    code, _, err = invoke(errors, "--spec", "ping")
    assert code == 2 and "cycle: ping -> pong -> ping" in err
    code, _, err = invoke(errors, "--spec", "lost")
    assert code == 2 and "calls subprocess 'nowhere'" in err


def test_latency_figures_are_in_readable_units() -> None:
    from archctl.simulate.live import readable_ms

    assert [readable_ms(v) for v in (None, 0, 850.54, 2217.197, 243_500, 3_723_000)] == [
        "-",
        "0.0ms",
        "850.5ms",
        "2.217s",
        "4m03.5s",
        "1h02m",
    ]
