"""AST nodes built *during* the LALR parse of an expression string (lark inline callbacks).

Used for expressions parsed on their own (YAML guards, BPMN conditions, ``sets``/``do``):
building as rules are reduced skips the intermediate tree and a second walk.
"""

from __future__ import annotations

from typing import Any

from archctl.load.expr.limits import Locator, number_value
from archctl.load.expr.tree import unquote
from archctl.model.expr import Assignment, Binary, Compare, InCidr, Literal, Member, Name, Unary
from archctl.source import Span

#: What an inline callback returns: the node and the offsets of its *container* (the node's
#: own text plus any parentheses around it), which is what an enclosing node's span spans.
_Built = tuple[Any, int, int]
_Children = list[Any]


def _start(item: Any) -> int:
    return item[1] if isinstance(item, tuple) else int(item.start_pos or 0)


def _end(item: Any) -> int:
    return item[2] if isinstance(item, tuple) else int(item.end_pos or 0)


def no_locator(start: int, end: int) -> Span:
    """The locator between parses: a callback that fires outside one is a bug."""
    raise RuntimeError("expression parser used without a locator")


class InlineBuilder:
    """lark inline callbacks (one per aliased rule) that build AST nodes during the parse.

    Children are lark tokens or :data:`_Built` triples of the operands. A node's span runs
    from the container start of its first child to the container end of its last, as lark's
    ``propagate_positions`` does, so spans equal those ``tree.TreeBuilder`` reads off a tree.
    Attribute names must stay lower case: upper-case ones would become lexer callbacks.
    """

    def __init__(self) -> None:
        self.locate: Locator = no_locator

    def _span(self, children: _Children) -> tuple[Span, int, int]:
        start = _start(children[0])
        end = _end(children[-1])
        return self.locate(start, end), start, end

    def _binary(self, op: str, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Binary(op, children[0][0], children[-1][0], span), start, end

    def or_op(self, children: _Children) -> _Built:
        return self._binary("or", children)

    def and_op(self, children: _Children) -> _Built:
        return self._binary("and", children)

    def mul(self, children: _Children) -> _Built:
        return self._binary("*", children)

    def arith(self, children: _Children) -> _Built:
        return self._binary(str(children[1]), children)

    def not_op(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Unary("not", children[1][0], span), start, end

    def neg(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Unary("-", children[1][0], span), start, end

    def compare(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Compare(str(children[1]), children[0][0], children[2][0], span), start, end

    def member(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        items = children[-1][0]
        return Member(len(children) == 4, children[0][0], items, span), start, end

    not_member = member

    def in_cidr(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        cidr = unquote(str(children[-1]))
        return InCidr(len(children) == 4, children[0][0], cidr, 0, 0, span), start, end

    not_in_cidr = in_cidr

    def list(self, children: _Children) -> _Built:
        items = tuple(child[0] for child in children[1:-1:2])
        return items, _start(children[0]), _end(children[-1])

    def atom(self, children: _Children) -> _Built:
        # "(" expr ")": the node keeps its own span; the parentheses widen its container.
        return children[1][0], _start(children[0]), _end(children[-1])

    def number(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Literal(number_value(str(children[0]), start, end), span), start, end

    def string(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Literal(unquote(str(children[0])), span), start, end

    def true(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Literal(True, span), start, end

    def false(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        return Literal(False, span), start, end

    def name(self, children: _Children) -> _Built:
        # keep_all_tokens: the dots and brackets are children too, so the text is their join
        span, start, end = self._span(children)
        return Name("".join(str(child) for child in children), span), start, end

    def assign(self, children: _Children) -> _Built:
        span, start, end = self._span(children)
        target = children[0]
        value = children[2][0] if isinstance(children[2], tuple) else None
        node = Assignment(target[0].name, value, span, self.locate(target[1], target[2]))
        return node, start, end

    assign_any = assign

    def assignments(self, children: _Children) -> _Built:
        out = tuple(child[0] for child in children if isinstance(child, tuple))
        return out, _start(children[0]), _end(children[-1])
