"""Parse expression strings into the AST, with spans in the user's file.

The caller passes a ``locate(start, end)`` function that maps offsets in the expression
string to a :class:`Span` in the file; that is how an error inside a quoted YAML string still
points at the exact column.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.grammar_files import grammar_path
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

Locator = Callable[[int, int], Span]

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
def _parser() -> Any:
    from lark import Lark

    return Lark(
        grammar_path("expr.lark").read_text(encoding="utf-8"),
        parser="lalr",
        start=["expr", "assignments"],
        propagate_positions=True,
        maybe_placeholders=False,
        cache=True,  # lark keys the cache by grammar and options; saves start-up per run
    )


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
        "LD007",
        default_severity("LD007"),
        message,
        locate(position, min(len(text), position + 1) if position < len(text) else position),
        help=help_text,
    )


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
            return Name(".".join(str(child) for child in children), span)
        raise ValueError(f"unexpected expression node {kind}")

    def token(self, token: Any) -> Expr:
        span = self.span_of(token)
        text = str(token)
        if token.type == "NUMBER":
            return Literal(Fraction(text) if "." in text else int(text), span)
        if token.type == "STRING":
            return Literal(unquote(text), span)
        return Name(text, span)

    def assignments(self, tree: Any) -> Action:
        out = []
        for child in tree.children:
            name_node = child.children[0]
            target = ".".join(str(part) for part in name_node.children)
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
    from lark.exceptions import UnexpectedInput

    if not text.strip():
        return None, [
            Diagnostic("LD007", default_severity("LD007"), "empty expression", locate(0, 0))
        ]
    try:
        tree = _parser().parse(text, start="expr")
    except UnexpectedInput as error:
        return None, [_syntax_error(text, error, locate)]
    return _Builder(locate).expr(tree), []


def parse_action(text: str, locate: Locator) -> tuple[Action | None, list[Diagnostic]]:
    """Parse ``x = expr; y = any``; returns the assignments or an LD007 diagnostic."""
    from lark.exceptions import UnexpectedInput

    if not text.strip():
        return (), []
    try:
        tree = _parser().parse(text, start="assignments")
    except UnexpectedInput as error:
        return None, [_syntax_error(text, error, locate)]
    return _Builder(locate).assignments(tree), []
