"""Translate BPMN condition expressions (JUEL ``${...}``, FEEL ``= ...``) into archctl's language.

BPMN files declare no variables, so their types are inferred from how the conditions of one
process use them: compared with a number it is an int (a real when a decimal appears), with
a quoted text a string, used bare as a condition a bool. A condition that does not parse,
uses a name whose type cannot be inferred, or does not type-check is reported back with the
reason; the importer then turns its gateway into a free choice with an LD009 note, so a
condition archctl cannot read never becomes a wrong proof.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from archctl.load.expr.parse import parse_expression
from archctl.load.expr.types import TypeChecker
from archctl.model.expr import Binary, Compare, Expr, Literal, Member, Name, Unary
from archctl.model.types import BOOL, INT, REAL, STRING, Variable, VarType
from archctl.source import Span

_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_JUEL_WORDS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
_UNSUPPORTED_WORDS = ("null", "empty", "instanceof", "div", "mod")
#: a function or method call; ``not(x)`` (FEEL's negation, also valid JUEL) is an operator
_CALL = re.compile(r"(?<![\w.])(?!(?:not|and|or)\s*\()[A-Za-z_][\w.]*\s*\(")


@dataclass(frozen=True)
class Condition:
    """One condition text of a sequence flow, with where it is written."""

    key: int
    text: str
    language: str | None
    span: Span


@dataclass
class Translation:
    conditions: dict[int, Expr]
    failures: dict[int, str]
    variables: tuple[Variable, ...]


def _code_segments(text: str) -> list[tuple[bool, str]]:
    """Split into (is_string_literal, text) pieces so rewrites never touch quoted text."""
    out: list[tuple[bool, str]] = []
    position = 0
    for match in _STRING.finditer(text):
        out.append((False, text[position : match.start()]))
        literal = match.group(0)
        if literal.startswith("'"):
            literal = '"' + literal[1:-1].replace('"', '\\"') + '"'
        out.append((True, literal))
        position = match.end()
    out.append((False, text[position:]))
    return out


def _rewrite_juel(code: str) -> str:
    code = code.replace("&&", " and ").replace("||", " or ")
    code = re.sub(r"!(?!=)", " not ", code)
    return re.sub(
        r"\b(eq|ne|lt|gt|le|ge)\b", lambda match: f" {_JUEL_WORDS[match.group(1)]} ", code
    )


def _rewrite_feel(code: str) -> str:
    return re.sub(r"(?<![<>!=])=(?!=)", "==", code)


def rewrite(text: str, language: str | None) -> tuple[str | None, str]:
    """archctl text for a JUEL or FEEL condition, or (None, why it cannot be translated)."""
    body = text.strip()
    lang = (language or "").lower()
    if (body.startswith("${") or body.startswith("#{")) and body.endswith("}"):
        body, rewrite_code = body[2:-1], _rewrite_juel
    elif body.startswith("="):
        body, rewrite_code = body[1:], _rewrite_feel
    elif "feel" in lang:
        rewrite_code = _rewrite_feel
    else:
        return None, "not a JUEL (${...}) or FEEL (= ...) expression"
    pieces = [piece if quoted else rewrite_code(piece) for quoted, piece in _code_segments(body)]
    code = "".join(pieces)
    for quoted, piece in _code_segments(code):
        if quoted:
            continue
        if _CALL.search(piece):
            return None, "calls a function or method"
        for word in _UNSUPPORTED_WORDS:
            if re.search(rf"\b{word}\b", piece):
                return None, f"uses '{word}'"
    return code, ""


def _literal_type(value: object) -> VarType:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, Fraction):
        return REAL
    return STRING


class _Hints:
    """Type evidence per name, and names compared with each other (unified later)."""

    def __init__(self) -> None:
        self.hints: dict[str, set[VarType]] = {}
        self.links: list[tuple[str, str]] = []

    def add(self, name: str, var_type: VarType) -> None:
        self.hints.setdefault(name, set()).add(var_type)

    def walk(self, expr: Expr, want: VarType | None) -> None:
        if isinstance(expr, Name):
            self.hints.setdefault(expr.name, set())
            if want is not None:
                self.add(expr.name, want)
        elif isinstance(expr, Unary):
            self.walk(expr.operand, BOOL if expr.op == "not" else INT)
        elif isinstance(expr, Binary):
            side = BOOL if expr.op in ("and", "or") else self._numeric(expr)
            self.walk(expr.left, side)
            self.walk(expr.right, side)
        elif isinstance(expr, Compare):
            self._pair(expr.left, expr.right, expr.op)
        elif isinstance(expr, Member):
            types = {_literal_type(i.value) for i in expr.items if isinstance(i, Literal)}
            self.walk(expr.element, types.pop() if len(types) == 1 else None)
            for item in expr.items:
                self.walk(item, None)

    def _numeric(self, expr: Expr) -> VarType:
        found = _literals(expr)
        return REAL if any(isinstance(value, Fraction) for value in found) else INT

    def _pair(self, left: Expr, right: Expr, op: str) -> None:
        ordering = op not in ("==", "!=")
        for one, other in ((left, right), (right, left)):
            if isinstance(one, Name) and isinstance(other, Name):
                self.links.append((one.name, other.name))
            if isinstance(other, Literal):
                self.walk(one, _literal_type(other.value))
            elif isinstance(other, (Binary, Unary)) and not isinstance(one, Literal):
                self.walk(one, self._numeric(other))
            else:
                self.walk(one, INT if ordering and not isinstance(other, Name) else None)

    def resolve(self) -> dict[str, VarType | None]:
        merged = {name: set(types) for name, types in self.hints.items()}
        for _ in range(len(self.links) + 1):
            for first, second in self.links:
                union = merged[first] | merged[second]
                merged[first], merged[second] = set(union), set(union)
        out: dict[str, VarType | None] = {}
        for name, types in merged.items():
            if types == {INT, REAL}:
                types = {REAL}
            out[name] = types.pop() if len(types) == 1 else None
        return out


def _literals(expr: Expr) -> list[object]:
    if isinstance(expr, Literal):
        return [expr.value]
    if isinstance(expr, Unary):
        return _literals(expr.operand)
    if isinstance(expr, (Binary, Compare)):
        return _literals(expr.left) + _literals(expr.right)
    return []


def translate(conditions: list[Condition]) -> Translation:
    """Translate every condition of one process; infer one type per variable name."""
    parsed: dict[int, Expr] = {}
    failures: dict[int, str] = {}
    first_use: dict[str, Span] = {}
    hints = _Hints()
    for condition in conditions:
        code, why = rewrite(condition.text, condition.language)
        if code is None:
            failures[condition.key] = why
            continue
        expr, problems = parse_expression(code, _fixed(condition.span))
        if expr is None:
            failures[condition.key] = problems[0].message if problems else "does not parse"
            continue
        parsed[condition.key] = expr
        hints.walk(expr, BOOL)
        for name in sorted(hints.hints):
            first_use.setdefault(name, condition.span)
    types = hints.resolve()
    scope = {name: var_type for name, var_type in types.items() if var_type is not None}
    out: dict[int, Expr] = {}
    used: set[str] = set()
    for key, expr in parsed.items():
        unknown = sorted(_names(expr) - set(scope))
        if unknown:
            failures[key] = f"cannot infer one type for '{unknown[0]}'"
            continue
        checker = TypeChecker(scope)
        typed = checker.condition(expr)
        if typed is None:
            reason = checker.diagnostics[0].message if checker.diagnostics else "type error"
            failures[key] = reason
            continue
        out[key] = typed
        used |= _names(expr)
    variables = tuple(Variable(name, scope[name], None, first_use[name]) for name in sorted(used))
    return Translation(out, failures, variables)


def _fixed(span: Span) -> Callable[[int, int], Span]:
    """Positions inside a rewritten condition do not map back to the XML: use its element."""

    def locate(start: int, end: int) -> Span:
        return span

    return locate


def _names(expr: Expr) -> set[str]:
    from archctl.model.expr import names_in

    return names_in(expr)
