"""Systems and send/receive in the DSL: the same models as YAML, located errors, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from archctl.conversion import convert_file, format_file
from archctl.load.dsl.frontend import load_dsl_text
from archctl.load.loader import load_file, load_paths
from archctl.verify import verify_paths
from tests.conftest import CASES, EXAMPLES, ROOT
from tests.model_equality import strip_spans

SYSTEMS = sorted((EXAMPLES / "systems").glob("*.yaml"))
DSL = ROOT / "examples-dsl" / "systems"


def dsl_twin(path: Path) -> Path:
    return DSL / f"{path.stem}.arch"


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.stem)
def test_dsl_twin_loads_to_the_same_model(path: Path) -> None:
    yaml_loaded, dsl_loaded = load_file(str(path)), load_file(str(dsl_twin(path)))
    assert yaml_loaded.diagnostics == [] and dsl_loaded.diagnostics == []
    assert strip_spans(dsl_loaded.specs) == strip_spans(yaml_loaded.specs)


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.stem)
def test_committed_dsl_twin_is_what_convert_writes_and_fmt_keeps(path: Path) -> None:
    converted = convert_file(str(path), "dsl")
    assert converted.text == dsl_twin(path).read_text(encoding="utf-8")
    assert format_file(str(dsl_twin(path))).text == converted.text


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.stem)
def test_dsl_twin_verifies_clean(path: Path) -> None:
    assert verify_paths([str(dsl_twin(path))]).diagnostics == []


def test_broken_twins_find_the_same_in_both_formats(tmp_path: Path) -> None:
    for case in sorted((CASES / "system").glob("*.yaml")):
        converted = convert_file(str(case), "dsl")
        assert converted.text is not None
        target = tmp_path / f"{case.stem}.arch"
        target.write_text(converted.text, encoding="utf-8")
        yaml_found = sorted(
            (d.code, d.subject, d.message) for d in verify_paths([str(case)]).diagnostics
        )
        dsl_found = sorted(
            (d.code, d.subject, d.message) for d in verify_paths([str(target)]).diagnostics
        )
        assert dsl_found == yaml_found, case.name


MACHINE = """statemachine m {
  var x: int[0..3] = 0
  states a, b
  initial a
  a -> b [x < 3] OP / x = x + 1
}
"""


@pytest.mark.parametrize(
    ("op", "code", "message", "at"),
    [
        ("send q!m(x +)", "LD007", "expression ends early", ")"),
        ("send q!m(y)", "LD005", "unknown name 'y'", "y"),
        ("receive q?m(self)", "LD008", "'self' is read-only", "self"),
        ("receive q?m(z)", "LD005", "unknown variable 'z'", "z"),
    ],
)
def test_operation_errors_point_into_the_dsl_line(
    op: str, code: str, message: str, at: str
) -> None:
    text = MACHINE.replace("OP", op)
    line = text.splitlines()[4]
    column = line.index(op) + op.index(at, 9) + 1  # inside the operation, after `q!m(`
    result = load_dsl_text("m.arch", text)
    problems = [
        (d.code, d.message, d.span.line if d.span else 0, d.span.column if d.span else 0)
        for d in result.diagnostics
    ]
    assert any(
        p[0] == code and message in p[1] and p[2] == 5 and p[3] == column for p in problems
    ), problems


def test_system_block_errors_are_located(tmp_path: Path) -> None:
    text = (
        MACHINE.replace("OP", "send q!m(x)")
        + """
system s {
  component c: mm
  component c: m
  channel q capacity 1
  fairness sometimes
  always ok: c.y == 1
}
"""
    )
    path = tmp_path / "s.arch"
    path.write_text(text, encoding="utf-8")
    found = sorted(
        (d.code, d.span.line if d.span else 0, d.message)
        for d in load_paths([str(path)]).diagnostics
    )
    assert any(
        c == "LD006" and line == 10 and "component 'c' is declared twice" in m
        for c, line, m in found
    )
    assert any(c == "LD004" and line == 12 and "fairness 'sometimes'" in m for c, line, m in found)
    assert any(c == "LD005" and line == 13 and "unknown name 'c.y'" in m for c, line, m in found)
