"""AST nodes from a lark parse *tree* of the expression grammar, for the DSL.

The DSL grammar embeds ``expr.lark`` and parses a whole file into one tree; its expressions
are read off that tree here, with spans from lark's ``propagate_positions``. (A YAML
expression string is parsed on its own and built during the parse: ``inline.py``.) Both
must produce the same nodes with the same spans for the same text.
"""

from __future__ import annotations

from typing import Any

from archctl.load.expr.limits import Locator, number_value
from archctl.model.expr import (
    Action,
    Assignment,
    Binary,
    Compare,
    Expr,
    InCidr,
    Literal,
    Member,
    Name,
    Unary,
)
from archctl.source import Span


def dotted(parts: list[Any]) -> str:
    """``a.b`` from the name tokens of a tree without punctuation; an index is ``a[1]``."""
    text = ""
    for part in parts:
        if part.type.endswith("NUMBER"):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class TreeBuilder:
    """Turns the lark tree into AST nodes with spans."""

    def __init__(self, locate: Locator) -> None:
        self.locate = locate

    def span_of(self, item: Any) -> Span:
        from lark import Token

        if isinstance(item, Token):
            return self.locate(int(item.start_pos or 0), int(item.end_pos or 0))
        return self.locate(int(item.meta.start_pos), int(item.meta.end_pos))

    def expr(self, node: Any) -> Expr:
        from lark import Token

        if isinstance(node, Token):
            return self.token(node)
        kind = node.data
        children = node.children
        span = self.span_of(node)
        if kind == "or_op" or kind == "and_op":
            op = "or" if kind == "or_op" else "and"
            return Binary(op, self.expr(children[0]), self.expr(children[1]), span)
        if kind == "not_op":
            return Unary("not", self.expr(children[0]), span)
        if kind == "neg":
            return Unary("-", self.expr(children[0]), span)
        if kind == "compare":
            return Compare(str(children[1]), self.expr(children[0]), self.expr(children[2]), span)
        if kind == "arith":
            return Binary(str(children[1]), self.expr(children[0]), self.expr(children[2]), span)
        if kind == "mul":
            return Binary("*", self.expr(children[0]), self.expr(children[1]), span)
        if kind in ("member", "not_member"):
            items = tuple(self.expr(child) for child in children[1].children)
            return Member(kind == "not_member", self.expr(children[0]), items, span)
        if kind in ("in_cidr", "not_in_cidr"):
            cidr = unquote(str(children[1]))
            return InCidr(kind == "not_in_cidr", self.expr(children[0]), cidr, 0, 0, span)
        if kind == "number":
            return self.token(children[0])
        if kind == "string":
            return Literal(unquote(str(children[0])), span)
        if kind == "true":
            return Literal(True, span)
        if kind == "false":
            return Literal(False, span)
        if kind == "name":
            return Name(dotted(children), span)
        raise ValueError(f"unexpected expression node {kind}")

    def token(self, token: Any) -> Expr:
        span = self.span_of(token)
        text = str(token)
        if token.type == "NUMBER":
            start, end = int(token.start_pos or 0), int(token.end_pos or 0)
            return Literal(number_value(text, start, end), span)
        if token.type == "STRING":
            return Literal(unquote(text), span)
        return Name(text, span)

    def assignments(self, tree: Any) -> Action:
        out = []
        for child in tree.children:
            name_node = child.children[0]
            target = dotted(name_node.children)
            value = None if child.data == "assign_any" else self.expr(child.children[1])
            out.append(Assignment(target, value, self.span_of(child), self.span_of(name_node)))
        return tuple(out)


def unquote(text: str) -> str:
    """The value of a ``"..."`` token; escapes as in the grammar (``\\n``, ``\\t``, ``\\x``)."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            nxt = body[index + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)
