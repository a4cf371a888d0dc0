"""No false blocks in CI and pre-commit (#15): foreign YAML, partial staging, baselines typed
any way, and the config's `exclude` for named files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import BROKEN_DOOR, ORDER_WORKFLOW, PAYMENT_WORKFLOW
from tests.conftest import run_archctl as run

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 2}
"""
COMPOSE = "services:\n  web: {image: nginx}\n"
GITHUB_WORKFLOW = "on: push\njobs:\n  test: {runs-on: ubuntu-latest, steps: []}\n"
MACHINE = BROKEN_DOOR
CALLER, CALLEE = ORDER_WORKFLOW, PAYMENT_WORKFLOW


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def test_foreign_yaml_is_skipped_in_hook_mode_and_named_outside_it(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text(DEPLOYMENT)
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "ci.yml").write_text(GITHUB_WORKFLOW)
    (tmp_path / "door.yaml").write_text(MACHINE)
    names = ["deploy.yaml", "docker-compose.yml", "ci.yml", "door.yaml"]
    hook = run("verify", "--specs-only", "-f", "json", *names, cwd=tmp_path)
    assert codes(hook) == ["SM102"], hook.stdout
    assert json.loads(hook.stdout)["summary"]["files"] == 1
    folder = run("verify", "-f", "json", ".", cwd=tmp_path)  # folders skip foreign YAML too
    assert codes(folder) == ["SM102"]
    named = run("verify", "deploy.yaml", cwd=tmp_path)
    assert named.returncode == 2
    assert "deploy.yaml is not an archctl spec" in named.stdout


def test_a_misspelt_kind_of_ours_is_still_a_spec(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MACHINE.replace("kind: statemachine", "kind: statemachin"))
    result = run("verify", "--specs-only", "-f", "json", "m.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert codes(result) == ["LD004"]


def test_marker_makes_a_kindless_yaml_a_spec_in_folders(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("# archctl\nname: x\n")
    result = run("verify", "-f", "json", ".", cwd=tmp_path)
    assert "LD003" in codes(result)


def test_subprocess_in_an_unstaged_sibling_resolves(tmp_path: Path) -> None:
    (tmp_path / "order.yaml").write_text(CALLER)
    (tmp_path / "payment.yaml").write_text(CALLEE)
    only_caller = run("verify", "--specs-only", "-f", "json", "order.yaml", cwd=tmp_path)
    assert only_caller.returncode == 0, only_caller.stdout
    assert codes(only_caller) == []
    (tmp_path / "payment.yaml").unlink()
    missing = run("verify", "--specs-only", "-f", "json", "order.yaml", cwd=tmp_path)
    assert codes(missing) == ["WF111"]


def test_subprocess_found_under_the_configured_paths(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "flows" / "order.yaml").write_text(CALLER)
    (tmp_path / "shared" / "payment.yaml").write_text(CALLEE)
    (tmp_path / "archctl.toml").write_text('paths = ["flows", "shared"]\n')
    result = run("verify", "-f", "json", "flows/order.yaml", cwd=tmp_path)
    assert codes(result) == []


def test_exclude_holds_for_files_named_in_hook_mode(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "door.yaml").write_text(MACHINE)
    (tmp_path / "archctl.toml").write_text('exclude = ["drafts/*"]\n')
    hook = run("verify", "--specs-only", "-f", "json", "drafts/door.yaml", cwd=tmp_path)
    assert hook.returncode == 0
    assert codes(hook) == []
    explicit = run("verify", "-f", "json", "drafts/door.yaml", cwd=tmp_path)
    assert codes(explicit) == ["SM102"]  # outside hook mode a named file is checked


def test_baseline_matches_however_the_path_is_typed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the project root
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "door.yaml"
    spec.write_text(MACHINE)
    baseline = tmp_path / "baseline.json"
    wrote = run("verify", "--write-baseline", str(baseline), "specs/door.yaml", cwd=tmp_path)
    assert wrote.returncode == 0
    entries = json.loads(baseline.read_text())["findings"]
    assert {entry["file"] for entry in entries} == {"specs/door.yaml"}
    for cwd, path in [
        (tmp_path, str(spec)),
        (tmp_path, "./specs/door.yaml"),
        (tmp_path / "specs", "door.yaml"),
    ]:
        result = run("verify", "--baseline", str(baseline), "-f", "json", path, cwd=cwd)
        assert result.returncode == 0, (cwd, path, result.stdout, result.stderr)
        assert codes(result) == []
        assert "0 entr" not in result.stderr and "stale" not in result.stderr


def test_baseline_refreshed_in_place(tmp_path: Path) -> None:
    (tmp_path / "door.yaml").write_text(MACHINE)
    baseline = "baseline.json"
    first = run("verify", "--write-baseline", baseline, "door.yaml", cwd=tmp_path)
    assert "(1 findings)" in first.stdout
    again = run(
        "verify", "--baseline", baseline, "--write-baseline", baseline, "door.yaml", cwd=tmp_path
    )
    assert "(1 findings)" in again.stdout, again.stdout
    assert len(json.loads((tmp_path / baseline).read_text())["findings"]) == 1


def test_duplicate_spec_name_does_not_hide_the_second_files_findings(tmp_path: Path) -> None:
    clean = MACHINE.replace("  - open -> stuck on jam\n", "").replace(", stuck]", "]")
    (tmp_path / "a.yaml").write_text(clean)
    (tmp_path / "b.yaml").write_text(MACHINE)
    result = run("verify", "-f", "json", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.returncode == 2
    found = sorted((d["file"], d["code"]) for d in json.loads(result.stdout)["diagnostics"])
    assert found == [("b.yaml", "LD006"), ("b.yaml", "SM102")]


def test_gitignored_folders_are_not_walked(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\n*.tmp.yaml\n!keep.tmp.yaml\n")
    for folder in ("build", "specs"):
        (tmp_path / folder).mkdir()
    (tmp_path / "build" / "door.yaml").write_text(MACHINE)
    (tmp_path / "specs" / "x.tmp.yaml").write_text(MACHINE)
    (tmp_path / "specs" / "keep.tmp.yaml").write_text(MACHINE.replace("door", "kept"))
    result = run("verify", "-f", "json", ".", cwd=tmp_path)
    files = {d["file"] for d in json.loads(result.stdout)["diagnostics"]}
    assert files == {"specs/keep.tmp.yaml"}
    everything = run("verify", "-f", "json", "--no-respect-gitignore", ".", cwd=tmp_path)
    assert len({d["file"] for d in json.loads(everything.stdout)["diagnostics"]}) == 3
    assert os.path.exists(tmp_path / "build" / "door.yaml")


def test_graph_check_honours_the_config(tmp_path: Path) -> None:
    """`graph --check` draws the findings CI reports: the same config applies."""
    (tmp_path / "door.yaml").write_text(MACHINE)
    drawn = run("graph", "--check", "-f", "mermaid", "door.yaml", cwd=tmp_path)
    assert "SM102 deadlock" in drawn.stdout
    (tmp_path / "archctl.toml").write_text('ignore = ["SM102"]\n')
    ignored = run("graph", "--check", "-f", "mermaid", "door.yaml", cwd=tmp_path)
    assert ignored.returncode == 0
    assert "SM102" not in ignored.stdout and 'n_stuck("stuck")' in ignored.stdout
