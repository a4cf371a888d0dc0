"""Regression cases for inputs that used to crash or hang archctl (issue 14).

Each class of hostile input must end in a located LD error or a finding, in bounded time and
memory, through every front end that can express it; a real bug must end in one line naming
the file and spec, a log with the traceback, and exit 3.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from archctl.check import CheckOptions
from archctl.check.budget import Budget, clamp_ms, spending
from archctl.check.domains import domain_size, finite_domain, product_size
from archctl.check.workflow.data import build_data
from archctl.check.workflow.graph import build_net
from archctl.check.workflow.net import Explorer
from archctl.diagnostics import Diagnostic
from archctl.kinds import check_specs
from archctl.load.bpmn.frontend import load_bpmn_text
from archctl.load.dsl.frontend import load_dsl_text
from archctl.load.expr.limits import MAX_DEPTH
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.spec import LoadResult
from archctl.model.types import INT, TypeKind, VarType
from archctl.model.workflow import LONGEST_WAIT_MS, RetryPolicy, Workflow
from archctl.simulate.timing import compile_timing
from archctl.source import Span

BIG = "9" * 5000  # beyond Python's 4300-digit conversion limit
DSL_MACHINE = "statemachine m {{\n  var {var}\n  states a\n  initial a\n  always p: {prop}\n}}\n"


def machine(guard: str, variables: str = "x: {type: bool, initial: false}") -> str:
    return (
        "kind: statemachine\nname: m\nvariables:\n"
        f"  {variables}\n"
        "states: [a, b]\ninitial: a\nfinal: [b]\nevents: [go]\n"
        f'transitions:\n  - {{from: a, to: b, on: go, guard: "{guard}"}}\n'
    )


def errors(result: LoadResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity.value == "error"]


def the_error(result: LoadResult, code: str) -> Diagnostic:
    found = [d for d in errors(result) if d.code == code]
    assert found, result.diagnostics
    assert found[0].span is not None
    return found[0]


# -- expressions nested or chained too deep ---------------------------------------------------
@pytest.mark.parametrize(
    "guard",
    [
        " and ".join(["x"] * 3000),
        "not " * 2000 + "x",
        "(not " * 1000 + "x" + ")" * 1000,
        " + ".join(["1"] * 3000) + " > 0",
        "- " * 2000 + "1 > 0",
    ],
    ids=["and-chain", "not-chain", "parentheses", "sum-chain", "negations"],
)
def test_deep_yaml_expression_is_a_located_ld007(guard: str) -> None:
    result = load_yaml_text("m.yaml", machine(guard))
    error = the_error(result, "LD007")
    assert f"more than {MAX_DEPTH} levels" in error.message
    assert error.span is not None and error.span.line == 10


def test_parentheses_alone_do_not_nest_the_expression() -> None:
    guard = "(" * 1000 + "x" + ")" * 1000
    assert errors(load_yaml_text("m.yaml", machine(guard))) == []


def test_deep_dsl_expression_is_a_located_ld007() -> None:
    chain = " or ".join(["x"] * 3000)
    text = DSL_MACHINE.format(var="x: bool = false", prop=chain)
    error = the_error(load_dsl_text("m.arch", text), "LD007")
    assert error.span is not None and error.span.line == 5


def test_deep_action_is_a_located_ld007() -> None:
    text = machine("true", "n: {type: int, range: [0, 3], initial: 0}").replace(
        'guard: "true"', 'do: "n = ' + " + ".join(["n"] * 1000) + '"'
    )
    assert "more than" in the_error(load_yaml_text("m.yaml", text), "LD007").message


def test_expression_at_the_depth_limit_is_checked_everywhere() -> None:
    """Every recursive consumer (type checker, Z3, evaluator, printers) copes with the limit."""
    from archctl.kinds import build_diagram, specs_to_dsl, specs_to_yaml
    from archctl.model.evaluate import compile_expr

    chain = " and ".join(["x"] * (MAX_DEPTH - 1))
    for variables in ("n: {type: int, range: [0, 3], initial: 0}", "n: {type: int}"):
        text = machine(chain, variables + "\n  x: {type: bool, initial: false}")
        text += f'properties:\n  - {{name: p, always: "{chain} or n >= 0"}}\n'
        result = load_yaml_text("m.yaml", text)
        assert errors(result) == []
        found = check_specs(result.specs, CheckOptions(timeout_ms=2000))
        assert any(d.code == "SM101" for d in found)
        spec = result.specs[0]
        assert specs_to_dsl([spec]).count(" and ") == 2 * (MAX_DEPTH - 2)
        assert specs_to_yaml([spec]).count(" and ") == 2 * (MAX_DEPTH - 2)
        assert build_diagram(spec).file == "m.yaml"
        guard = spec.transitions[0].guard
        assert guard is not None and compile_expr(guard)({"x": True, "n": 0}) is True


def test_deep_bpmn_condition_becomes_a_free_choice_with_a_note() -> None:
    condition = "${" + " &amp;&amp; ".join(["ok"] * 3000) + "}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
        '<process id="p">\n<startEvent id="s"/>\n<exclusiveGateway id="g"/>\n'
        '<task id="a"/>\n<task id="b"/>\n<endEvent id="e"/>\n'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="g"/>\n'
        '<sequenceFlow id="f1" sourceRef="g" targetRef="a">\n'
        f"  <conditionExpression>{condition}</conditionExpression>\n</sequenceFlow>\n"
        '<sequenceFlow id="f2" sourceRef="g" targetRef="b"/>\n'
        '<sequenceFlow id="f3" sourceRef="a" targetRef="e"/>\n'
        '<sequenceFlow id="f4" sourceRef="b" targetRef="e"/>\n'
        "</process>\n</definitions>\n"
    )
    result = load_bpmn_text("p.bpmn", body)
    notes = [d for d in result.diagnostics if d.code == "LD009"]
    assert any("more than" in d.message for d in notes), result.diagnostics
    assert len(result.specs) == 1


# -- numbers beyond the digit limit -------------------------------------------------------------
def test_huge_literal_in_an_expression_is_a_located_ld007() -> None:
    error = the_error(load_yaml_text("m.yaml", machine(f"x or {BIG} > 1")), "LD007")
    assert "more than 100 digits" in error.message and error.span is not None
    assert error.span.column > 40  # at the number, inside the guard string


@pytest.mark.parametrize(
    "variables",
    [
        f"n: {{type: int, range: [0, {BIG}], initial: 0}}",
        "n: {type: int, range: [0, 1e999999999], initial: 0}",
        f"n: {{type: int, range: [0, 3], initial: {BIG}}}",
    ],
    ids=["range", "exponent", "initial"],
)
def test_huge_yaml_numbers_are_located_ld004(variables: str) -> None:
    start = time.perf_counter()
    error = the_error(load_yaml_text("m.yaml", machine("true", variables)), "LD004")
    assert "digits" in error.message
    assert time.perf_counter() - start < 2


def test_huge_numbers_in_the_dsl_and_in_durations() -> None:
    dsl = (
        f"statemachine m {{\n  var n: int = 0\n  states a\n  initial a\n  always p: n < {BIG}\n}}\n"
    )
    assert "digits" in the_error(load_dsl_text("m.arch", dsl), "LD007").message
    workflow = (
        "kind: workflow\nname: w\nnodes:\n  start: {type: start}\n"
        f"  t: {{type: task, deadline: {BIG}ms}}\n  e: {{type: end}}\nflows: [start -> t, t -> e]\n"
    )
    assert "digits" in the_error(load_yaml_text("w.yaml", workflow), "LD004").message


# -- ranges too large to list ---------------------------------------------------------------------
def test_domains_are_counted_not_listed() -> None:
    huge = VarType(TypeKind.INT, 0, 2**63)
    assert domain_size(huge) == 2**63 + 1
    assert finite_domain(huge, 1000) is None
    assert finite_domain(VarType(TypeKind.INT, -1, 2), 10) == [-1, 0, 1, 2]
    assert domain_size(INT) is None
    assert product_size([huge] * 100, 2, limit=10) is not None


@pytest.mark.parametrize("high", [2**63, 10**9])
def test_huge_int_range_is_checked_symbolically_within_the_budget(high: int) -> None:
    text = machine(f"n > {high}", f"n: {{type: int, range: [0, {high}], initial: 0}}")
    result = load_yaml_text("m.yaml", text)
    assert errors(result) == []
    start = time.perf_counter()
    found = check_specs(result.specs, CheckOptions(timeout_ms=1500))
    assert time.perf_counter() - start < 15
    # 'b' is unreachable: proved (SM101) or, when the budget runs out, said so (SM901)
    assert {d.code for d in found} & {"SM101", "SM901"}, found


# -- retry.max_attempts without bound ----------------------------------------------------------
def workflow_with_retry(attempts: str, extra: str = "") -> str:
    return (
        "kind: workflow\nname: w\nnodes:\n  start: {type: start}\n  t:\n    type: task\n"
        "    deadline: 2s\n"
        f"    retry: {{max_attempts: {attempts}, backoff: 200ms{extra}}}\n"
        "    failure_rate: 1\n  e: {type: end}\nflows: [start -> t, t -> e]\n"
    )


@pytest.mark.parametrize("attempts", ["1000000000000000000000000000000", "10001", BIG])
def test_unbounded_max_attempts_is_a_located_ld004(attempts: str) -> None:
    error = the_error(load_yaml_text("w.yaml", workflow_with_retry(attempts)), "LD004")
    assert error.span is not None and error.span.line == 8


def test_unbounded_max_attempts_in_the_dsl_and_bpmn() -> None:
    dsl = (
        "workflow w {\n  start s\n  task t retry 100000000000000000000\n  end e\n  s -> t -> e\n}\n"
    )
    error = the_error(load_dsl_text("w.arch", dsl), "LD004")
    assert "at most 10,000" in error.message
    bpmn = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">\n'
        '<process id="p">\n<startEvent id="s"/>\n'
        '<serviceTask id="t" camunda:failedJobRetryTimeCycle="R99999999999/PT5M"/>\n'
        '<endEvent id="e"/>\n<sequenceFlow id="f0" sourceRef="s" targetRef="t"/>\n'
        '<sequenceFlow id="f1" sourceRef="t" targetRef="e"/>\n</process>\n</definitions>\n'
    )
    result = load_bpmn_text("p.bpmn", bpmn)
    assert any("at most 10,000" in d.message for d in result.diagnostics), result.diagnostics


def test_most_attempts_with_exploding_backoff_stay_finite_and_fast() -> None:
    text = workflow_with_retry("10000", ", multiplier: 10")
    result = load_yaml_text("w.yaml", text)
    assert errors(result) == []
    workflow = result.specs[0]
    assert isinstance(workflow, Workflow)
    task = workflow.node("t")
    assert task is not None and task.retry is not None
    assert task.retry.delay_after(10_000) == LONGEST_WAIT_MS
    timing = compile_timing(task)
    assert timing.max_attempts == 10_000
    start = time.perf_counter()
    found = check_specs([workflow], CheckOptions(timeout_ms=2000))
    assert any(d.code == "WF110" for d in found)
    assert time.perf_counter() - start < 5


def test_delay_overflow_is_capped() -> None:
    retry = RetryPolicy(10_000, 1, 1e300, None, Span.point("w", 1, 1))
    assert retry.delay_after(3) == LONGEST_WAIT_MS
    assert RetryPolicy(5, 0, 1e300, None, Span.point("w", 1, 1)).delay_after(5) == 0


# -- budgets --------------------------------------------------------------------------------------
def test_clamp_draws_on_the_spec_budget() -> None:
    assert clamp_ms(5000) == 5000  # outside a spec: the per-query value
    with spending(Budget(100)) as budget:
        assert 1 <= clamp_ms(5000) <= 100
        budget.started -= 1.0
        assert budget.expired() and clamp_ms(5000) == 1


def test_timeout_covers_the_whole_spec_not_each_query() -> None:
    """Spacer queries that each run to their timeout: with a per-query timeout of 3 s this
    spec took 6.4 s (21 s at the default 10 s); within one 3 s budget it ends near 3 s."""
    text = machine("n < 3", "n: {type: int, range: [0, 1000000000], initial: 0}").replace(
        "events: [go]", "events: [go, inc]"
    )
    text += '  - {from: a, to: a, on: inc, guard: "n < 1000000000", do: "n = n + 1"}\n'
    start = time.perf_counter()
    found = check_specs(load_yaml_text("m.yaml", text).specs, CheckOptions(timeout_ms=3000))
    assert time.perf_counter() - start < 5
    undecided = [d for d in found if d.code == "SM901"]
    assert undecided and all("could not decide" in d.message for d in undecided)


def test_explicit_search_stops_at_the_time_budget_with_sm901() -> None:
    text = machine("n > 20000", "n: {type: int, range: [0, 20000], initial: 0}").replace(
        "events: [go]", "events: [go, inc]"
    )
    text += '  - {from: a, to: a, on: inc, guard: "n < 20000", do: "n = n + 1"}\n'
    spec = load_yaml_text("m.yaml", text).specs
    assert {d.code for d in check_specs(spec)} == {"SM101", "SM102", "SM105"}  # in time
    with spending(Budget(0)):  # a spent budget: the search stops at its first check
        from archctl.check.statemachine.explicit import explore

        space = explore(spec[0])  # type: ignore[arg-type]
    assert space.stopped and len(space.state_of) < 20001
    found = check_specs(spec, CheckOptions(timeout_ms=1))
    assert [d.code for d in found] == ["SM901"]
    assert "ran out of the time budget (1 ms)" in found[0].message


def test_token_game_stops_at_the_time_budget_with_wf901() -> None:
    branches = 12
    nodes = "".join(f"  t{i}: {{type: task}}\n" for i in range(branches))
    flows = "".join(f"  - split -> t{i}\n  - t{i} -> join\n" for i in range(branches))
    text = (
        "kind: workflow\nname: w\nnodes:\n  start: {type: start}\n"
        "  split: {type: gateway, gateway: parallel}\n" + nodes + "  join: {type: gateway, "
        "gateway: parallel}\n  e: {type: end}\nflows:\n  - start -> split\n"
        + flows
        + "  - join -> e\n"
    )
    workflow = load_yaml_text("w.yaml", text).specs[0]
    assert isinstance(workflow, Workflow)
    net = build_net(workflow)
    explorer = Explorer(net, build_data(workflow, 1000), 2_000_000, reduce=False)
    with spending(Budget(0)):
        explored = explorer.run()
    assert explored.out_of_time and explored.bound_hit
    assert len(explored.keys) < 2**branches


# -- internal errors -------------------------------------------------------------------------------
def test_internal_error_is_one_line_with_a_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from archctl import cli, kinds

    spec = tmp_path / "m.yaml"
    spec.write_text(machine("x"), encoding="utf-8")

    def broken(spec: object, context: object) -> list[Diagnostic]:
        raise KeyError("a bug")

    monkeypatch.setattr(kinds, "checker_of", lambda spec: broken)
    monkeypatch.setenv("ARCHCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "argv", ["archctl", "verify", str(spec)])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 3
    err = capsys.readouterr().err.splitlines()
    log = tmp_path / "home" / "archctl.log"
    assert f"while checking spec 'm' in {spec}" in err[0]
    assert str(log) in err[0] and "KeyError" in err[0]
    assert "Traceback" not in "\n".join(err)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "z3-solver:" in text and "python:" in text
