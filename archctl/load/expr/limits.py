"""How deep an expression may nest and how long its numbers may be, checked where it is read.

Everything downstream of the loader (type checker, Z3 compiler, evaluator, printers) walks
expressions recursively, as the grammar is recursive. Rather than make each of them iterative,
the front ends refuse, with a located LD007, an expression nested deeper than any spec needs
(the deepest in the examples and the shared corpus is 7) and far shallower than Python's
recursion limit allows those walks to go. The walk here is iterative, so it cannot overflow
on the input it exists to reject.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from archctl import codes
from archctl.diagnostics import Diagnostic
from archctl.load.errors import located
from archctl.load.values import check_size
from archctl.model.expr import Binary, Compare, Expr, InCidr, Member, Unary
from archctl.source import Span

Locator = Callable[[int, int], Span]

#: Deepest nesting of operators accepted (``a and b and c`` chains count one per operator).
MAX_DEPTH = 200

DEPTH_HELP = "write a long chain of `or` alternatives as `x in [a, b, c]`, or split the condition"


def _children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, (Binary, Compare)):
        return (expr.left, expr.right)
    if isinstance(expr, Member):
        return (expr.element, *expr.items)
    if isinstance(expr, InCidr):
        return (expr.element,)
    return ()


def too_deep(expr: Expr) -> Expr | None:
    """The first node nested deeper than :data:`MAX_DEPTH`, or None when within it."""
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in _children(node))
    return None


def tree_too_deep(tree: Any) -> Any | None:
    """As :func:`too_deep` for a lark parse tree (the DSL builds its AST from one)."""
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        children = getattr(node, "children", None)
        if children is None:
            continue
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in children)
    return None


def depth_message() -> str:
    return f"expression nested more than {MAX_DEPTH} levels deep"


class Rejected(Exception):
    """A part of an expression archctl refuses to read (e.g. a number of 5000 digits).

    Raised from inside the parse, where no diagnostic list is at hand; the caller turns it
    into an LD007 at ``start``-``end`` of the expression text.
    """

    def __init__(self, start: int, end: int, message: str) -> None:
        super().__init__(message)
        self.start, self.end, self.message = start, end, message


def number_value(text: str, start: int, end: int) -> int | Fraction:
    """The value of a NUMBER token; :class:`Rejected` when it is too long to convert."""
    try:
        check_size(text)
    except ValueError as error:
        raise Rejected(start, end, str(error)) from None
    return Fraction(text) if "." in text else int(text)


def rejected(error: Rejected, locate: Locator) -> Diagnostic:
    return located(codes.LD007, error.message, locate(error.start, error.end))


def depth_error(expr: Expr) -> list[Diagnostic]:
    deep = too_deep(expr)
    if deep is None:
        return []
    return [located(codes.LD007, depth_message(), deep.span, DEPTH_HELP)]
