"""The DSL front end: ``.arch`` text in, the same model objects as the YAML loader out.

Registered in ``load/frontends.py`` for ``.arch``; ``verify``, ``simulate`` and ``graph`` read
DSL files through it exactly like YAML ones. A syntax error is one located LD001 (lark stops
at the first); everything after parsing (duplicates, unknown references, types) is reported
with the same codes and messages as the YAML path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.load.dsl.common import Context
from archctl.load.dsl.errors import syntax_error
from archctl.load.dsl.parse import parse
from archctl.load.dsl.plugins import build_plugins
from archctl.load.dsl.policy import build_policy
from archctl.load.dsl.statemachine import build_statemachine
from archctl.load.dsl.system import build_system
from archctl.load.dsl.workflow import build_workflow
from archctl.model.spec import LoadResult, Spec
from archctl.source import SourceFile, Span

_BUILDERS: dict[str, Callable[[Context, Any], Spec | None]] = {
    "statemachine": build_statemachine,
    "workflow": build_workflow,
    "plugins": build_plugins,
    "policy": build_policy,
    "system": build_system,
}


def load_dsl_text(path: str, text: str) -> LoadResult:
    """Parse one ``.arch`` file and build every spec in it."""
    from lark.exceptions import UnexpectedInput

    source = SourceFile(path, text)
    result = LoadResult(sources={path: source}, files=[path])
    try:
        tree = parse(text)
    except UnexpectedInput as error:
        result.diagnostics.extend(_syntax_errors(source, error))
        return result
    if not tree.children:
        result.diagnostics.append(
            Diagnostic(
                codes.LD003,
                default_severity(codes.LD003),
                "the file holds no spec",
                Span.point(path, 1, 1),
                help="start with `statemachine|workflow|plugins|policy NAME {`",
            )
        )
    context = Context(source)
    for spec_tree in tree.children:
        try:
            spec = _BUILDERS[spec_tree.data](context, spec_tree)
        except RecursionError:
            context.error(
                codes.LD001,
                "an expression in this spec is nested too deeply to read",
                context.header_span(spec_tree),
                "split long chains of `and`/`or` into named conditions",
            )
            continue
        if spec is not None:
            result.specs.append(spec)
    result.diagnostics.extend(context.diagnostics)
    return result


#: syntax errors reported per file at most (each one costs a re-parse)
MAX_SYNTAX_ERRORS = 10
#: larger files report their first syntax error only (a re-parse would take seconds)
MAX_RECOVERY_CHARS = 200_000


def _syntax_errors(source: SourceFile, first: Any) -> list[Diagnostic]:
    """The first syntax error and those after it, found by blanking each bad line and parsing
    again (spaces keep every offset, so later spans stay exact). A line that opens or closes a
    block is not blanked, nor is an error at the end of the file: past those, the parser would
    only report echoes of the first mistake."""
    from lark.exceptions import UnexpectedInput

    found = [syntax_error(source, first)]
    text = source.text
    while len(found) < MAX_SYNTAX_ERRORS and len(text) <= MAX_RECOVERY_CHARS:
        span = found[-1].span
        assert span is not None
        line = source.line_text(span.line)
        last = found[-1]
        structural = any(mark in last.message for mark in ("'{'", "'}'", "'statemachine'"))
        if "{" in line or "}" in line or not line.strip() or structural:
            break
        start = sum(len(part) + 1 for part in text.split("\n")[: span.line - 1])
        text = text[:start] + " " * len(line) + text[start + len(line) :]
        try:
            parse(text)
        except UnexpectedInput as error:
            following = syntax_error(source, error)
            if following.span is None or following.span.line <= span.line:
                break
            found.append(following)
            continue
        break
    return found
