"""`archctl init`: start a project: a commented config, an example spec, a pre-commit hook.

It refuses to overwrite: if any of the files exists, nothing is written and the message
names it, so running it twice, or in a project that already has a config, is harmless.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl import __version__
from archctl.commands import EXIT_OK, say, usage_error

if TYPE_CHECKING:
    from rich.console import Console

CONFIG = """\
# archctl configuration (https://github.com/archctl/archctl/blob/main/docs/ci.md).
# Every key is optional; unknown keys are errors, so a typo never switches a check off.

# What `archctl verify` checks when given no paths.
paths = ["specs"]
# Glob patterns (relative to this file) never checked, also when pre-commit names them.
exclude = []
# Codes or prefixes to report (default: all) and to drop.
# select = ["SM", "WF", "PL", "PO"]
# ignore = []
# Lowest severity that fails the run: error (default), warning or info.
fail-on = "error"
# Solver timeout per query, in milliseconds; an undecided check is SM901/WF901/... (an error).
timeout-ms = 10000

# Per-code (or prefix) severity, e.g. accept undecided policy proofs as warnings:
# [severity]
# PO901 = "warning"

# Codes ignored in some files only:
# [per-file-ignores]
# "specs/legacy/*" = [codes.SM105]
"""

EXAMPLE = """\
# An example spec: a door that can jam. `archctl verify` proves it can always be closed.
kind: statemachine
name: door
states: [open, closed, jammed]
initial: open
final: [closed]
transitions:
  - open -> closed on close
  - open -> jammed on jam
  - jammed -> open on unjam
"""

PRE_COMMIT = f"""\
repos:
  - repo: https://github.com/archctl/archctl
    rev: v{__version__}
    hooks:
      - id: archctl-verify
      - id: archctl-fmt
"""


@dataclass(frozen=True)
class InitRequest:
    folder: str = "."


def run(request: InitRequest, console: Console) -> int:
    targets = {
        os.path.join(request.folder, "archctl.toml"): CONFIG,
        os.path.join(request.folder, "specs", "door.yaml"): EXAMPLE,
        os.path.join(request.folder, ".pre-commit-config.yaml"): PRE_COMMIT,
    }
    existing = [path for path in targets if os.path.exists(path)]
    if existing:
        return usage_error(
            console,
            f"refusing to overwrite {', '.join(existing)}; nothing was written "
            "(remove or rename them to start over)",
        )
    try:
        for path, text in targets.items():
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
    except OSError as error:
        return usage_error(console, f"cannot write {error.filename}: {error.strerror}")
    for path in targets:
        say(console, f"wrote {os.path.normpath(path)}")
    say(console, "next: archctl verify")
    return EXIT_OK
