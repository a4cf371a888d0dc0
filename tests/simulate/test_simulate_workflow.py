"""Workflow simulation: known answers on seeded runs (timing, retries, handlers, tokens)."""

from __future__ import annotations

import json
import math
from typing import Any

from typer.testing import CliRunner

from archctl.cli import app
from tests.conftest import EXAMPLES, ROOT

SPECS = ROOT / "tests" / "simulate"


def simulate(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["simulate", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_half_failing_task_with_four_attempts_reaches_its_handler_one_time_in_sixteen() -> None:
    n = 20_000
    summary = simulate(str(SPECS / "flaky.yaml"), "--instances", str(n), "--seed", "7")
    p = 0.5**4
    sd = math.sqrt(n * p * (1 - p))  # binomial standard deviation, about 34
    assert abs(summary["outcomes"]["gave_up"] - n * p) <= 4 * sd
    assert summary["outcomes"]["gave_up"] + summary["outcomes"]["ok"] == n
    # every attempt is one Bernoulli(0.5) trial: failures are about half of the attempts
    call = summary["nodes"]["call"]
    attempts_sd = math.sqrt(call["attempts"] * 0.25)
    assert abs(call["failures"] - call["attempts"] / 2) <= 4 * attempts_sd
    assert summary["nodes"]["handle"]["visits"] == summary["outcomes"]["gave_up"]


def test_mean_latency_of_the_flaky_task_matches_the_hand_computation() -> None:
    # success at attempt k after k-1 failures with backoffs 100, 200, 400 ms; 10 ms a try;
    # all four failing costs 740 ms plus 5 ms in the handler.
    paths = {1: 10.0, 2: 120.0, 3: 330.0, 4: 740.0}
    probability = {k: 0.5**k for k in paths}
    mean = sum(probability[k] * paths[k] for k in paths) + 0.5**4 * 745.0
    second = sum(probability[k] * paths[k] ** 2 for k in paths) + 0.5**4 * 745.0**2
    sd = math.sqrt(second - mean**2)
    n = 20_000
    summary = simulate(str(SPECS / "flaky.yaml"), "--instances", str(n), "--seed", "3")
    assert abs(summary["latency_ms"]["mean"] - mean) <= 4 * sd / math.sqrt(n)
    assert summary["latency_ms"]["max"] == 745.0
    assert summary["latency_ms"]["p50"] in paths.values()


def test_fixed_durations_give_the_exact_latency() -> None:
    # broken: 4 x 10 ms failing + backoff 100, 300 capped to 250, 250 = 640 ms; then in
    # parallel: slow times out twice at 50 ms with 1 s between (1100 ms) + 5 ms fallback,
    # quick takes 30 ms; the join waits for the slower branch: 640 + 1105 = 1745 ms.
    summary = simulate(str(SPECS / "always-fails.yaml"), "--instances", "50")
    assert summary["outcomes"] == {"done": 50}
    assert summary["latency_ms"] == {
        "mean": 1745.0,
        "p50": 1745.0,
        "p95": 1745.0,
        "p99": 1745.0,
        "max": 1745.0,
    }
    nodes = summary["nodes"]
    assert nodes["broken"] == {
        "visits": 50,
        "attempts": 200,
        "failures": 200,
        "timeouts": 0,
        "time_ms": 50 * 640.0,
    }
    assert nodes["slow"]["timeouts"] == 100
    assert nodes["slow"]["time_ms"] == 50 * 1100.0
    assert nodes["join"]["visits"] == 100  # two tokens arrive per instance
    # a task without timing: zero duration, one attempt, never fails
    assert nodes["untimed"] == {
        "visits": 50,
        "attempts": 50,
        "failures": 0,
        "timeouts": 0,
        "time_ms": 0.0,
    }


def test_last_failure_without_handler_fails_the_instance() -> None:
    summary = simulate(str(SPECS / "no-handler.yaml"), "--instances", "20")
    assert summary["outcomes"] == {"done": 0, "(failed)": 20}
    assert summary["latency_ms"]["max"] == 10.0


def test_message_processor_dead_letters_malformed_and_exhausted_messages() -> None:
    n = 20_000
    summary = simulate(str(EXAMPLES / "async-message-processor.yaml"), "--instances", str(n))
    # well_formed = any: half go straight to the dead-letter queue; of the rest, 0.1^4 exhaust
    p_dead = 0.5 + 0.5 * 0.1**4
    sd = math.sqrt(n * p_dead * (1 - p_dead))
    assert abs(summary["outcomes"]["dead_letter"] - n * p_dead) <= 4 * sd
    assert summary["outcomes"]["ack"] + summary["outcomes"]["dead_letter"] == n
    assert summary["nodes"]["publish-to-dlq"]["visits"] == summary["outcomes"]["dead_letter"]
    process = summary["nodes"]["process"]
    sd_fail = math.sqrt(process["attempts"] * 0.1 * 0.9)
    assert abs(process["failures"] - 0.1 * process["attempts"]) <= 4 * sd_fail
    assert process["timeouts"] == 0  # durations stay under the 5 s deadline


def test_order_workflow_parallel_legs_join_before_deciding() -> None:
    n = 10_000
    summary = simulate(str(EXAMPLES / "order-workflow.yaml"), "--instances", str(n))
    nodes = summary["nodes"]
    passed = nodes["split"]["visits"]
    assert nodes["reserve-inventory"]["visits"] == nodes["charge-payment"]["visits"] == passed
    assert nodes["join"]["visits"] == 2 * passed
    assert nodes["decide"]["visits"] == passed
    # ship needs in_stock and paid, each drawn true with probability 1/2
    sd = math.sqrt(passed * 0.25 * 0.75)
    assert abs(nodes["ship"]["visits"] - passed / 4) <= 4 * sd
    assert sum(summary["outcomes"].values()) == n


def test_stuck_instances_are_detected_not_hung() -> None:
    no_route = simulate(str(SPECS / "stuck.yaml"), "--spec", "no-route", "-n", "30")
    assert no_route["outcomes"] == {"done": 0, "(stuck)": 30}
    join = simulate(str(SPECS / "stuck.yaml"), "--spec", "lonely-join", "-n", "30")
    assert join["outcomes"] == {"done": 0, "(stuck)": 30}
    assert join["latency_ms"]["mean"] is None  # stuck instances have no latency


def test_endless_loop_is_cut_at_until_and_reported() -> None:
    summary = simulate(
        str(SPECS / "forever.yaml"), "--spec", "forever", "-n", "20", "--until", "1s"
    )
    assert summary["outcomes"] == {"done": 0, "(cut)": 20}
    assert summary["cut"] == {"instances": 20, "until_ms": 1000.0, "max_steps": 100000}
    # 100 ms per round: rounds starting at 0, 100, ..., 1000 ms ran before the cut
    assert summary["nodes"]["work"]["visits"] == 20 * 11


def test_zero_time_loop_is_cut_by_the_step_limit() -> None:
    summary = simulate(
        str(SPECS / "forever.yaml"), "--spec", "spin", "-n", "3", "--max-steps", "500"
    )
    assert summary["outcomes"] == {"done": 0, "(cut)": 3}
    assert summary["cut"]["max_steps"] == 500
    assert summary["nodes"]["work"]["visits"] == 3 * 250  # work and again alternate


def test_subprocess_failure_end_fails_the_attempt() -> None:
    n = 4000
    summary = simulate(str(SPECS / "subprocess.yaml"), "--spec", "parent", "-n", str(n))
    sd = math.sqrt(n * 0.25)
    assert abs(summary["outcomes"]["recovered"] - n / 2) <= 4 * sd
    assert summary["nodes"]["child/bad"]["visits"] == summary["outcomes"]["recovered"]
    assert summary["nodes"]["call-child"]["failures"] == summary["outcomes"]["recovered"]
    assert summary["latency_ms"]["max"] == 21.0  # 20 ms child + 1 ms recovery


def test_inclusive_gateways_join_every_branch_that_was_started() -> None:
    summary = simulate(str(EXAMPLES / "approval-process.yaml"), "-n", "3000", "--seed", "5")
    assert "(stuck)" not in summary["outcomes"]
    assert "(cut)" not in summary["outcomes"]
    nodes = summary["nodes"]
    started = sum(nodes[r]["visits"] for r in ("manager-review", "finance-review", "legal-review"))
    assert nodes["reviews-done"]["visits"] == started  # every review token reached the join
    assert nodes["outcome"]["visits"] == nodes["reviews"]["visits"]  # and it fired once each


def test_any_on_a_string_draws_among_the_literals_it_is_compared_with() -> None:
    n = 4000
    summary = simulate(str(EXAMPLES / "service-mesh-routing.yaml"), "-n", str(n))
    sd = math.sqrt(n * 0.25)
    assert abs(summary["nodes"]["reviews-v2"]["visits"] - n / 2) <= 4 * sd


def test_inclusive_join_waits_for_the_started_branches_only() -> None:
    n = 2000
    summary = simulate(str(SPECS / "inclusive.yaml"), "-n", str(n), "--seed", "2")
    nodes = summary["nodes"]
    both = nodes["slow"]["visits"]  # instances where `both` was drawn true
    assert nodes["quick"]["visits"] == nodes["after"]["visits"] == n
    assert nodes["gather"]["visits"] == n + both
    # 10 ms alone, or the 50 ms branch, then 1 ms: latency is 11 or 51 ms, nothing else
    assert summary["outcomes"] == {"done": n}
    assert summary["latency_ms"]["max"] == (51.0 if both else 11.0)
    assert summary["latency_ms"]["mean"] == round((11.0 * (n - both) + 51.0 * both) / n, 3)
    assert abs(both - n / 2) <= 4 * math.sqrt(n / 4)


def test_every_example_workflow_completes_without_stuck_or_cut_instances() -> None:
    from archctl.load.loader import load_paths

    loaded = load_paths([str(EXAMPLES)])
    workflows = sorted((s.span.file, s.name) for s in loaded.specs if s.kind == "workflow")
    assert len(workflows) >= 5
    for path, name in workflows:
        summary = simulate(path, "--spec", name, "-n", "300")
        assert "(stuck)" not in summary["outcomes"], name
        assert "(cut)" not in summary["outcomes"], name
        assert sum(summary["outcomes"].values()) == 300
