"""`archctl graph`: draw specs, optionally with verify's findings on them.

``--check`` runs the same verify pipeline as ``archctl verify``, with the user's config
(select, ignore, severity, exclude), so the diagram shows exactly the findings CI reports.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.commands import EXIT_OK, EXIT_USAGE, say, stderr_console, usage_error

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class GraphRequest:
    path: str
    spec: str | None = None
    graph_format: str = "dot"
    output: str | None = None
    check: bool = False
    highlight: str | None = None
    config: str | None = None


def run(request: GraphRequest, console: Console) -> int:
    from archctl.kinds import build_diagram
    from archctl.render.output import (
        GraphError,
        plan_outputs,
        read_highlight,
        render_spec,
        select_specs,
        write_output,
    )
    from archctl.report.text import render_text

    err = stderr_console()
    if request.check:
        from archctl.check import CheckOptions
        from archctl.config import ConfigError, load_config
        from archctl.verify import verify_paths

        try:
            config = load_config(request.config)
        except ConfigError as error:
            return usage_error(err, str(error))
        options = CheckOptions(
            timeout_ms=config.timeout_ms or CheckOptions.timeout_ms,
            max_states=config.max_states or CheckOptions.max_states,
        )
        outcome = verify_paths([request.path], options, config)
        specs, diagnostics, failed = outcome.loaded, outcome.diagnostics, outcome.load_failed
        sources, files = outcome.sources, outcome.files
    else:
        from archctl.diagnostics import Severity, sort_diagnostics
        from archctl.load.loader import load_paths

        loaded = load_paths([request.path])
        specs, sources, files = loaded.specs, loaded.sources, len(loaded.files)
        diagnostics = sort_diagnostics(loaded.diagnostics)
        failed = any(d.severity is Severity.ERROR for d in diagnostics)
    if failed:
        errors = [d for d in diagnostics if d.code.startswith("LD")]
        render_text(err, errors, sources, files, len(specs))
        return usage_error(err, "the spec cannot be drawn until it loads cleanly")
    try:
        chosen = select_specs(specs, request.spec, request.path)
        if request.highlight is not None and len(chosen) > 1:
            raise GraphError("--highlight draws on one spec: pass --spec NAME")
        trace_text = read_highlight(request.highlight) if request.highlight is not None else None
        targets = plan_outputs(
            chosen, request.output, request.graph_format, sys.stdout.isatty(), request.path
        )
        for target in targets:
            findings = diagnostics if request.check else None
            graph = build_diagram(target.spec, findings, peers=specs)
            data = render_spec(target.spec, graph, request.graph_format, trace_text)
            write_output(target, data, sys.stdout.buffer)
            if target.path is not None:
                say(err, f"wrote {target.path}")
    except GraphError as error:
        usage_error(err, str(error))
        return EXIT_USAGE
    return EXIT_OK
