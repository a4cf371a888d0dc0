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
#: The shared folder beside the checkout (or beside the folder of worktrees).
SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared",
)
#: ARCHCTL_CORPUS points a checkout that lives elsewhere at the shared corpus
CORPUS = Path(os.environ.get("ARCHCTL_CORPUS", SHARED / "corpus"))

#: A door that can jam and never get out: one SM102 on 'stuck' (line 3), nothing else.
BROKEN_DOOR = """\
kind: statemachine
name: door
states: [open, closed, stuck]
initial: open
final: [closed]
transitions:
  - open -> closed on close
  - open -> stuck on jam
"""
#: A workflow calling a subprocess that lives in another file (PAYMENT_WORKFLOW).
ORDER_WORKFLOW = """\
kind: workflow
name: order
nodes:
  start: {type: start}
  pay: {type: task, task: subprocess, process: payment}
  done: {type: end}
flows: [start -> pay, pay -> done]
"""
PAYMENT_WORKFLOW = ORDER_WORKFLOW.replace("name: order", "name: payment").replace(
    "{type: task, task: subprocess, process: payment}", "{type: task}"
)


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
