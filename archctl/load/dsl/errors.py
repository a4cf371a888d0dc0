"""Friendly DSL syntax errors: position, what was expected in words, and targeted hints.

Common mistakes are recognised the way lark's own grammar loader does it: the parser state
of the error is compared with the states reached by small malformed examples
(``UnexpectedInput.match_examples``); a few token-level checks back that up. The result is
one LD001 whose span is ready for the caret renderer of ``report/text.py``.
"""

from __future__ import annotations

import functools
from typing import Any

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.load.dsl.common import RESERVED
from archctl.load.dsl.parse import parse, parser
from archctl.model.spec import KINDS
from archctl.source import SourceFile, Span

_EQ = "use '==' to compare; '=' only assigns (after `/` or `sets`)"
_ENUM = 'enum values are quoted strings: enum{"gold", "silver"} and = "gold"'
_MISSING = "missing '}':"
_OPEN = "a spec is `KIND NAME {` followed by one statement per line and a closing `}`"

#: label -> malformed snippets; a syntax error in the same parser state gets the label's hint
EXAMPLES: dict[str, list[str]] = {
    _EQ: [
        "statemachine m {\na -> b [x = 1]\n}",
        "statemachine m {\na -> b [x.y = 1]\n}",
        "statemachine m {\na -> b [x + 1 = 1]\n}",
        "statemachine m {\na -> b [(x) = 1]\n}",
        "statemachine m {\nalways p: x = 1\n}",
        "workflow w {\na -> b when x = 1\n}",
        "policy p {\nrule r allow when x = 1\n}",
        "policy p {\nrule r allow when x.y = 1\n}",
        "policy p {\nrule r allow when a and x = 1\n}",
    ],
    _ENUM: [
        "statemachine m {\nvar t: enum{a}\n}",
        'statemachine m {\nvar t: enum{"a", b}\n}',
        'statemachine m {\nvar t: enum{"a"} = a\n}',
        "statemachine m {\nvar t: string = a\n}",
        "policy p {\nattr t: enum{a}\n}",
        'policy p {\nattr t: enum{"a", b}\n}',
    ],
    _OPEN: [
        "statemachine m\n",
        "workflow w\n",
        "plugins p\n",
        "policy p\n",
        "statemachine m states a\n",
    ],
}

_WORDS = {
    "ID": "a name",
    "STRING": 'a quoted string like "text"',
    "DEC": "a number",
    "VERSION": "a version like 1.2.0",
    "DURATION": "a duration like 250ms, 5s or 1m30s",
    "MULT": "a multiplier like x2",
    "_NL": "a new line",
    "$END": "the end of the file",
    "NAME": "a name",
    "NUMBER": "a number",
    "COMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "ADD_OP": "'+' or '-'",
    "EFFECT": "allow, deny or none",
    "RESULT": "success or failure",
    "GATEWAY": "exclusive, parallel or inclusive",
    "TASK_KIND": "service, user, script or subprocess",
    "DIST": "fixed, uniform, exponential, normal or lognormal",
    "REQ_KW": "requires, optional or conflicts",
    "COMBINE": "deny-overrides, permit-overrides or first-applicable",
}


def syntax_error(source: SourceFile, error: Any) -> Diagnostic:
    """The LD001 for a lark ``UnexpectedInput`` raised while parsing ``source``."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    text = source.text
    position = len(text)
    width = 1
    found = "the end of the file"
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        position = error.token.start_pos
        width = max(1, len(str(error.token)))
        found = _found(error.token)
    elif isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        found = f"character {text[position]!r}"
    expected = set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
    message = f"unexpected {found}; expected {expected_words(expected)}"
    help_text = _hint(text, error, position)
    if isinstance(error, UnexpectedCharacters) and text[position] == '"':
        at_end = "\n" not in text[position:].rstrip("\n")
        where = "the end of the file" if at_end else "the end of the line"
        message = f"unterminated string: no closing '\"' before {where}"
        help_text = 'close the string with "; write \\" for a quote inside it'
        width = max(1, len(text[position:].split("\n", 1)[0]))
    if help_text is not None and help_text.startswith(_MISSING):
        message, help_text = help_text, "close each block with '}' on its own line"
        if position < len(text) and _starts_spec(text, position):
            line_start = text.rfind("\n", 0, position) + 1
            position = line_start + len(text[line_start:]) - len(text[line_start:].lstrip())
            width = len(text[position:].split(None, 1)[0])
    span = _span(source, position, width)
    return Diagnostic(codes.LD001, default_severity(codes.LD001), message, span, help=help_text)


def _span(source: SourceFile, position: int, width: int) -> Span:
    if position >= len(source.text):
        # past the last character: point just after the last line's text
        line = source.text.rstrip("\n").count("\n") + 1
        column = len(source.line_text(line)) + 1
        return Span(source.path, line, column, line, column)
    return source.span(position, position + width)


def _found(token: Any) -> str:
    if token.type == "_NL":
        return "end of line"
    return f"{token.value!r}"


def expected_words(expected: set[str]) -> str:
    """What the parser wanted, in words; keywords that can be names fold into 'a name'."""
    terminals = {t.name: t for t in parser().terminals}
    names = {name.removeprefix("expr__") for name in expected}
    words: set[str] = set()
    if "ID" in names and "RBRACE" in names:
        return "a statement or '}'"
    if names & {"COMP_OP", "AND", "OR", "STAR", "ADD_OP"}:
        return (
            "an operator (and, or, ==, !=, <, <=, >, >=, in, +, -, *) or the end of the expression"
        )
    if {"NAME", "NUMBER", "STRING"} <= names:
        return "a value (a name, a number, a quoted string, true or false) or '('"
    for name in sorted(names):
        if "ID" in names and name in _soft_names():
            continue  # a soft keyword: it is also a name
        if name in _WORDS:
            words.add(_WORDS[name])
            continue
        terminal = terminals.get(name) or terminals.get(f"expr__{name}")
        value = getattr(getattr(terminal, "pattern", None), "value", name)
        words.add(f"'{value}'")
    listing = sorted(words)
    if not listing:
        return "something else"
    if len(listing) > 8:
        listing = [*listing[:8], "..."]
    if len(listing) == 1:
        return listing[0]
    return ", ".join(listing[:-1]) + " or " + listing[-1]


@functools.lru_cache(maxsize=1)
def _soft_names() -> frozenset[str]:
    """Terminals the grammar's ``name`` rule accepts besides ID and STRING."""
    rules = parser().rules
    found = {rule.expansion[0].name for rule in rules if rule.origin.name == "name"}
    return frozenset(found - {"ID", "STRING"})


def _hint(text: str, error: Any, position: int) -> str | None:
    from lark.exceptions import UnexpectedInput

    unclosed = _unclosed_brace(text, position)
    token = getattr(error, "token", None)
    value = str(token) if token is not None else ""
    if unclosed is not None and (value in ("", "$END") or _starts_spec(text, position)):
        return f"{_MISSING} the block opened at line {unclosed} is not closed"
    if getattr(error, "state", None) is not None:
        try:
            # use_accepts=False: lark 1.3's accepts branch fails formatting its debug message
            label = error.match_examples(parse, EXAMPLES, use_accepts=False)
        except UnexpectedInput:  # pragma: no cover - examples always fail to parse
            label = None
        if label is not None:
            return str(label)
    if value == "=":
        return _EQ
    if value in RESERVED:
        return f"'{value}' is a keyword and cannot be used as a name; rename it"
    return None


def _starts_spec(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    words = text[line_start:].split(None, 1)
    return bool(words) and words[0] in KINDS


def _unclosed_brace(text: str, end: int) -> int | None:
    """Line of the innermost '{' still open at ``end`` (strings and comments skipped)."""
    stack: list[int] = []
    line = 1
    index = 0
    while index < min(end, len(text)):
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline == -1 else newline
            continue
        elif char == '"':
            close = index + 1
            while close < len(text) and text[close] not in '"\n':
                close += 2 if text[close] == "\\" else 1
            index = close + 1 if close < len(text) and text[close] == '"' else close
            continue
        elif char == "{":
            stack.append(line)
        elif char == "}" and stack:
            stack.pop()
        index += 1
    if not stack:
        return None
    # a block still open where a new spec starts, or at the end, lacks its '}'
    return stack[0] if _at_top_level(text, end) else stack[-1]


def _at_top_level(text: str, end: int) -> bool:
    return end >= len(text.rstrip()) or _starts_spec(text, end)
