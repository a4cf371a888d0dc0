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

import re
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.emoji import Emoji
from rich.markup import escape
from rich.text import Text

from archctl.diagnostics import Diagnostic, Severity
from archctl.evidence import (
    Cycle,
    Evidence,
    Explanation,
    Lasso,
    Trace,
    TraceStep,
    Value,
    Witness,
    exact_number,
    json_value,
)
from archctl.gcpause import gc_paused
from archctl.report.json import summary
from archctl.report.textfast import write_plain
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


def _channels(channels: Mapping[str, tuple[str, ...]]) -> str:
    """Non-empty channels only: a trace line stays short while queues are mostly empty."""
    shown = [f"{name}=[{', '.join(channels[name])}]" for name in sorted(channels) if channels[name]]
    return "  ".join(shown)


def evidence_lines(evidence: Evidence | None) -> list[str]:
    """The counterexample as readable lines (one trace step per line)."""
    if isinstance(evidence, Trace):
        lines = ["trace:"]
        for number, step in enumerate(evidence.steps, 1):
            lines.append(f"  {number}. " + step_text(step))
        return lines
    if isinstance(evidence, Lasso):
        lines = [f"lasso (fair under {evidence.fairness} fairness):"]
        lines += [
            f"  {number}. " + step_text(step) for number, step in enumerate(evidence.prefix, 1)
        ]
        if not evidence.loop:
            lines.append("  then the run stops here")
            return lines
        lines.append("  then repeats forever:")
        start = len(evidence.prefix) + 1
        lines += [f"    {n}. " + step_text(step) for n, step in enumerate(evidence.loop, start)]
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


def step_text(step: TraceStep) -> str:
    """One trace step on one line: component, event, message, node, state, tokens, values."""
    parts = []
    if step.time_ms is not None:
        parts.append(f"[{exact_number(step.time_ms)} ms]")
    if step.component is not None:
        parts.append(f"{step.component}:")
    if step.event is not None:
        parts.append(f"--{step.event}-->")
    for operation in (step.send, step.receive):
        if operation is not None:
            parts.append(operation)
    if step.node is not None:
        parts.append(f"fire {step.node}")
    if step.state is not None:
        parts.append(step.state)
    if step.tokens is not None:
        parts.append("tokens: [" + ", ".join(step.tokens) + "]")
    if step.values:
        parts.append(" " + _values(step.values))
    queued = _channels(step.channels or {})
    if queued:
        parts.append(" " + queued)
    if step.note:
        parts.append(f"({step.note})")
    return " ".join(parts)


#: A run of one style: its parts (text, written by the user so escaped in markup) and style.
_Part = tuple[str, bool]
_Piece = tuple[tuple[_Part, ...], str | None]
_CODE = re.compile(r"[A-Z0-9]+")


def _layout(diagnostic: Diagnostic, sources: Mapping[str, SourceFile]) -> list[list[_Piece]]:
    """The lines of one finding as styled pieces: the single description of the layout that
    both the markup (:func:`render_diagnostic`) and the direct :class:`Text` are built from."""
    style = _STYLE[diagnostic.severity]
    lines: list[list[_Piece]] = [
        [
            (((f"{diagnostic.severity.value}[{diagnostic.code}]", False),), style),
            (((": ", False), (diagnostic.message, True)), "bold"),
        ]
    ]
    span = diagnostic.span
    gutter = 2
    if span is not None:
        source = sources.get(span.file)
        line_text = source.line_text(span.line) if source else ""
        gutter = len(str(span.line)) + 1
        pad = " " * gutter
        lines.append(
            [
                (((pad[:-1], False),), None),
                ((("-->", False),), "blue"),
                (((" ", False), (span.file, True), (f":{span.line}:{span.column}", False)), None),
            ]
        )
        if line_text:
            if span.end_line == span.line:
                width = max(1, span.end_column - span.column + 1)
            else:
                width = max(1, len(line_text) - span.column + 1)
            caret = " " * (span.column - 1) + "^" * width
            lines.append([(((pad, False),), None), ((("|", False),), "blue")])
            lines.append(
                [
                    (((f"{span.line} |", False),), "blue"),
                    (((" ", False), (line_text.expandtabs(1), True)), None),
                ]
            )
            lines.append(
                [
                    (((pad, False),), None),
                    ((("|", False),), "blue"),
                    (((" ", False),), None),
                    (((caret, False),), style),
                ]
            )
    pad = " " * gutter
    for line in evidence_lines(diagnostic.evidence):
        if not line.startswith(" "):
            lines.append(
                [(((pad, False),), None), ((("= ", False),), "blue"), (((line, True),), None)]
            )
        else:
            lines.append([(((pad + "    ", False), (line, True)), None)])
    for note in diagnostic.notes:
        lines.append(
            [
                (((pad, False),), None),
                ((("=", False),), "blue"),
                (((" note: ", False), (note, True)), None),
            ]
        )
    if diagnostic.help:
        lines.append(
            [
                (((pad, False),), None),
                ((("=", False),), "blue"),
                (((" ", False),), None),
                ((("help", False),), "bold"),
                (((": ", False), (diagnostic.help, True)), None),
            ]
        )
    return lines


def _markup(piece: _Piece) -> str:
    parts, style = piece
    body = "".join(escape(text) if user else text for text, user in parts)
    return f"[{style}]{body}[/{style}]" if style else body


def render_diagnostic(diagnostic: Diagnostic, sources: Mapping[str, SourceFile]) -> str:
    """One diagnostic as rich markup."""
    return "\n".join(
        "".join(_markup(piece) for piece in line) for line in _layout(diagnostic, sources)
    )


def _direct(layouts: list[list[list[_Piece]]], emoji: bool) -> Text | None:
    """The findings as the :class:`Text` rich's markup parser would make of their markup,
    built without parsing it (the parse is a third of the report's time on large reports).

    Only when nothing could read as markup: no ``[`` in user text (escaped in markup), no
    backslash anywhere (escapes), a plain upper-case code. Emoji codes are replaced in the
    same runs (the text between two tags) as the parser replaces them. Else None.
    """
    text = Text()
    append = text.append
    pending: list[str] = []

    def flush() -> None:
        if pending:
            run = "".join(pending)
            pending.clear()
            append(Emoji.replace(run) if emoji and ":" in run else run)

    for index, layout in enumerate(layouts):
        if index:
            pending.append("\n\n")
        for number, line in enumerate(layout):
            if number:
                pending.append("\n")
            for parts, style in line:
                body = "".join(part for part, _ in parts)
                if "\\" in body or any(user and "[" in part for part, user in parts):
                    return None
                if style is None:
                    pending.append(body)
                    continue
                if not body:
                    return None
                flush()
                append(Emoji.replace(body) if emoji and ":" in body else body, style)
    pending.append("\n")
    flush()
    return text


def _plain(layouts: list[list[list[_Piece]]]) -> str:
    """The findings' text as printed without colour (the pieces' text, markup aside)."""
    blocks = [
        "\n".join(["".join([part for parts, _ in line for part, _ in parts]) for line in layout])
        for layout in layouts
    ]
    return "\n\n".join(blocks) + "\n"


def render_findings(
    console: Console, diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]
) -> None:
    """The findings alone (``--quiet`` stops here), each followed by an empty line."""
    if not diagnostics:
        return
    # the layouts of tens of thousands of findings are millions of small acyclic tuples;
    # automatic collections would re-walk the loaded model each time (three quarters of
    # the time of a 33,333-finding report)
    with gc_paused():
        _render_findings(console, diagnostics, sources)


def _render_findings(
    console: Console, diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile]
) -> None:
    # One print for all findings: rich's per-call cost dominates hundreds of small prints,
    # and the bytes are the same (each finding, then an empty line).
    layouts = [_layout(diagnostic, sources) for diagnostic in diagnostics]
    direct = None
    # What print() does with a string depends on the console's markup and emoji
    # switches; rich keeps them in these attributes. Unknown: parse the markup.
    markup_on = getattr(console, "_markup", None)
    emoji_on = getattr(console, "_emoji", None)
    codes_plain = all(_CODE.fullmatch(diagnostic.code) for diagnostic in diagnostics)
    if markup_on is True and isinstance(emoji_on, bool) and codes_plain:
        if write_plain(console, _plain(layouts), emoji_on):
            return
        direct = _direct(layouts, emoji_on)
    if direct is not None:
        console.print(direct, highlight=False, soft_wrap=True)
    else:
        blocks = [
            "\n".join("".join(_markup(piece) for piece in line) for line in layout)
            for layout in layouts
        ]
        console.print("\n\n".join(blocks) + "\n", highlight=False, soft_wrap=True)


def render_text(
    console: Console,
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    files: int,
    specs: int,
    proof: str | None = None,
) -> None:
    """Findings, then the count line; ``proof`` (see :func:`proof_line`) ends the report."""
    render_findings(console, diagnostics, sources)
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
    if proof is not None:
        console.print(proof, markup=False, highlight=False)


def proof_line(proved: int, checked: int, inconclusive: int) -> str:
    """The last line of a text report: what a clean result rests on, and what it does not."""
    spec_noun = "spec" if checked == 1 else "specs"
    return (
        f"proved {proved} check(s) on {checked} checked {spec_noun}; "
        f"{inconclusive} inconclusive (not proved)"
    )


def render_concise(diagnostics: Sequence[Diagnostic]) -> str:
    """One line per finding, ``file:line:col: CODE [severity] message`` (ruff's concise)."""
    lines = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        where = f"{span.file}:{span.line}:{span.column}: " if span else ""
        lines.append(f"{where}{diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}")
    return "".join(line + "\n" for line in lines)


def render_plain(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, SourceFile],
    files: int,
    specs: int,
    proof: str | None = None,
) -> str:
    """The human report without colour, for ``--output FILE``."""
    import io

    buffer = io.StringIO()
    console = Console(file=buffer, color_system=None, width=120)
    render_text(console, diagnostics, sources, files, specs, proof)
    return buffer.getvalue()
