"""archctl conform end to end: simulated logs fit, mutated logs deviate exactly as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_archctl

ORDER = str(EXAMPLES / "order-workflow.yaml")
WORKFLOWS = [
    "approval-process.yaml",
    "async-message-processor.yaml",
    "multi-level-cache.yaml",
    "order-workflow.yaml",
    "service-mesh-routing.yaml",
]


def simulate_log(spec: str, path: Path, instances: int = 60, seed: int = 4) -> None:
    done = run_archctl(
        "simulate",
        spec,
        "-n",
        str(instances),
        "--seed",
        str(seed),
        "--format",
        "json",
        "--events-out",
        str(path),
    )
    assert done.returncode == 0, done.stderr


def conform_json(spec: str, log: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    done = run_archctl("conform", spec, str(log), "--format", "json", *extra)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("name", WORKFLOWS)
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xes"])
def test_a_simulated_log_conforms_fully(tmp_path: Path, name: str, suffix: str) -> None:
    log = tmp_path / f"run{suffix}"
    simulate_log(str(EXAMPLES / name), log)
    code, report = conform_json(str(EXAMPLES / name), log)
    assert code == 0
    assert report["cases"] == 60 and report["fitting"] == 60
    assert report["fitness"] == 1.0 and report["deviations"] == []


def test_simulated_state_machine_walk_conforms(tmp_path: Path) -> None:
    spec = str(EXAMPLES / "workflow-state-machine.yaml")
    log = tmp_path / "walk.jsonl"
    done = run_archctl("simulate", spec, "--steps", "30", "--seed", "2", "--events-out", str(log))
    assert done.returncode == 0
    events = [json.loads(line) for line in log.read_text().splitlines()]
    code, report = conform_json(spec, log)
    last_state = events[-1]["to"]
    expect_fit = last_state in ("completed", "failed", "cancelled")
    assert report["cases"] == 1
    assert (report["fitting"] == 1) == expect_fit
    assert code == (0 if expect_fit else 1)


def _cases(log: Path) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    cases: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for line in log.read_text().splitlines():
        event = json.loads(line)
        cases.setdefault(event["case"], []).append(event)
    return cases


def _write(path: Path, events: list[dict]) -> dict[tuple[str, int], int]:  # type: ignore[type-arg]
    """Write events as JSON lines; returns (case, index) -> 1-based line."""
    lines: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    with path.open("w") as out:
        for number, event in enumerate(events, start=1):
            out.write(json.dumps(event) + "\n")
            index = seen.get(event["case"], 0)
            lines[(event["case"], index)] = number
            seen[event["case"]] = index + 1
    return lines


def test_mutated_logs_give_exactly_the_expected_deviations(tmp_path: Path) -> None:
    original = tmp_path / "run.jsonl"
    simulate_log(ORDER, original, instances=4, seed=11)
    cases = _cases(original)
    ids = sorted(cases)
    assert len(ids) == 4 and all(len(cases[i]) >= 3 for i in ids)
    skipped, swapped, unknown, truncated = (list(cases[i]) for i in ids)
    del skipped[0]  # validate-order never recorded: reserve/charge come too early
    swapped[0], swapped[1] = swapped[1], swapped[0]
    for i, event in enumerate(swapped):
        event["time"] = i  # keep the swapped order when sorting by time
    unknown.insert(1, {**unknown[1], "activity": "teleport"})
    del truncated[2:]  # validate and one branch: the other branch never ran
    lines = _write(tmp_path / "mutated.jsonl", skipped + swapped + unknown + truncated)
    code, report = conform_json(ORDER, tmp_path / "mutated.jsonl", "--align")
    assert code == 1
    assert report["cases"] == 4 and report["fitting"] == 0
    found = {d["case"]: d for d in report["deviations"]}
    a, b, c, d = ids
    assert found[a]["kind"] == "missing" and found[a]["index"] == 0
    assert found[a]["expected"] == ["validate-order"]
    assert found[a]["line"] == lines[(a, 0)]
    assert found[b]["kind"] == "missing" and found[b]["index"] == 0
    assert found[c]["kind"] == "unknown-activity" and found[c]["index"] == 1
    assert found[c]["activity"] == "teleport" and found[c]["line"] == lines[(c, 1)]
    assert found[d]["kind"] == "incomplete" and found[d]["index"] == len(truncated)
    assert found[d]["line"] is None and found[d]["activity"] is None
    # alignments: one model move, two (swap), one log move, one model move (the missing
    # branch's task, whose failure may end the instance)
    assert [found[x]["cost"] for x in (a, b, c, d)] == [1, 2, 1, 1]
    assert [">>", "validate-order"] in found[a]["moves"]
    assert ["teleport", ">>"] in found[c]["moves"]
    assert report["fitness"] < 1.0


def test_text_output_points_at_log_line_and_spec_line(tmp_path: Path) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_text(
        '{"case": "o-1", "activity": "validate-order", "time": 1}\n'
        '{"case": "o-1", "activity": "ship-it", "time": 2}\n'
    )
    done = run_archctl("conform", ORDER, str(log))
    assert done.returncode == 1
    assert "deviation[unknown-activity]: case o-1: 'ship-it' is not an activity" in done.stdout
    assert f"--> {log}:2 (event 1 of the case)" in done.stdout
    assert "order-workflow.yaml:" in done.stdout
    assert "1 case(s), 0 fitting" in done.stdout


def test_events_are_ordered_by_time_then_file_order(tmp_path: Path) -> None:
    original = tmp_path / "run.jsonl"
    simulate_log(ORDER, original, instances=3, seed=2)
    lines = original.read_text().splitlines()
    (tmp_path / "reversed.jsonl").write_text("\n".join(reversed(lines)) + "\n")
    code, report = conform_json(ORDER, tmp_path / "reversed.jsonl")
    assert code == 0 and report["fitting"] == 3


def test_malformed_lines_are_reported_and_counted_not_fatal(tmp_path: Path) -> None:
    original = tmp_path / "run.jsonl"
    simulate_log(ORDER, original, instances=2, seed=2)
    lines = original.read_text().splitlines()
    lines.insert(1, '{"case": "x", "activity": ')
    lines.insert(3, '{"case": "y"}')
    (tmp_path / "broken.jsonl").write_text("\n".join(lines) + "\n")
    code, report = conform_json(ORDER, tmp_path / "broken.jsonl")
    assert code == 1
    assert report["fitting"] == report["cases"] == 2
    assert [p["line"] for p in report["problems"]] == [2, 4]
    assert "malformed JSON" in report["problems"][0]["message"]


def test_unreadable_logs_exit_2_with_a_location(tmp_path: Path) -> None:
    csv_log = tmp_path / "log.csv"
    csv_log.write_text("id,task,ts\n1,reserve-inventory,0\n")
    done = run_archctl("conform", ORDER, str(csv_log))
    assert done.returncode == 2
    assert f"{csv_log}:1:1:" in done.stderr and "no column 'case'" in done.stderr
    assert "--case" in done.stderr
    ok = run_archctl(
        "conform", ORDER, str(csv_log), "--case", "id", "--activity", "task", "--time", "ts"
    )
    assert ok.returncode == 1  # readable now; validate-order is missing
    empty = tmp_path / "empty.xes"
    empty.write_text('<?xml version="1.0"?>\n<log xes.version="1.0"></log>\n')
    done = run_archctl("conform", ORDER, str(empty))
    assert done.returncode == 2 and "no <trace>" in done.stderr
    broken = tmp_path / "broken.xes"
    broken.write_text('<?xml version="1.0"?>\n<log>\n  <trace>\n</log>\n')
    done = run_archctl("conform", ORDER, str(broken))
    assert done.returncode == 2 and f"{broken}:4:" in done.stderr
    bomb = tmp_path / "bomb.xes"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaa">]>\n<log/>\n')
    done = run_archctl("conform", ORDER, str(bomb))
    assert done.returncode == 2 and "DTD" in done.stderr
    done = run_archctl("conform", ORDER, str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2 and "cannot read the log" in done.stderr


def test_state_machine_logged_attributes_constrain_variables(tmp_path: Path) -> None:
    spec = str(EXAMPLES / "workflow-state-machine.yaml")
    log = tmp_path / "sm.csv"
    log.write_text(
        "case,activity,time,retries\n"
        "good,start,1,0\ngood,step_failed,2,1\ngood,resume,3,1\ngood,finish,4,1\n"
        "liar,start,1,0\nliar,step_failed,2,9\n"
    )
    code, report = conform_json(spec, log)
    assert code == 1
    assert report["cases"] == 2 and report["fitting"] == 1
    (deviation,) = report["deviations"]
    assert deviation["case"] == "liar" and deviation["index"] == 1
    assert deviation["kind"] == "unexpected" and deviation["line"] == 7
    assert report["fitness"] == 0.5  # share of fitting cases for state machines


def test_highlight_draws_an_aligned_deviation(tmp_path: Path) -> None:
    log = tmp_path / "bad.jsonl"
    log.write_text(
        '{"case": "o-1", "activity": "reserve-inventory", "time": 1}\n'
        '{"case": "o-1", "activity": "charge-payment", "time": 2}\n'
    )
    report = tmp_path / "report.json"
    done = run_archctl("conform", ORDER, str(log), "--align", "--format", "json")
    report.write_text(done.stdout)
    drawn = run_archctl("graph", ORDER, "-f", "mermaid", "--highlight", str(report))
    assert drawn.returncode == 0, drawn.stderr
    assert "validate-order" in drawn.stdout and "step 1" in drawn.stdout


def _peak_kb(spec: str, log: Path) -> int:
    import resource
    import subprocess
    import sys

    script = (
        "import resource, subprocess, sys; "
        f"subprocess.run([sys.executable, '-m', 'archctl', 'conform', {spec!r}, {str(log)!r}], "
        "capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    del resource
    return int(done.stdout.strip())


def test_memory_follows_cases_not_events(tmp_path: Path) -> None:
    """Five cases of 2,000 and of 100,000 events: the peak memory barely moves."""
    spec = str(EXAMPLES / "workflow-state-machine.yaml")

    def write(path: Path, length: int) -> Path:
        with path.open("w") as out:
            out.write("case,activity,time\n")
            for i in range(length):
                activity = "start" if i == 0 else "step_completed"
                for case in range(5):
                    out.write(f"c{case},{activity},{i}\n")
        return path

    small = _peak_kb(spec, write(tmp_path / "small.csv", 2_000))
    large = _peak_kb(spec, write(tmp_path / "large.csv", 100_000))
    assert large - small < 12_000, (small, large)  # 500,000 events would take ~40 MB held
