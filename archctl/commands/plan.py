"""`archctl plan`: plugin versions and load stages, or the findings that block them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.commands import EXIT_OK, stderr_console, usage_error

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class PlanRequest:
    path: str
    spec: str | None = None
    output_format: str = "text"
    timeout_ms: int = 10_000


def run(request: PlanRequest, console: Console) -> int:
    from archctl.check import CheckOptions
    from archctl.plan import plan_file

    outcome = plan_file(request.path, request.spec, CheckOptions(timeout_ms=request.timeout_ms))
    if outcome.error is not None:
        usage_error(stderr_console(), outcome.error)
        return outcome.exit_code
    code = outcome.exit_code
    json_out = request.output_format == "json"
    if code == EXIT_OK and outcome.plan is not None:
        from archctl.report.plan import plan_json, plan_text

        chosen = outcome.plan
        render = plan_json if json_out else plan_text
        sys.stdout.write(render(chosen.spec.name, chosen.selected or {}, chosen.stages or []))
    elif json_out:
        from archctl.report.json import render_json

        sys.stdout.write(render_json(outcome.diagnostics, 1, 1))
    else:
        from archctl.report.text import render_text

        render_text(console, outcome.diagnostics, outcome.sources, 1, 1)
    return code
