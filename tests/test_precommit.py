"""The pre-commit hook, run for real: `pre-commit try-repo` against this checkout.

pre-commit builds the hook's own virtual environment by installing this repository with pip,
so the test proves that .pre-commit-hooks.yaml, packaging and the console script all work
together, the way a team adopting the hook would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

BROKEN = """\
kind: statemachine
name: door
states: [open, closed, stuck]
initial: open
final: [closed]
transitions:
  - open -> closed on close
  - open -> stuck on jam
"""
FIXED = BROKEN + "  - stuck -> open on unjam\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: building it is the slow part."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("pre-commit")
    if executable is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return subprocess.run(
        [executable, "try-repo", str(ROOT), "archctl-verify", "--all-files", "--verbose"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )


def test_hook_fails_on_broken_spec_and_passes_on_fixed(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this project to be a git checkout")
    repo = tmp_path / "team-repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    git("config", "user.email", "ci@example.invalid", cwd=repo)
    git("config", "user.name", "CI", cwd=repo)
    (repo / "door.yaml").write_text(BROKEN)
    (repo / "ci.yml").write_text("on: push\njobs: {}\n")  # not a spec: must be skipped
    git("add", ".", cwd=repo)

    failed = try_repo(repo, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "error[SM102]" in failed.stdout
    assert "door.yaml" in failed.stdout

    (repo / "door.yaml").write_text(FIXED)
    git("add", ".", cwd=repo)
    passed = try_repo(repo, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
