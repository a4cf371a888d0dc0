"""archctl diagnostics as LSP diagnostics: 0-based ranges, severities, codes, evidence.

The code's explanation (``archctl explain``) is shown by hover on the finding's range (see
``symbols.hover``), not linked: archctl has no documentation site to link to. A
counterexample becomes ``relatedInformation``: each trace step or cycle member that names
a state, node, plugin or rule of the file points at that element's declaration, with the
step's text as the message, so an editor lists the run next to the finding.
"""

from __future__ import annotations

from collections.abc import Mapping

from lsprotocol import types

from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Cycle, Trace
from archctl.source import Span

SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def to_range(span: Span | None) -> types.Range:
    if span is None:
        return types.Range(types.Position(0, 0), types.Position(0, 1))
    start = types.Position(max(span.line - 1, 0), max(span.column - 1, 0))
    end_line = max(span.end_line - 1, start.line)
    end_character = (
        span.end_column if span.end_line > span.line else max(span.end_column, span.column)
    )
    return types.Range(start, types.Position(end_line, end_character))


def to_lsp(diagnostic: Diagnostic, uri: str, declared: Mapping[str, Span]) -> types.Diagnostic:
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    return types.Diagnostic(
        range=to_range(diagnostic.span),
        message=message,
        severity=SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        source="archctl",
        related_information=_related(diagnostic, uri, declared) or None,
        data={"help": diagnostic.help, "subject": diagnostic.subject},
    )


def _related(
    diagnostic: Diagnostic, uri: str, declared: Mapping[str, Span]
) -> list[types.DiagnosticRelatedInformation]:
    evidence = diagnostic.evidence
    out: list[types.DiagnosticRelatedInformation] = []
    if isinstance(evidence, Trace):
        for number, step in enumerate(evidence.steps, start=1):
            name = step.node or step.state
            span = declared.get(name) if name else None
            if span is None:
                continue
            what = f"step {number}: " + " ".join(
                part
                for part in (
                    f"on {step.event}" if step.event else "",
                    f"state {step.state}" if step.state else "",
                    f"node {step.node}" if step.node else "",
                )
                if part
            )
            out.append(
                types.DiagnosticRelatedInformation(types.Location(uri, to_range(span)), what)
            )
    elif isinstance(evidence, Cycle):
        for number, name in enumerate(evidence.path, start=1):
            span = declared.get(name)
            if span is not None:
                location = types.Location(uri, to_range(span))
                out.append(types.DiagnosticRelatedInformation(location, f"cycle {number}: {name}"))
    return out
