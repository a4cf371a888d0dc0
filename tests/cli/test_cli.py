"""The CLI end to end: exit codes, formats, explain, schema."""

from __future__ import annotations

import json
from pathlib import Path

from archctl.schemas import schema_json
from tests.conftest import CASES, ROOT
from tests.conftest import run_archctl as run


def test_json_reports_every_load_error_with_position() -> None:
    result = run("verify", "--format", "json", "tests/cases/load/several-errors.yaml")
    assert result.returncode == 2
    document = json.loads(result.stdout)
    found = [(d["code"], d["line"], d["column"]) for d in document["diagnostics"]]
    assert found == [
        ("LD005", 12, 10),
        ("LD002", 15, 42),
        ("LD005", 16, 33),
        ("LD007", 16, 56),
        ("LD008", 17, 54),
        ("LD005", 17, 69),
    ]
    assert all(d["spec"] == "account" for d in document["diagnostics"])
    assert document["summary"]["errors"] == 6


def test_text_report_has_caret_and_help() -> None:
    result = run("verify", "tests/cases/load/several-errors.yaml")
    assert result.returncode == 2
    assert "error[LD007]" in result.stdout
    assert " --> tests/cases/load/several-errors.yaml:16:56" in result.stdout
    assert "= help: use '==' to compare" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_bad_paths_exit_2(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("no specs here")
    result = run("verify", str(tmp_path), str(tmp_path / "nope.yaml"), "--format", "json")
    assert result.returncode == 2
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["LD010", "LD010"]


def test_unreadable_inputs_never_traceback(tmp_path: Path) -> None:
    cases = {
        "empty.yaml": b"",
        "binary.yaml": b"\xff\xfe\x00kind",
        "list.yaml": b"- 1\n- 2\n",
        "tabs.yaml": b"kind: workflow\n\tname: x\n",
        "kind.yaml": b"kind: dataflow\nname: x\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        result = run("verify", str(tmp_path / name))
        assert result.returncode == 2, name
        assert "Traceback" not in result.stderr, name
        assert "error[LD" in result.stdout, name


def test_usage_errors_exit_2() -> None:
    assert run("verify", "--format", "xml", "examples").returncode == 2
    assert run("verify").returncode == 2
    assert run("explain", "XX999").returncode == 2
    assert run("schema", "dataflow").returncode == 2


def test_explain_prints_the_code_doc() -> None:
    result = run("explain", "sm102")
    assert result.returncode == 0
    assert result.stdout.startswith("SM102 deadlock (error)")


def test_schema_matches_committed_files() -> None:
    result = run("schema", "workflow")
    assert result.returncode == 0
    assert result.stdout == schema_json("workflow")
    assert result.stdout == (ROOT / "specs" / "workflow.schema.json").read_text()


def test_output_is_deterministic() -> None:
    first = run("verify", "--format", "json", str(CASES), "examples")
    second = run("verify", "--format", "json", str(CASES), "examples")
    assert first.stdout == second.stdout
    assert first.stdout
