"""`archctl conform`: replay an event log against a workflow, state machine or system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.commands import EXIT_USAGE, stderr_console, usage_error

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class ConformOptions:
    """The command line's options; ``archctl.conform.command.ConformRequest`` is built here."""

    spec_file: str
    log: str
    spec: str | None = None
    align: bool = False
    log_format: str | None = None
    case: str = "case"
    activity: str = "activity"
    time: str = "time"
    output_format: str = "text"


def run(request: ConformOptions, console: Console) -> int:
    from archctl.conform.command import ConformRequest
    from archctl.conform.command import run as run_conform
    from archctl.conform.readers import Columns
    from archctl.conform.run import FORMATS
    from archctl.simulate.command import load, load_errors

    err = stderr_console()
    if request.output_format not in ("text", "json"):
        return usage_error(err, f"--format is text or json, not '{request.output_format}'")
    if request.log_format is not None and request.log_format not in FORMATS:
        return usage_error(err, f"--log-format is one of {', '.join(FORMATS)}")
    loaded = load([request.spec_file])
    if load_errors(loaded):
        from archctl.diagnostics import sort_diagnostics
        from archctl.report.text import render_text

        shown = sort_diagnostics(loaded.diagnostics)
        render_text(console, shown, loaded.sources, len(loaded.files), len(loaded.specs))
        usage_error(err, "the spec must load cleanly before a log is checked against it")
        return EXIT_USAGE
    conform_request = ConformRequest(
        log=request.log,
        spec_name=request.spec,
        output=request.output_format,
        align=request.align,
        log_format=request.log_format,
        columns=Columns(request.case, request.activity, request.time),
    )
    return run_conform(loaded.specs, conform_request, console, err)
