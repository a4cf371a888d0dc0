"""How deep an expression may nest, checked once where it is read.

Everything downstream of the loader (type checker, Z3 compiler, evaluator, printers) walks
expressions recursively, as the grammar is recursive. Rather than make each of them iterative,
the front ends refuse, with a located LD007, an expression nested deeper than any spec needs
(the deepest in the examples and the shared corpus is 7) and far shallower than Python's
recursion limit allows those walks to go. The walk here is iterative, so it cannot overflow
on the input it exists to reject.
"""

from __future__ import annotations

from typing import Any

from archctl.model.expr import Binary, Compare, Expr, InCidr, Member, Unary

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
