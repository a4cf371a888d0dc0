"""The one way front ends report a problem: a located diagnostic with the shared hints.

YAML, the DSL and BPMN each track positions their own way (YAML nodes, lark tokens, XML
elements), but once a span is known the diagnostic is built here, so the same mistake gets
the same code, severity and help in every format, e.g. an unquoted enum value gets the
"enum values are quoted" hint whether the guard was written in YAML or in the DSL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.model.types import VarType
from archctl.source import SourceFile, Span

_UNKNOWN_NAME = "unknown name '"


def located(
    code: Code,
    message: str,
    span: Span,
    help_text: str | None = None,
    subject: str | None = None,
    spec: str | None = None,
) -> Diagnostic:
    """A load diagnostic at ``span`` with the code's default severity."""
    return Diagnostic(
        code, default_severity(code), message, span, spec=spec, subject=subject, help=help_text
    )


def with_hints(diagnostic: Diagnostic, scope: Mapping[str, VarType]) -> Diagnostic:
    """Add the help every front end gives for a type checker diagnostic.

    An unknown name that is a value of an enum variable in scope was meant as that value:
    enum values are quoted (the commonest slip when coming from other languages).
    """
    if diagnostic.code != codes.LD005 or not diagnostic.message.startswith(_UNKNOWN_NAME):
        return diagnostic
    name = diagnostic.message[len(_UNKNOWN_NAME) : -1]
    owners = sorted(var for var, var_type in scope.items() if name in var_type.values)
    if not owners:
        return diagnostic
    return replace(diagnostic, help=f'enum values are quoted: "{name}" (a value of {owners[0]})')


def tag_span(source: SourceFile, line: int, column: int) -> Span:
    """The start tag of an XML element at (line, column) on its first line: from '<' to its
    '>' (or the line's end). Shared by the XML front ends, whose parsers keep only where an
    element starts."""
    text = source.line_text(line).rstrip()
    close = text.find(">", column - 1)
    end_column = close + 1 if close != -1 else max(column, len(text))
    return Span(source.path, line, column, line, end_column)
