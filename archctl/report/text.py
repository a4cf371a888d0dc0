"""Human report in the rustc/ruff style, rendered with rich.

error[SM102]: state 'frozen' can be reached with no enabled transition
  --> examples/account.yaml:14:5
   |
14 |   - {from: open, on: freeze, to: frozen}
   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   = trace:
       1. open  balance=0
       2. --deposit--> open  balance=10
   = help: ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape

from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import Cycle, Explanation, Trace, Value, Witness, json_value
from archctl.report.json import summary
from archctl.source import SourceFile

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}


def _value(value: Value) -> str:
    shown = json_value(value)
    if isinstance(shown, bool):
        return "true" if shown else "false"
    if isinstance(shown, str):
        return f'"{shown}"'
    return str(shown)


def _values(values: Mapping[str, Value]) -> str:
    return "  ".join(f"{name}={_value(values[name])}" for name in sorted(values))


def evidence_lines(diagnostic: Diagnostic) -> list[str]:
    """The counterexample as readable lines (one trace step per line)."""
    evidence = diagnostic.evidence
    if isinstance(evidence, Trace):
        lines = ["trace:"]
        for number, step in enumerate(evidence.steps, 1):
            parts = []
            if step.event is not None:
                parts.append(f"--{step.event}-->")
            if step.node is not None:
                parts.append(f"fire {step.node}")
            if step.state is not None:
                parts.append(step.state)
            if step.tokens is not None:
                parts.append("tokens: [" + ", ".join(step.tokens) + "]")
            if step.values:
                parts.append(" " + _values(step.values))
            if step.note:
                parts.append(f"({step.note})")
            lines.append(f"  {number}. " + " ".join(parts))
        return lines
    if isinstance(evidence, Witness):
        lines = ["witness:"]
        width = max((len(name) for name in evidence.values), default=0)
        for name in sorted(evidence.values):
            lines.append(f"  {name.ljust(width)} = {_value(evidence.values[name])}")
        return lines
    if isinstance(evidence, Cycle):
        path = list(evidence.path)
        return ["cycle: " + " -> ".join([*path, path[0]] if path else path)]
    if isinstance(evidence, Explanation):
        return ["because:", *(f"  {fact}" for fact in evidence.facts)]
    return []


def render_diagnostic(diagnostic: Diagnostic, sources: Mapping[str, SourceFile]) -> str:
    """One diagnostic as rich markup."""
    style = _STYLE[diagnostic.severity]
    head = (
        f"[{style}]{diagnostic.severity.value}[{diagnostic.code}][/{style}]"
        f"[bold]: {escape(diagnostic.message)}[/bold]"
    )
    lines = [head]
    span = diagnostic.span
    gutter = 2
    if span is not None:
        source = sources.get(span.file)
        line_text = source.line_text(span.line) if source else ""
        gutter = len(str(span.line)) + 1
        pad = " " * gutter
        lines.append(f"{pad[:-1]}[blue]-->[/blue] {escape(span.file)}:{span.line}:{span.column}")
        if line_text:
            if span.end_line == span.line:
                width = max(1, span.end_column - span.column + 1)
            else:
                width = max(1, len(line_text) - span.column + 1)
            caret = " " * (span.column - 1) + "^" * width
            lines.append(f"{pad}[blue]|[/blue]")
            lines.append(f"[blue]{span.line} |[/blue] {escape(line_text.expandtabs(1))}")
            lines.append(f"{pad}[blue]|[/blue] [{style}]{caret}[/{style}]")
    pad = " " * gutter
    for line in evidence_lines(diagnostic):
        prefix = "= " if not line.startswith(" ") else "  "
        lines.append(
            f"{pad}[blue]{prefix}[/blue]{escape(line)}"
            if prefix == "= "
            else f"{pad}    {escape(line)}"
        )
    for note in diagnostic.notes:
        lines.append(f"{pad}[blue]=[/blue] note: {escape(note)}")
    if diagnostic.help:
        lines.append(f"{pad}[blue]=[/blue] [bold]help[/bold]: {escape(diagnostic.help)}")
    return "\n".join(lines)


def render_text(
    console: Console,
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    files: int,
    specs: int,
) -> None:
    if diagnostics:
        # One print for all findings: rich's per-call cost dominates hundreds of small prints,
        # and the bytes are the same (each finding, then an empty line).
        blocks = [render_diagnostic(diagnostic, sources) for diagnostic in diagnostics]
        console.print("\n\n".join(blocks) + "\n", highlight=False, soft_wrap=True)
    counts = summary(diagnostics, files, specs)
    noun = "file" if files == 1 else "files"
    spec_noun = "spec" if specs == 1 else "specs"
    parts = [f"{files} {noun}", f"{specs} {spec_noun}"]
    result = (
        f"{counts['errors']} error(s), {counts['warnings']} warning(s), {counts['infos']} info(s)"
    )
    style = (
        "bold red" if counts["errors"] else ("bold yellow" if counts["warnings"] else "bold green")
    )
    if not diagnostics:
        result = "no findings"
    console.print(f"checked {', '.join(parts)}: [{style}]{result}[/{style}]", highlight=False)


def render_plain(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    files: int,
    specs: int,
) -> str:
    """The human report without colour, for ``--output FILE``."""
    import io

    buffer = io.StringIO()
    render_text(
        Console(file=buffer, color_system=None, width=120), diagnostics, sources, files, specs
    )
    return buffer.getvalue()
