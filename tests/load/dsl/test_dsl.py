"""The DSL front end: every syntax-error class, semantic errors, mixed files, a huge file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archctl.cli import app
from archctl.load.dsl.frontend import load_dsl_text
from archctl.load.loader import load_paths
from archctl.model.statemachine import StateMachine
from archctl.model.workflow import Workflow
from archctl.verify import verify_paths
from tests.conftest import ROOT

MACHINE = """\
statemachine account {
  var balance: int[0..1000] = 0
  states open, frozen, closed
  initial open
  final closed
  open -> open on deposit [balance <= 990] / balance = balance + 10
  open -> frozen on freeze
  frozen -> closed on close [balance == 0]
  always never-negative: balance >= 0
}
"""


def load(text: str, path: str = "spec.arch"):  # type: ignore[no-untyped-def]
    return load_dsl_text(path, text)


def only_error(text: str):  # type: ignore[no-untyped-def]
    result = load(text)
    assert len(result.diagnostics) == 1, result.diagnostics
    return result.diagnostics[0]


# -- syntax errors -----------------------------------------------------------------------
def test_missing_closing_brace_at_end_of_file() -> None:
    error = only_error(MACHINE.rstrip().removesuffix("}"))
    assert error.code == "LD001"
    assert error.message == "missing '}': the block opened at line 1 is not closed"
    assert error.span is not None and error.span.line == 9


def test_missing_closing_brace_before_next_spec() -> None:
    text = MACHINE.rstrip().removesuffix("}") + "\nplugins p {\n  plugin core 1.0.0\n}\n"
    error = only_error(text)
    assert error.code == "LD001"
    assert error.span is not None and (error.span.line, error.span.column) == (11, 1)
    assert error.span.end_column == 7  # the word `plugins` that starts the next spec
    assert error.message == "missing '}': the block opened at line 1 is not closed"


def test_missing_opening_brace() -> None:
    error = only_error("statemachine account\n  states open\n  initial open\n}\n")
    assert error.code == "LD001"
    assert error.span is not None and (error.span.line, error.span.column) == (1, 21)
    assert "expected '{'" in error.message
    assert error.help is not None and "`KIND NAME {`" in error.help


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("  open -> closed on close [balance = 0]", 36),
        ("  open -> closed on close [balance + 1 = 1]", 40),
        ("  always bad: balance = 0", 23),
    ],
)
def test_assignment_instead_of_comparison(line: str, column: int) -> None:
    text = MACHINE.replace("  frozen -> closed on close [balance == 0]", line)
    error = only_error(text)
    assert error.code == "LD001"
    assert error.span is not None and (error.span.line, error.span.column) == (8, column)
    assert error.help is not None and "'=='" in error.help


def test_assignment_instead_of_comparison_in_policy_and_workflow() -> None:
    policy = 'policy p {\n  attr role: enum{"a", "b"}\n  rule r allow when role = "a"\n}\n'
    assert "'=='" in (only_error(policy).help or "")
    workflow = (
        "workflow w {\n  var x: int[0..9]\n  start s\n  gateway g exclusive\n  end e\n"
        "  s -> g\n  g -> e when x = 1\n}\n"
    )
    assert "'=='" in (only_error(workflow).help or "")


@pytest.mark.parametrize(
    "declaration",
    [
        "var tier: enum{gold, silver}",
        'var tier: enum{"gold", silver}',
        'var tier: enum{"gold", "silver"} = gold',
    ],
)
def test_unquoted_enum_value(declaration: str) -> None:
    text = MACHINE.replace("  var balance: int[0..1000] = 0", f"  {declaration}")
    error = only_error(text)
    assert error.code == "LD001"
    assert error.span is not None and error.span.line == 2
    assert error.help is not None and "enum values are quoted" in error.help


def test_unquoted_enum_value_in_expression_points_at_the_name() -> None:
    text = MACHINE.replace("[balance == 0]", "[balance == zero]")
    error = only_error(text)
    assert error.code == "LD005"  # an unknown name, exactly as in YAML
    assert error.span is not None and (error.span.line, error.span.column) == (8, 41)
    assert error.help is None or "quoted" not in error.help
    with_enum = MACHINE.replace(
        "  var balance: int[0..1000] = 0",
        '  var balance: int[0..1000] = 0\n  var tier: enum{"gold", "silver"}',
    )
    error = only_error(with_enum.replace("[balance == 0]", "[tier == gold]"))
    assert error.code == "LD005" and error.message == "unknown name 'gold'"
    assert error.help == 'enum values are quoted: "gold" (a value of tier)'


@pytest.mark.parametrize("word", ["true", "and", "in", "any"])
def test_keyword_as_a_name(word: str) -> None:
    text = MACHINE.replace("states open, frozen, closed", f"states open, frozen, closed, {word}")
    error = only_error(text)
    assert error.code == "LD001"
    assert f"'{word}' is a keyword" in error.message
    assert error.span is not None and error.span.line == 3
    assert error.help is not None and "quote it" in error.help


def test_structure_words_are_soft_keywords() -> None:
    text = (
        "workflow start {\n  start start\n  task task user\n  end end success\n"
        "  start -> task -> end\n}\n"
        'statemachine on {\n  states initial, final, "two words"\n  initial initial\n'
        '  initial -> final on on\n  final -> "two words" on when\n}\n'
    )
    result = load(text)
    assert result.diagnostics == []
    workflow, machine = result.specs
    assert isinstance(workflow, Workflow) and isinstance(machine, StateMachine)
    assert [node.id for node in workflow.nodes] == ["start", "task", "end"]
    assert [flow.label for flow in workflow.flows] == ["start -> task", "task -> end"]
    assert [state.name for state in machine.states] == ["initial", "final", "two words"]
    assert machine.events == ("on", "when")


def test_unterminated_string_at_end_of_file() -> None:
    error = only_error('statemachine m {\n  description "never closed')
    assert error.code == "LD001"
    assert "unterminated string" in error.message and "end of the file" in error.message
    assert error.span is not None and (error.span.line, error.span.column) == (2, 15)


def test_unterminated_string_inside_a_line() -> None:
    text = MACHINE.replace("[balance == 0]", '[balance == 0] description "oops')
    error = only_error(text)
    assert "unterminated string" in error.message and "end of the line" in error.message
    assert error.span is not None and error.span.line == 8


def test_expected_tokens_are_said_in_words() -> None:
    error = only_error("statemachine m {\n  states a\n  initial a\n  a -> \n}\n")
    assert error.span is not None and (error.span.line, error.span.column) == (4, 8)
    assert error.message == 'unexpected end of line; expected a name or a quoted string like "text"'
    for token_name in ("ID", "_NL", "RBRACE", "expr__", "__ANON"):
        assert token_name not in error.message


def test_text_report_shows_line_and_caret(tmp_path: Path) -> None:
    path = tmp_path / "bad.arch"
    path.write_text(MACHINE.replace("[balance == 0]", "[balance = 0]"), encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(path)])
    assert result.exit_code == 2
    assert "error[LD001]" in result.stdout
    assert "8 |   frozen -> closed on close [balance = 0]" in result.stdout
    assert " ^" in result.stdout and "help: use '==' to compare" in result.stdout


# -- semantic errors: the same codes as YAML ---------------------------------------------
def test_duplicates_and_unknown_references() -> None:
    text = MACHINE.replace("states open, frozen, closed", "states open, frozen, closed, open")
    text = text.replace("frozen -> closed", "frozen -> closd")
    codes = sorted((d.code, d.span.line) for d in load(text).diagnostics if d.span)
    assert codes == [("LD005", 8), ("LD006", 3)]


def test_type_errors_point_inside_the_line() -> None:
    text = MACHINE.replace("[balance == 0]", '[balance == "zero"]')
    error = only_error(text)
    assert error.code == "LD008"
    assert error.span is not None and (error.span.line, error.span.column) == (8, 30)


def test_duplicate_statements_and_bad_values() -> None:
    text = (
        "workflow w {\n  var n: int[5..1]\n  start s\n  start s\n"
        "  task t retry 0 failure_rate 2 duration uniform(5s, 1s)\n  end e\n  s -> t -> e\n}\n"
    )
    found = sorted((d.code, d.span.line) for d in load(text).diagnostics if d.span)
    assert found == [("LD004", 2), ("LD004", 5), ("LD004", 5), ("LD004", 5), ("LD006", 4)]


# -- files -------------------------------------------------------------------------------
MIXED = (
    MACHINE
    + """
workflow order {
  var amount: int[0..100000]
  start begin
  task validate retry 3 backoff 100ms x2 deadline 5s on_error rejected
  gateway route exclusive
  task review user
  task ship
  end done success
  end rejected failure
  begin -> validate -> route
  route -> review when amount > 1000
  route -> ship default
  review -> ship -> done
}

plugins engine {
  plugin core 2.1.0
  plugin auth 1.4.0 requires core ">=2.0, <3.0"
}

# a policy after a comment
policy gateway {
  attr user.role: enum{"admin", "guest"}
  combine deny-overrides
  default deny
  rule admins allow when user.role == "admin"
}
"""
)


def test_a_file_mixing_several_specs(tmp_path: Path) -> None:
    path = tmp_path / "mixed.arch"
    path.write_text(MIXED, encoding="utf-8")
    loaded = load_paths([str(path)])
    assert loaded.diagnostics == []
    assert [(spec.kind, spec.name) for spec in loaded.specs] == [
        ("statemachine", "account"),
        ("workflow", "order"),
        ("plugins", "engine"),
        ("policy", "gateway"),
    ]
    outcome = verify_paths([str(path)])
    assert not outcome.load_failed
    for diagnostic in outcome.diagnostics:
        assert diagnostic.span is not None and diagnostic.span.file == str(path)


def test_verify_simulate_and_graph_accept_dsl_files(tmp_path: Path) -> None:
    path = tmp_path / "mixed.arch"
    path.write_text(MIXED, encoding="utf-8")
    runner = CliRunner()
    verified = runner.invoke(app, ["verify", str(path), "--format", "json"])
    assert verified.exit_code in (0, 1), verified.output
    assert '"specs": 4' in verified.stdout
    graph = runner.invoke(app, ["graph", str(path), "--spec", "order", "-f", "mermaid"])
    assert graph.exit_code == 0, graph.output
    assert "validate" in graph.stdout
    simulated = runner.invoke(app, ["simulate", str(path), "--spec", "order", "-n", "3"])
    assert simulated.exit_code == 0, simulated.output


def test_empty_file_has_no_spec() -> None:
    error = only_error("# nothing here\n")
    assert error.code == "LD003"


def test_huge_generated_file_loads_in_reasonable_time() -> None:
    states = 2000
    lines = ["statemachine big {", "  var x: int[0..100] = 0"]
    lines.append("  states " + ", ".join(f"s{i}" for i in range(states)))
    lines.append("  initial s0")
    for i in range(20_000):
        guard = f" [x < {i % 100}] / x = x + 1" if i % 4 == 0 else ""
        lines.append(f"  s{i % states} -> s{(i * 7 + 1) % states} on e{i % 50}{guard}")
    lines.append("}")
    started = time.perf_counter()
    result = load("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert result.diagnostics == []
    machine = result.specs[0]
    assert isinstance(machine, StateMachine)
    assert len(machine.transitions) == 20_000
    assert machine.transitions[-1].span.line == 20_004
    assert elapsed < 60, f"20k transitions took {elapsed:.1f}s"


def test_every_spec_in_the_dsl_docs_loads() -> None:
    import re

    text = (ROOT / "docs" / "dsl.md").read_text()
    blocks = [
        block
        for block in re.findall(r"```\n(.*?)```", text, re.S)
        if re.match(r"(statemachine|workflow|plugins|policy) ", block)
    ]
    assert len(blocks) == 4
    for block in blocks:
        assert load(block).diagnostics == [], block


def test_absurdly_deep_expression_is_an_error_not_a_crash() -> None:
    chain = "x > 1" + " and x > 1" * 3000
    text = f"statemachine m {{\n  var x: int\n  states a\n  initial a\n  always p: {chain}\n}}\n"
    error = only_error(text)
    assert error.code == "LD007" and "nested more than 200 levels" in error.message
    assert error.span is not None and error.span.line == 5  # inside the expression


def test_several_syntax_errors_are_reported_together() -> None:
    text = (
        "statemachine m {\n  var x: int[0..9] = 0\n  states a, b\n  initial a\n"
        "  a -> b on go [x = 1]\n  b -> a on back [x == 1\n  a -> a on stay\n}\n"
        "workflow w {\n  start s\n  end e\n  s -> e when x = 2\n}\n"
    )
    errors = load(text).diagnostics
    assert [(d.code, d.span.line if d.span else 0) for d in errors] == [
        ("LD001", 5),
        ("LD001", 6),
        ("LD001", 12),
    ]
    assert errors[0].help is not None and "'=='" in errors[0].help
    assert errors[1].message == "unexpected end of line; expected ']'"


def test_names_that_are_also_clause_words() -> None:
    text = (
        "workflow w {\n  start default\n  gateway parallel parallel\n  end success success\n"
        "  end failure failure\n  default -> parallel\n  parallel -> success\n"
        "  parallel -> failure\n}\n"
        "policy p {\n  attr x: int[0..3]\n  rule allow allow when x > 1\n  rule deny deny\n"
        "  assert none never none when x > 2\n}\n"
    )
    result = load(text)
    assert result.diagnostics == []
    workflow, policy = result.specs
    assert isinstance(workflow, Workflow)
    assert [(n.id, n.gateway or n.result) for n in workflow.nodes[1:]] == [
        ("parallel", "parallel"),
        ("success", "success"),
        ("failure", "failure"),
    ]
    assert [flow.default for flow in workflow.flows] == [False, False, False]
    assert [(rule.id, rule.effect) for rule in policy.rules] == [
        ("allow", "allow"),
        ("deny", "deny"),
    ]
    assert [(a.name, a.kind, a.effect) for a in policy.asserts] == [("none", "never", "none")]
