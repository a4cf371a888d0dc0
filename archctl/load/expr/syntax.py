"""What an LALR error in an expression means to the user: an LD007 at the offending column.

lark reports the terminals it expected by their grammar names (``COMP_OP``, ``$END``); this
module turns them into words a spec author knows, and adds a hint for the mistakes people
bring from other languages (``=`` for ``==``, single quotes, ``&&``, ``!``).
"""

from __future__ import annotations

from typing import Any

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.load.expr.limits import Locator

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


def syntax_error(text: str, error: Any, locate: Locator) -> Diagnostic:
    """The located LD007 for lark's ``error`` while parsing ``text``."""
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
