"""Project configuration, inline suppressions and baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archctl.config import ConfigError, find_config, load_config
from tests.conftest import BROKEN_DOOR, ROOT

MACHINE = BROKEN_DOOR


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archctl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def test_config_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.archctl]\nignore = ["SM102"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "pyproject.toml"
    assert load_config(start=nested).ignore == ("SM102",)


def test_archctl_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.archctl]\nignore = ["SM102"]\n')
    (tmp_path / "archctl.toml").write_text('select = ["SM"]\n')
    assert load_config(start=tmp_path).select == ("SM",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('ignroe = ["SM102"]', "did you mean 'ignore'"),
        ('ignore = "SM102"', "must be a list of strings"),
        ('ignore = ["ZZ999"]', "not a known code"),
        ('fail-on = "fatal"', "'fail-on' must be"),
        ('severity = {SM102 = "loud"}', "must be error, warning or info"),
        ("timeout-ms = -5", "positive whole number"),
        ("paths = [", "invalid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "archctl.toml").write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        load_config(start=tmp_path)
    (tmp_path / "m.yaml").write_text(MACHINE)
    result = run("verify", "m.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert message.split("'")[0] in result.stdout


def test_config_paths_ignore_severity_and_fail_on(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "m.yaml").write_text(MACHINE)
    (specs / "skip.yaml").write_text("not: a spec\n")
    (tmp_path / "archctl.toml").write_text(
        'paths = ["specs"]\nexclude = ["specs/skip.yaml"]\nignore = ["SM103"]\n'
        'fail-on = "warning"\n[severity]\nSM102 = "warning"\n'
    )
    result = run("verify", "-f", "json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert [(d["code"], d["severity"]) for d in report["diagnostics"]] == [("SM102", "warning")]
    assert result.returncode == 1  # fail-on warning from config
    assert run("verify", "--fail-on", "error", cwd=tmp_path).returncode == 0


def test_inline_suppression_and_unused_suppression(tmp_path: Path) -> None:
    text = MACHINE.replace(
        "states: [open, closed, stuck]",
        "states: [open, closed, stuck]  # archctl: ignore[SM102]\n# archctl: ignore[SM101]",
    )
    (tmp_path / "m.yaml").write_text(text)
    result = run("verify", "-f", "json", "m.yaml", cwd=tmp_path)
    found = [(d["code"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]]
    # SM102 points at state 'stuck' on line 3 and is suppressed there;
    # the SM101 suppression on line 4 matches nothing and is itself reported.
    assert found == [("LD011", 4)]


def test_baseline_reports_only_new_findings_and_stale_entries(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MACHINE)
    baseline = tmp_path / "baseline.json"
    written = run("verify", "m.yaml", "--write-baseline", str(baseline), cwd=tmp_path)
    assert written.returncode == 0
    data = json.loads(baseline.read_text())
    assert data["archctl-baseline"] == 1
    assert {e["code"] for e in data["findings"]} == {"SM102"}
    # an edit elsewhere (lines move) does not churn the baseline
    (tmp_path / "m.yaml").write_text("# moved\n" + MACHINE)
    again = run("verify", "m.yaml", "--baseline", str(baseline), "-f", "json", cwd=tmp_path)
    assert again.returncode == 0
    assert codes(again) == []
    assert "1 known finding(s) skipped" in again.stderr
    # a new problem is reported; fixed ones are listed as stale
    fixed = MACHINE.replace(
        "  - open -> stuck on jam\n",
        "  - open -> stuck on jam\n  - stuck -> closed on unjam\n  - closed -> open on reopen\n",
    )
    (tmp_path / "m.yaml").write_text(fixed)
    third = run("verify", "m.yaml", "--baseline", str(baseline), cwd=tmp_path)
    assert "SM106" in third.stdout
    assert "now fixed (stale)" in third.stdout
    assert third.returncode == 0  # SM106 is a warning


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"findings": []}', "not an archctl baseline"),
        ('{"archctl-baseline": 99, "findings": []}', "format 99 is not supported"),
        ('{"archctl-baseline": 1, "findings": [{"file": 1}]}', "needs string"),
    ],
)
def test_corrupt_baseline(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "m.yaml").write_text(MACHINE)
    (tmp_path / "b.json").write_text(content)
    result = run("verify", "m.yaml", "--baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stdout


def test_specs_only_skips_non_spec_yaml(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text("on: push\njobs: {}\n")
    (tmp_path / "m.yaml").write_text(MACHINE)
    result = run("verify", "--specs-only", "-f", "json", "ci.yaml", "m.yaml", cwd=tmp_path)
    assert json.loads(result.stdout)["summary"]["files"] == 1
    plain = run("verify", "-f", "json", "ci.yaml", cwd=tmp_path)
    assert plain.returncode == 2
