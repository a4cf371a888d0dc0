"""`archctl simulate`: run instances on a virtual clock (the engine is in simulate/)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from archctl.commands import EXIT_USAGE, stderr_console, usage_error

if TYPE_CHECKING:
    from rich.console import Console

    from archctl.simulate.command import SimOptions


def run(request: SimOptions, console: Console) -> int:
    from archctl.simulate.command import load, load_errors
    from archctl.simulate.command import simulate as run_simulation

    err = stderr_console()
    if request.output not in ("text", "json"):
        return usage_error(err, f"--format is text or json, not '{request.output}'")
    loaded = load(list(request.paths))
    if load_errors(loaded):
        from archctl.diagnostics import sort_diagnostics

        shown = sort_diagnostics(loaded.diagnostics)
        if request.output == "json":
            from archctl.report.json import render_json

            sys.stdout.write(render_json(shown, len(loaded.files), len(loaded.specs)))
        else:
            from archctl.report.text import render_text

            render_text(console, shown, loaded.sources, len(loaded.files), len(loaded.specs))
        usage_error(err, "the spec cannot be simulated until it loads cleanly")
        return EXIT_USAGE
    return run_simulation(loaded, request, console, err)
