"""Parse and type-check channel operations: ``CH[i]!MSG(e1, e2)`` and ``CH[i]?MSG(v1, v2)``.

Both front ends (YAML ``send:``/``receive:`` and the DSL) call :func:`parse_channel_op` with a
locator, so an error inside the operation points at its column. The channel itself is
declared by a system, so its name is checked when systems are linked, not here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Code, Diagnostic
from archctl.load.expr.limits import Locator
from archctl.load.expr.parse import parse_expression
from archctl.load.expr.types import TypeChecker
from archctl.model.expr import Expr
from archctl.model.statemachine import ChannelOp
from archctl.model.types import TypeKind, VarType

#: ``self``: the replica index of a component, an int from 0 (read-only).
SELF_TYPE = VarType(TypeKind.INT, Fraction(0), None)

_OP = re.compile(
    r"^\s*(?P<channel>[A-Za-z_][A-Za-z0-9_-]*)\s*(?:\[(?P<index>[^\]]*)\])?\s*"
    r"(?P<op>[!?])\s*(?P<message>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<args>.*)\))?\s*$"
)
_VARIABLE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def _error(
    code: Code, message: str, span_text: tuple[Locator, int, int], hint: str | None
) -> Diagnostic:
    locate, start, end = span_text
    return Diagnostic(code, default_severity(code), message, locate(start, end), help=hint)


def split_arguments(text: str) -> list[tuple[int, int]]:
    """Offsets of the comma-separated arguments at depth 0 (commas in (), [] and "" stay)."""
    parts: list[tuple[int, int]] = []
    depth, start, quoted, escaped = 0, 0, False, False
    for position, char in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append((start, position))
            start = position + 1
    parts.append((start, len(text)))
    return parts


def parse_channel_op(
    text: str, send: bool, locate: Locator, checker: TypeChecker
) -> tuple[ChannelOp | None, list[Diagnostic]]:
    """The typed operation, or None with located LD004/LD005/LD007/LD008 diagnostics."""
    want = "!" if send else "?"
    key = "send" if send else "receive"
    example = "votes!yes(self)" if send else "votes?yes(who)"
    match = _OP.match(text)
    if match is None or match.group("op") != want:
        hint = f'write `{key}: "{example}"` (CHANNEL{want}MESSAGE(...))'
        return None, [
            _error(codes.LD004, f"'{text}' is not a {key} operation", (locate, 0, len(text)), hint)
        ]
    problems: list[Diagnostic] = []
    before = len(checker.diagnostics)
    index: Expr | None = None
    if match.group("index") is not None:
        start = match.start("index")
        parsed, errors = parse_expression(match.group("index"), _shifted(locate, start))
        problems.extend(errors)
        if parsed is not None:
            index = checker.infer(parsed)
            if index is not None and index.type is not None and index.type.kind is not TypeKind.INT:
                problems.append(
                    _error(
                        codes.LD008,
                        f"a channel index must be an int, found {index.type.describe()}",
                        (locate, match.start("index"), match.end("index")),
                        "index with `self` or an int variable",
                    )
                )
    args: list[Expr] = []
    variables: list[str] = []
    if match.group("args") is not None and match.group("args").strip():
        offset = match.start("args")
        for start, end in split_arguments(match.group("args")):
            piece = match.group("args")[start:end]
            at = (locate, offset + start, offset + end)
            if send:
                parsed, errors = parse_expression(piece, _shifted(locate, offset + start))
                problems.extend(errors)
                typed = checker.infer(parsed) if parsed is not None else None
                if typed is not None:
                    args.append(typed)
                continue
            name = _VARIABLE.match(piece)
            if name is None:
                problems.append(
                    _error(
                        codes.LD004,
                        f"'{piece.strip()}' is not a variable",
                        at,
                        "receive into variables",
                    )
                )
            elif name.group(1) not in checker.scope:
                problems.append(
                    _error(
                        codes.LD005, f"unknown variable '{name.group(1)}'", at, _declared(checker)
                    )
                )
            elif name.group(1) in checker.readonly:
                problems.append(
                    _error(
                        codes.LD008, f"'{name.group(1)}' is read-only and cannot receive", at, None
                    )
                )
            else:
                variables.append(name.group(1))
    problems.extend(checker.diagnostics[before:])
    if problems:
        return None, problems
    op = ChannelOp(
        send=send,
        channel=match.group("channel"),
        index=index,
        message=match.group("message"),
        args=tuple(args),
        variables=tuple(variables),
        text=text.strip(),
        span=locate(0, len(text)),
    )
    # the canonical text, so YAML and the DSL build equal models however it was spaced
    return replace(op, text=op.source_text()), []


def _shifted(locate: Locator, base: int) -> Locator:
    """A locator for a piece of the operation text that starts at ``base``."""
    return lambda start, end: locate(base + start, base + end)


def _declared(checker: TypeChecker) -> str:
    names = sorted(name for name in checker.scope if name not in checker.readonly)
    return "declared variables: " + ", ".join(names) if names else "declare it under variables:"
