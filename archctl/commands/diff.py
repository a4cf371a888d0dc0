"""`archctl diff`: which requests a policy change newly allows or denies."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.commands import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, refuse

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class DiffRequest:
    old: str
    new: str
    spec: str | None = None
    output_format: str = "text"
    timeout_ms: int = 10_000


def run(request: DiffRequest, console: Console) -> int:
    from archctl.check.policy.diff import diff_files
    from archctl.report.diff import render_diff_json, render_diff_text

    outcome = diff_files(request.old, request.new, request.spec, request.timeout_ms)
    if outcome.problems:
        from archctl.model.spec import LoadResult

        files = [request.old, request.new]
        refuse(LoadResult(diagnostics=outcome.problems, sources=outcome.sources, files=files))
        return EXIT_USAGE
    render = render_diff_json if request.output_format == "json" else render_diff_text
    sys.stdout.write(render(outcome))
    return EXIT_OK if outcome.equivalent else EXIT_FINDINGS
