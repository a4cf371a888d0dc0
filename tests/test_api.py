"""The library API (docs/api.md): same findings and reports as the CLI, cheap to import."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import archctl
from archctl.config import Config
from tests.conftest import CASES, EXAMPLES, ROOT, run_archctl

DEADLOCK = CASES / "workflow" / "xor-split-into-and-join.yaml"


def test_docs_api_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert tried > 20 and failures == 0


@pytest.mark.parametrize("target", [DEADLOCK, EXAMPLES])
def test_to_json_is_the_cli_json(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    relative = str(target.relative_to(ROOT))
    cli = run_archctl("verify", relative, "--format", "json")
    report = archctl.verify_paths([relative])
    assert report.to_json() == cli.stdout
    assert report.exit_code() == cli.returncode
    if target.is_file():
        text = target.read_text(encoding="utf-8")
        assert archctl.verify_text(text, source=relative).to_json() == cli.stdout


def python(code: str) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in a fresh process at the repository root, this checkout first."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_the_issue_one_liner_works() -> None:
    done = python(
        "import archctl; r = archctl.verify_text(open('examples/order-workflow.yaml').read()); "
        "print(r.to_json())"
    )
    assert done.returncode == 0, done.stderr
    assert '"diagnostics": []' in done.stdout


def test_import_archctl_imports_nothing_else() -> None:
    heavy = "('archctl', 'yaml', 'z3', 'lark', 'typer', 'rich')"
    done = python(
        f"import archctl, sys; print(sorted(m for m in sys.modules if m.startswith({heavy})))"
    )
    assert done.stdout.strip() == "['archctl']", done.stderr


def test_formats_and_errors() -> None:
    dsl = "statemachine m {\n  states a, b\n  initial a\n  final b\n  a -> b on go\n}\n"
    assert [s.name for s in archctl.load_text(dsl, format="dsl")] == ["m"]
    assert archctl.verify_text(dsl, format="dsl", source="m.arch").ok
    with pytest.raises(ValueError, match="unknown format 'toml'"):
        archctl.verify_text(dsl, format="toml")  # type: ignore[arg-type]
    with pytest.raises(archctl.LoadError) as raised:
        archctl.load_text("kind: workflow\nname: w\n", source="w.yaml")
    assert raised.value.diagnostics[0].code == "LD003"
    assert str(raised.value).startswith("w.yaml:")


def test_config_selects_and_sets_severity(tmp_path: Path) -> None:
    text = DEADLOCK.read_text(encoding="utf-8")
    assert archctl.verify_text(text, config=Config(ignore=("WF103",))).ok
    config = tmp_path / "archctl.toml"
    config.write_text('[severity]\nWF103 = "warning"\n', encoding="utf-8")
    report = archctl.verify_text(text, config=config)
    assert report.ok and [d.severity.value for d in report.diagnostics] == ["warning"]
    assert report.exit_code("warning") == 1
