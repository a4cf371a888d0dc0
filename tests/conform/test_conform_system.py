"""conform against a system: events name `component.activity`, channel steps included."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, run_archctl

SAGA = str(EXAMPLES / "systems" / "order-saga.yaml")


def simulated_events(seed: int) -> list[str]:
    done = run_archctl(
        "simulate", SAGA, "--spec", "order-saga", "--seed", str(seed), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    out = []
    for event in json.loads(done.stdout)["events"]:
        operation = event.get("send") or event.get("receive") or event.get("event")
        out.append(f"{event['component']}.{operation.split('(', 1)[0]}")
    return out


def write_log(path: Path, cases: dict[str, list[str]]) -> None:
    with path.open("w") as log:
        for case, activities in cases.items():
            for time, activity in enumerate(activities):
                log.write(json.dumps({"case": case, "activity": activity, "time": time}) + "\n")


def test_simulated_system_runs_conform_and_mutations_deviate(tmp_path: Path) -> None:
    runs = {f"s{seed}": simulated_events(seed) for seed in range(6)}
    assert any(len(run) > 4 for run in runs.values())
    log = tmp_path / "saga.jsonl"
    write_log(log, runs)
    done = run_archctl("conform", SAGA, str(log), "--spec", "order-saga", "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["fitting"] == report["cases"] == 6, report

    longest = max(runs.values(), key=len)
    swapped = [longest[1], longest[0], *longest[2:]]
    write_log(log, {"swapped": swapped, "short": longest[:2], "odd": ["orchestrator.dance"]})
    done = run_archctl(
        "conform", SAGA, str(log), "--spec", "order-saga", "--format", "json", "--align"
    )
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["fitting"] == 0
    kinds = {d["case"]: d["kind"] for d in report["deviations"]}
    assert kinds["short"] == "incomplete"
    assert kinds["odd"] == "unknown-activity"
    assert kinds["swapped"] in ("unexpected", "missing")
    first = next(d for d in report["deviations"] if d["case"] == "odd")
    assert "orchestrator.inventory!reserve" in first["expected"]
