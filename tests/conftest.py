"""Shared fixtures: paths to the repository, examples and the shared corpus."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases"
#: The shared folder beside the checkout (or beside the folder of worktrees).
SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared",
)
CORPUS = SHARED / "corpus"


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
