"""`archctl plan`: golden outputs for text and JSON, exit codes for findings and bad input.

Set ARCHCTL_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from archctl.cli import app
from tests.conftest import CASES, EXAMPLES, ROOT, run_archctl

GOLDEN = ROOT / "tests" / "golden" / "plan"
PLANS = {
    "plugin-manager": EXAMPLES / "plugin-manager.yaml",
    "backtracking": CASES / "plugins" / "backtracking-clean.yaml",
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("name", sorted(PLANS))
def test_plan_golden(name: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("plan", relative(PLANS[name]), "--format", fmt)
    golden = GOLDEN / f"{name}.{'txt' if fmt == 'text' else 'json'}"
    if os.environ.get("ARCHCTL_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert code == 0
    assert out == golden.read_text(encoding="utf-8")


def test_plan_json_shape() -> None:
    code, out = run("plan", str(EXAMPLES / "plugin-manager.yaml"), "--format", "json")
    plan = json.loads(out)
    assert code == 0
    assert set(plan) == {"spec", "selected", "stages"}
    assert plan["spec"] == "plugin-manager"
    assert plan["stages"][0] == ["core"]
    loaded = [name for stage in plan["stages"] for name in stage]
    assert sorted(loaded) == sorted(plan["selected"])
    for stage in plan["stages"]:
        assert stage == sorted(stage)


def test_plan_with_findings_prints_them_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("plan", "tests/cases/plugins/diamond.yaml", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [d["code"] for d in report["diagnostics"]] == ["PL104"]
    assert "stages" not in report
    code, out = run("plan", "tests/cases/plugins/cycles.yaml")
    assert code == 1
    assert "error[PL102]" in out and "a -> b -> c -> a" in out


def test_plan_load_error_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run("plan", "tests/cases/plugins/bad-versions.yaml")
    assert code == 2
    assert "error[LD004]" in out


def test_plan_needs_spec_when_several(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = "tests/cases/plugins/duplicate-names-across-documents.yaml"
    code, _ = run("plan", path)
    assert code == 2
    code, out = run("plan", path, "--spec", "second", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "spec": "second",
        "selected": {"auth": "3.0.0", "core": "2.0.0"},
        "stages": [["core"], ["auth"]],
    }
    code, _ = run("plan", path, "--spec", "third")
    assert code == 2


def test_plan_file_without_plugins_exits_2() -> None:
    others = [p for p in sorted(EXAMPLES.glob("*.yaml")) if "kind: plugins" not in p.read_text()]
    code, _ = run("plan", str(others[0]))
    assert code == 2


def test_a_candidate_that_can_never_install_warns_when_another_resolves(tmp_path: Path) -> None:
    """Registries keep old versions whose requirements no longer hold; uv and pip skip them."""
    spec = tmp_path / "p.yaml"
    spec.write_text(
        "kind: plugins\nname: app\nplugins:\n"
        "  core: {versions: {1.0.0: {}, 2.0.0: {}}}\n"
        '  ui: {versions: {0.9.0: {requires: {core: "^0.5"}}, 1.0.0: {requires: {core: "^2.0"}}}}\n'
        "install: [ui]\n"
    )
    result = run_archctl("plan", str(spec))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ui    1.0.0" in result.stdout
    assert "warning[PL103]: 'ui' 0.9.0 requires core '^0.5'" in result.stderr
    spec.write_text(spec.read_text().replace('"^2.0"', '"^3.0"'))
    blocked = run_archctl("plan", str(spec))
    assert blocked.returncode == 1  # no version of ui can install: still a blocker
    assert "error[PL103]" in blocked.stdout
