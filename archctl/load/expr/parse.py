"""Parse expression strings into the AST, with spans in the user's file.

The caller passes a ``locate(start, end)`` function that maps offsets in the expression
string to a :class:`Span` in the file; that is how an error inside a quoted YAML string still
points at the exact column.
"""

from __future__ import annotations

import functools
from typing import Any

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.grammar_files import grammar_path
from archctl.load.expr.limits import (
    MAX_DEPTH,
    Locator,
    Rejected,
    depth_error,
    number_value,
    rejected,
)
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

_TOKEN_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": 'a quoted string like "gold"',
    "COMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "ADD_OP": "'+' or '-'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "SEMICOLON": "';'",
    "EQUAL": "'='",
    "STAR": "'*'",
    "MINUS": "'-'",
    "DOT": "'.'",
    "OR": "'or'",
    "AND": "'and'",
    "NOT": "'not'",
    "IN": "'in'",
    "TRUE": "true",
    "FALSE": "false",
    "ANY": "'any'",
    "$END": "the end of the expression",
}


@functools.lru_cache(maxsize=1)
def _parser() -> tuple[Any, _Inline]:
    """The LALR parser with :class:`_Inline` building AST nodes as rules are reduced.

    Building during the parse (lark's inline ``transformer=``) skips the intermediate tree,
    lark's position propagation and a second walk: about a third of the load time of a
    policy with hundreds of rules. ``keep_all_tokens`` hands the builder the keywords and
    brackets too, so each span is computed exactly as ``propagate_positions`` computes it
    for the DSL (which embeds this grammar and still walks a tree with :class:`_Builder`).
    """
    from lark import Lark

    inline = _Inline()
    parser = Lark(
        grammar_path("expr.lark").read_text(encoding="utf-8"),
        parser="lalr",
        start=["expr", "assignments"],
        keep_all_tokens=True,
        maybe_placeholders=False,
        transformer=inline,
        cache=True,  # lark keys the cache by grammar and options; saves start-up per run
    )
    return parser, inline


def _words(expected: set[str] | frozenset[str]) -> str:
    if {"NAME", "NUMBER", "STRING"} <= set(expected):
        return "a value (a name, a number, a quoted string, true or false) or '('"
    if "COMP_OP" in expected and "$END" in expected:
        return "an operator (and, or, not, ==, !=, <, <=, >, >=, in, +, -, *) or the end"
    names = sorted({_TOKEN_WORDS.get(name, name.lower()) for name in expected})
    if not names:
        return "something else"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _syntax_error(text: str, error: Any, locate: Locator) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    position = getattr(error, "pos_in_stream", None)
    help_text: str | None = None
    if isinstance(error, UnexpectedEOF) or position is None:
        position = len(text)
        message = f"expression ends early; expected {_words(error.expected)}"
    elif isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            position = len(text)
            message = f"expression ends early; expected {_words(error.expected)}"
        else:
            message = f"unexpected {token.value!r}; expected {_words(error.expected)}"
    elif isinstance(error, UnexpectedCharacters):
        char = text[position] if position < len(text) else ""
        message = f"unexpected character {char!r}"
        if char == "=":
            help_text = "use '==' to compare; '=' only assigns in `do`/`sets`"
        elif char == "'":
            help_text = 'strings and enum values use double quotes: "gold"'
        elif char == "&" or char == "|":
            help_text = "write 'and' / 'or'"
        elif char == "!":
            help_text = "write 'not' for negation, '!=' for inequality"
    else:
        message = "invalid expression"
    if (
        help_text is None
        and isinstance(error, UnexpectedToken)
        and error.token.value == "="
        and "COMP_OP" in error.expected
    ):
        help_text = "use '==' to compare; '=' only assigns in `do`/`sets`"
    return Diagnostic(
        codes.LD007,
        default_severity(codes.LD007),
        message,
        locate(position, min(len(text), position + 1) if position < len(text) else position),
        help=help_text,
    )


#: What an inline callback returns: the node and the offsets of its *container* (the node's
#: own text plus any parentheses around it), which is what an enclosing node's span spans.
_Built = tuple[Any, int, int]
_Children = list[Any]


def _start(item: Any) -> int:
    return item[1] if isinstance(item, tuple) else int(item.start_pos or 0)


def _end(item: Any) -> int:
    return item[2] if isinstance(item, tuple) else int(item.end_pos or 0)


class _Inline:
    """lark inline callbacks (one per aliased rule) that build AST nodes during the parse.

    Children are lark tokens or :data:`_Built` triples of the operands. A node's span runs
    from the container start of its first child to the container end of its last, as lark's
    ``propagate_positions`` does, so spans equal those :class:`_Builder` reads off a tree.
    Attribute names must stay lower case: upper-case ones would become lexer callbacks.
    """

    def __init__(self) -> None:
        self.locate: Locator = _no_locator

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


def _dotted(parts: list[Any]) -> str:
    """``a.b`` from the name tokens of a tree without punctuation; an index is ``a[1]``."""
    text = ""
    for part in parts:
        if part.type.endswith("NUMBER"):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _no_locator(start: int, end: int) -> Span:
    raise RuntimeError("expression parser used without a locator")


class _Builder:
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
            return Name(_dotted(children), span)
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
            target = _dotted(name_node.children)
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


def parse_expression(text: str, locate: Locator) -> tuple[Expr | None, list[Diagnostic]]:
    """Parse a boolean/arithmetic expression; returns the AST or an LD007 diagnostic."""
    if not text.strip():
        return None, [
            Diagnostic(codes.LD007, default_severity(codes.LD007), "empty expression", locate(0, 0))
        ]
    built, problems = _parse(text, "expr", locate)
    if built is None:
        return None, problems
    expr: Expr = built[0]
    # a node per character at most: only a text longer than the limit can nest beyond it
    problems = depth_error(expr) if len(text) > MAX_DEPTH else []
    return (None, problems) if problems else (expr, [])


def _parse(text: str, start: str, locate: Locator) -> tuple[Any, list[Diagnostic]]:
    """Run the shared LALR parser from rule ``start``, its nodes located through ``locate``;
    (the parse result, []) or (None, the LD007 diagnostic)."""
    from lark.exceptions import UnexpectedInput

    parser, inline = _parser()
    inline.locate = locate
    try:
        return parser.parse(text, start=start), []
    except UnexpectedInput as error:
        return None, [_syntax_error(text, error, locate)]
    except Rejected as error:
        return None, [rejected(error, locate)]
    finally:
        inline.locate = _no_locator


def parse_action(text: str, locate: Locator) -> tuple[Action | None, list[Diagnostic]]:
    """Parse ``x = expr; y = any``; returns the assignments or an LD007 diagnostic."""
    if not text.strip():
        return (), []
    built, problems = _parse(text, "assignments", locate)
    if built is None:
        return None, problems
    action: Action = built[0]
    if len(text) > MAX_DEPTH:
        problems = [
            problem
            for assignment in action
            if assignment.value is not None
            for problem in depth_error(assignment.value)
        ]
        if problems:
            return None, problems
    return action, []
