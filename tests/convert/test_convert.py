"""Format parity (YAML and DSL say the same thing), round trips, fmt and the CLI commands."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from archctl.cli import app
from archctl.conversion import convert_file, format_file
from archctl.diagnostics import Severity
from archctl.kinds import specs_to_dsl, specs_to_yaml
from archctl.load.dsl.frontend import load_dsl_text
from archctl.load.loader import load_file
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.expr import decimal
from archctl.model.expr import to_source as expr_text
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.verify import verify_paths
from tests.conftest import CASES, EXAMPLES, ROOT
from tests.model_equality import strip_spans

DSL_EXAMPLES = ROOT / "examples-dsl"
YAML_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))


def clean_yaml_cases() -> list[Path]:
    """Every YAML case (they appear over time) that loads without errors."""
    out = []
    for path in sorted([*CASES.rglob("*.yaml"), *CASES.rglob("*.yml")]):
        loaded = load_file(str(path))
        if loaded.specs and not any(d.severity is Severity.ERROR for d in loaded.diagnostics):
            out.append(path)
    return out


def findings(path: Path) -> list[tuple[str, str, str]]:
    outcome = verify_paths([str(path)])
    return sorted((d.code, d.subject or "", d.message) for d in outcome.diagnostics)


def twin(path: Path) -> Path:
    return DSL_EXAMPLES / f"{path.stem}.arch"


# -- parity ------------------------------------------------------------------------------
def test_every_example_has_a_dsl_twin() -> None:
    assert YAML_EXAMPLES
    missing = [path.name for path in YAML_EXAMPLES if not twin(path).is_file()]
    assert missing == []


@pytest.mark.parametrize("path", YAML_EXAMPLES, ids=lambda p: p.stem)
def test_yaml_and_dsl_load_to_equal_models(path: Path) -> None:
    yaml_loaded = load_file(str(path))
    dsl_loaded = load_file(str(twin(path)))
    assert yaml_loaded.diagnostics == [] and dsl_loaded.diagnostics == []
    assert strip_spans(dsl_loaded.specs) == strip_spans(yaml_loaded.specs)


@pytest.mark.parametrize("path", YAML_EXAMPLES, ids=lambda p: p.stem)
def test_yaml_and_dsl_verify_to_equal_findings(path: Path) -> None:
    assert findings(twin(path)) == findings(path)


@pytest.mark.parametrize("path", YAML_EXAMPLES, ids=lambda p: p.stem)
def test_committed_dsl_twin_is_what_convert_writes(path: Path) -> None:
    outcome = convert_file(str(path), "dsl")
    assert outcome.text == twin(path).read_text(encoding="utf-8")


def test_strip_spans_still_sees_real_differences() -> None:
    text = twin(EXAMPLES / "order-workflow.yaml").read_text(encoding="utf-8")
    original = load_dsl_text("a.arch", text).specs
    changed = load_dsl_text("b.arch", text.replace("deadline 2s", "deadline 3s")).specs
    moved = load_dsl_text("c.arch", "\n\n" + text).specs
    assert strip_spans(changed) != strip_spans(original)
    assert strip_spans(moved) == strip_spans(original)


# -- round trips -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [*YAML_EXAMPLES, *clean_yaml_cases()],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_round_trip_yaml_dsl_yaml(path: Path) -> None:
    loaded = load_file(str(path))
    dsl = specs_to_dsl(loaded.specs)
    via_dsl = load_dsl_text("round.arch", dsl)
    assert via_dsl.diagnostics == [], dsl
    back = specs_to_yaml(via_dsl.specs)
    via_yaml = load_yaml_text("round.yaml", back)
    assert via_yaml.diagnostics == [], back
    assert strip_spans(via_dsl.specs) == strip_spans(loaded.specs)
    assert strip_spans(via_yaml.specs) == strip_spans(loaded.specs)


def test_expressions_print_with_exact_numbers_and_needed_parentheses() -> None:
    text = (
        "statemachine m {\n  var a: real[-10..10]\n  var b: int[0..9]\n  var ok: bool\n"
        "  states s\n  initial s\n"
        "  always p1: -(2 * a) <= 0.1 + a - (a - 0.25)\n"
        "  always p2: not (ok and b > 1) or not ok\n"
        "  always p3: (ok or b == 1) and b not in [1, 2]\n"
        "  always p4: 3 * (b - 1) >= -b\n}\n"
    )
    loaded = load_dsl_text("m.arch", text)
    assert loaded.diagnostics == []
    conditions = [expr_text(p.condition) for p in loaded.specs[0].properties if p.condition]
    assert conditions == [
        "-(2 * a) <= 0.1 + a - (a - 0.25)",
        "not (ok and b > 1) or not ok",
        "(ok or b == 1) and b not in [1, 2]",
        "3 * (b - 1) >= -b",
    ]
    again = load_dsl_text("n.arch", specs_to_dsl(loaded.specs))
    assert strip_spans(again.specs) == strip_spans(loaded.specs)


def test_decimal_is_exact() -> None:
    assert decimal(Fraction(1, 10)) == "0.1"
    assert decimal(Fraction(-5, 4)) == "-1.25"
    assert decimal(Fraction(3)) == "3.0"
    assert decimal(Fraction(1, 1000)) == "0.001"


def test_comments_survive_convert_both_ways(tmp_path: Path) -> None:
    yaml_text = (
        "# header comment\nkind: statemachine\nname: m\nstates: [a, b]  # two states\n"
        "initial: a\ntransitions:\n  # the only move\n  - a -> b on go\n"
    )
    source = tmp_path / "m.yaml"
    source.write_text(yaml_text, encoding="utf-8")
    dsl = convert_file(str(source), "dsl").text
    assert dsl is not None
    assert dsl.splitlines()[0] == "# header comment"
    assert "  states a, b  # two states" in dsl
    assert "  # the only move\n  a -> b on go" in dsl
    target = tmp_path / "m.arch"
    target.write_text(dsl, encoding="utf-8")
    back = convert_file(str(target), "yaml").text
    assert back is not None and "# the only move" in back and "# header comment" in back
    assert strip_spans(load_yaml_text("x.yaml", back).specs) == strip_spans(
        load_file(str(source)).specs
    )


# -- fmt ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", YAML_EXAMPLES, ids=lambda p: p.stem)
def test_fmt_is_idempotent_on_every_example(path: Path, tmp_path: Path) -> None:
    committed = twin(path).read_text(encoding="utf-8")
    assert format_file(str(twin(path))).text == committed
    messy = tmp_path / "messy.arch"
    lines = committed.splitlines()
    messy.write_text("\n\n".join("   " + line + "   " for line in lines) + "\n", encoding="utf-8")
    once = format_file(str(messy)).text
    assert once == committed
    messy.write_text(once, encoding="utf-8")
    assert format_file(str(messy)).text == once


def test_fmt_check_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.arch"
    good.write_text(twin(EXAMPLES / "plugin-manager.yaml").read_text(encoding="utf-8"))
    assert runner.invoke(app, ["fmt", "--check", str(good)]).exit_code == 0

    ugly = tmp_path / "ugly.arch"
    ugly.write_text("statemachine m {\nstates   a,b\ninitial a\n   a->b on go\n}\n")
    result = runner.invoke(app, ["fmt", "--check", str(ugly)])
    assert result.exit_code == 1
    assert f"--- {ugly}" in result.stdout and "-   a->b on go" in result.stdout
    assert "+  a -> b on go" in result.stdout
    assert "a->b" in ugly.read_text()  # --check changes nothing

    assert runner.invoke(app, ["fmt", str(ugly)]).exit_code == 0
    assert runner.invoke(app, ["fmt", "--check", str(ugly), str(good)]).exit_code == 0

    broken = tmp_path / "broken.arch"
    broken.write_text("statemachine m {\n  states a\n  initial b\n}\n")
    result = runner.invoke(app, ["fmt", "--check", str(broken)])
    assert result.exit_code == 2
    assert "error[LD005]" in result.stderr and "unknown state 'b'" in result.stderr
    assert runner.invoke(app, ["fmt", str(EXAMPLES / "order-workflow.yaml")]).exit_code == 2


def test_fmt_formats_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.arch").write_text("statemachine m {\nstates a\ninitial a\n}\n")
    (tmp_path / "ignored.yaml").write_text("not: a spec\n")
    assert CliRunner().invoke(app, ["fmt", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "a.arch").read_text() == "statemachine m {\n  states a\n  initial a\n}\n"


# -- convert CLI -------------------------------------------------------------------------
def test_convert_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "zt.arch"
    source = EXAMPLES / "zero-trust-gateway.yaml"
    result = runner.invoke(app, ["convert", str(source), "--to", "dsl", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text() == twin(source).read_text()
    to_yaml = runner.invoke(app, ["convert", str(out), "--to", "yaml"])
    assert to_yaml.exit_code == 0 and to_yaml.stdout.startswith("# Zero-trust")
    reloaded = load_yaml_text("zt.yaml", to_yaml.stdout)
    assert strip_spans(reloaded.specs) == strip_spans(load_file(str(source)).specs)


def test_convert_one_spec_of_a_file(tmp_path: Path) -> None:
    both = tmp_path / "both.arch"
    both.write_text(
        "statemachine one {\n  states a\n  initial a\n}\n\nstatemachine two {\n  states b\n"
        "  initial b\n}\n"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["convert", str(both), "--to", "yaml", "--spec", "two"])
    assert result.exit_code == 0
    assert "name: two" in result.stdout and "name: one" not in result.stdout
    missing = runner.invoke(app, ["convert", str(both), "--to", "yaml", "--spec", "three"])
    assert missing.exit_code == 2 and "no spec named 'three'" in missing.stderr


def test_convert_refuses_files_with_load_errors() -> None:
    case = CASES / "load" / "several-errors.yaml"
    result = CliRunner().invoke(app, ["convert", str(case), "--to", "dsl"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "error[LD002]" in result.stderr and "unknown key 'gaurd'" in result.stderr


def test_round_trip_over_the_shared_corpus(corpus: Path) -> None:
    """Real-world models (YAML and imported BPMN) print and reload to equal models."""
    files = sorted([*corpus.rglob("*.yaml"), *corpus.rglob("*.yml")])
    files += sorted(corpus.rglob("*.bpmn"))[:150]
    checked = 0
    for path in files:
        loaded = load_file(str(path))
        if not loaded.specs or any(d.severity is Severity.ERROR for d in loaded.diagnostics):
            continue
        checked += 1
        via_dsl = load_dsl_text("corpus.arch", specs_to_dsl(loaded.specs))
        via_yaml = load_yaml_text("corpus.yaml", specs_to_yaml(loaded.specs))
        assert via_dsl.diagnostics == [] and via_yaml.diagnostics == [], path
        expressible = _without_import_only(loaded.specs)
        assert strip_spans(via_dsl.specs) == strip_spans(expressible), path
        assert strip_spans(via_yaml.specs) == strip_spans(expressible), path
    assert checked > 0


def _without_import_only(specs: list[Any]) -> list[Any]:
    """The specs without what only importers set (terminate ends, subprocess completions,
    BPMN end events, element ids and messages: docs/workflows.md; generated pools, their
    frontier states and unbounded message flows: docs/bpmn.md), which YAML and the DSL
    cannot write: convert drops them."""
    out = []
    for spec in specs:
        if isinstance(spec, Workflow):
            nodes = tuple(
                dataclasses.replace(
                    n,
                    terminate=False,
                    scope=(),
                    once=False,
                    bpmn_id=None,
                    message=None,
                    message_role=None,
                )
                for n in spec.nodes
            )
            spec = dataclasses.replace(spec, nodes=nodes)
        if isinstance(spec, System):  # a BPMN collaboration's pools and message flows
            components = tuple(
                dataclasses.replace(c, origin=None, frontier=frozenset()) for c in spec.components
            )
            channels = tuple(dataclasses.replace(c, unbounded=False) for c in spec.channels)
            spec = dataclasses.replace(spec, components=components, channels=channels)
        out.append(spec)
    return out


def test_fmt_keeps_every_comment_in_place(tmp_path: Path) -> None:
    path = tmp_path / "c.arch"
    path.write_text(
        "# file header\r\nstatemachine m {\r\n  states a, b # trailing\r\n  # about initial\r\n"
        "  initial a\r\n  a -> b on go\r\n  # last in block\r\n}\r\n# between\r\n"
        "plugins p {\r\n  plugin core {\r\n  # old one\r\n  1.0.0\r\n    2.0.0 # newest\r\n"
        "  }\r\n}\r\n# the end\r\n"
    )
    formatted = format_file(str(path)).text
    assert formatted == (
        "# file header\nstatemachine m {\n  states a, b  # trailing\n  # about initial\n"
        "  initial a\n\n  a -> b on go\n  # last in block\n}\n\n# between\nplugins p {\n"
        "  plugin core {\n    # old one\n    2.0.0  # newest\n    1.0.0\n  }\n}\n# the end\n"
    )
    path.write_text(formatted)
    assert format_file(str(path)).text == formatted


def test_convert_to_an_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "x.arch"
    source = str(EXAMPLES / "plugin-manager.yaml")
    result = CliRunner().invoke(app, ["convert", source, "--to", "dsl", "-o", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_hash_lines_inside_yaml_block_scalars_are_not_comments(tmp_path: Path) -> None:
    source = tmp_path / "m.yaml"
    source.write_text(
        "kind: statemachine\nname: m\ndescription: |\n  # not a comment\n  text\n"
        "states: [a]  # a comment\ninitial: a\n"
    )
    dsl = convert_file(str(source), "dsl").text
    assert dsl is not None
    assert "# a comment" in dsl
    assert '  description "# not a comment\\ntext\\n"' in dsl
    assert dsl.count("# not a comment") == 1
