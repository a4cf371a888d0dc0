"""Shared fixtures: paths to the repository, examples and the shared corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases"
#: ARCHCTL_CORPUS points a git worktree (which lives elsewhere) at the shared corpus
CORPUS = Path(os.environ.get("ARCHCTL_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus; tests using it skip when it is absent (user clones)."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


def run_archctl(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would (a fresh process), capturing text output."""
    return subprocess.run(
        [sys.executable, "-m", "archctl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env=env,
    )
