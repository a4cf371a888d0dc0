"""`archctl plan`: plugin versions and load stages, or the findings that block them."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from archctl import codes
from archctl.commands import EXIT_OK, stderr_console, usage_error
from archctl.diagnostics import Diagnostic, Severity
from archctl.source import Span

if TYPE_CHECKING:
    from rich.console import Console

    from archctl.plan import PlanOutcome


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
    stale = _stale_candidates(outcome)
    if stale:
        _warn(outcome, stale)
    code = EXIT_OK if stale else outcome.exit_code
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


def _stale_candidates(outcome: PlanOutcome) -> list[Diagnostic]:
    """PL103 findings about candidate versions the plan did not select.

    A registry keeps old versions whose requirements can no longer hold (uv and pip pass
    over them); when another version of that plugin resolves, such a version is not a
    blocker. Only findings on a requirement that no selected version carries qualify; all
    the others (and every finding when nothing was selected) still block the plan.
    """
    plan = outcome.plan
    if plan is None or plan.selected is None or plan.stages is None:
        return []
    selected_spans: set[Span] = set()
    other_spans: set[Span] = set()
    for plugin in plan.spec.plugins:
        chosen = plan.selected.get(plugin.name)
        for version in plugin.versions:
            spans = {requirement.span for requirement in version.requires}
            (selected_spans if version.text == chosen else other_spans).update(spans)
    stale = [
        d
        for d in outcome.diagnostics
        if d.code == codes.PL103 and d.span in other_spans and d.span not in selected_spans
    ]
    blocking = [d for d in outcome.diagnostics if d not in stale]
    return stale if all(d.severity.rank < Severity.WARNING.rank for d in blocking) else []


def _warn(outcome: PlanOutcome, stale: list[Diagnostic]) -> None:
    """Report the stale candidates as warnings on stderr, above the plan."""
    from archctl.report.text import render_findings

    warnings = [replace(d, severity=Severity.WARNING) for d in stale]
    render_findings(stderr_console(), warnings, outcome.sources)
