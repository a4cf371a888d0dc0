"""What every DSL spec builder shares: spans, names, expressions, declarations, references.

Expressions go through the same builder and :class:`TypeChecker` as the YAML path, so a
guard written in either format becomes the identical typed AST with the same diagnostics.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, TypeVar

from lark import Token, Tree

from archctl import codes
from archctl.diagnostics import Code, Diagnostic
from archctl.evidence import Value
from archctl.load.dsl.parse import expression_tree
from archctl.load.errors import located, with_hints
from archctl.load.expr.limits import DEPTH_HELP, Rejected, depth_message, tree_too_deep
from archctl.load.expr.tree import TreeBuilder, unquote
from archctl.load.expr.types import TypeChecker
from archctl.load.resolve import Names
from archctl.load.values import SPEC_NAME, parse_number
from archctl.model.expr import Action, Expr
from archctl.model.types import BOOL, IP, STRING, TypeKind, Variable, VarType
from archctl.source import SourceFile, Span

Built = TypeVar("Built")

#: Words of the expression language; a DSL name may not be one (quote it instead).
RESERVED = frozenset({"and", "or", "not", "in", "true", "false", "any"})


class Context:
    """Reads one DSL file's parse tree, collecting diagnostics like the YAML ``Reader``."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self._builder = TreeBuilder(source.span)

    # -- positions and reporting -------------------------------------------------------------
    def span(self, item: Any) -> Span:
        """Span of a token or subtree."""
        return self.source.span(_start(item), _end(item))

    def span_over(self, first: Any, last: Any) -> Span:
        """From the start of ``first`` to the end of ``last``."""
        return self.source.span(_start(first), _end(last))

    def error(self, code: Code, message: str, where: Any, help_text: str | None = None) -> None:
        span = where if isinstance(where, Span) else self.span(where)
        self.diagnostics.append(located(code, message, span, help_text))

    def header_span(self, tree: Any) -> Span:
        """A spec's span: its keyword and name (``statemachine account``)."""
        return self.span_over(tree, tree.children[0])

    @staticmethod
    def text(token: Any) -> str:
        """A bare token's text, or a quoted one's value."""
        return unquote(str(token)) if token.type == "STRING" else str(token)

    # -- names -------------------------------------------------------------------------------
    def name(self, item: Any) -> str:
        """The text of a name (its token: ID, STRING or a soft keyword); quoted names unquoted."""
        token = item if isinstance(item, Token) else item.children[0]
        if token.type == "STRING":
            return unquote(str(token))
        text = str(token)
        if text in RESERVED:
            self.error(
                codes.LD001,
                f"'{text}' is a keyword of expressions and cannot be a name",
                token,
                f'rename it, or quote it ("{text}") if it is never used in an expression',
            )
        return text

    def spec_name(self, tree: Any) -> str | None:
        name = self.name(tree)
        if not SPEC_NAME.match(name):
            self.error(
                codes.LD004, f"spec name '{name}' may only use letters, digits, '_' and '-'", tree
            )
        return name

    def once(self, seen: dict[str, Span], word: str, item: Any, what: str) -> bool:
        """True the first time ``word`` is given; an LD006 on a repeat."""
        if word in seen:
            self.error(
                codes.LD006,
                f"'{word}' is given twice in {what}",
                item,
                f"first given at line {seen[word].line}",
            )
            return False
        seen[word] = self.span(item)
        return True

    def resolve(self, what: str, declared: Mapping[str, Span], name: str, where: Any) -> str | None:
        """``name`` when declared; otherwise an LD005 with the shared hint (``load.resolve``)."""
        return Names(self.error, what, declared).resolve(name, where)

    # -- expressions -------------------------------------------------------------------------
    def expression(self, tree: Any, checker: TypeChecker) -> Expr | None:
        parsed = self._build(tree, self._builder.expr)
        if parsed is None:
            return None
        before = len(checker.diagnostics)
        typed = checker.condition(parsed)
        self._take(checker, before)
        return typed

    def untyped(self, tree: Any) -> Expr:
        """An expression whose names are resolved later (system properties, at link time)."""
        parsed: Expr = self._builder.expr(expression_tree(tree))
        return parsed

    def locator(self, token: Any) -> Callable[[int, int], Span]:
        """Offsets inside a token's text -> spans in the file (for text read by a sub-parser)."""
        base = _start(token)
        return lambda start, end: self.source.span(base + start, base + max(end, start + 1))

    def action(self, tree: Any, checker: TypeChecker) -> Action | None:
        parsed = self._build(tree, self._builder.assignments)
        if parsed is None:
            return None
        before = len(checker.diagnostics)
        typed = checker.action(parsed)
        self._take(checker, before)
        return typed

    def _build(self, tree: Any, build: Callable[[Any], Built]) -> Built | None:
        """The AST of an expression subtree; None (with an LD007) when it cannot be read."""
        if not self._readable(tree):
            return None
        try:
            return build(expression_tree(tree))
        except Rejected as error:
            self.error(codes.LD007, error.message, self.source.span(error.start, error.end))
            return None

    def _readable(self, tree: Any) -> bool:
        """False (with an LD007 there) for an expression nested too deep to walk."""
        deep = tree_too_deep(tree)
        if deep is not None:
            self.error(codes.LD007, depth_message(), deep, DEPTH_HELP)
        return deep is None

    def _take(self, checker: TypeChecker, before: int) -> None:
        """The checker's new diagnostics, with the hints every front end adds."""
        for diagnostic in checker.diagnostics[before:]:
            self.diagnostics.append(with_hints(diagnostic, checker.scope))

    # -- declarations ------------------------------------------------------------------------
    def declarations(self, items: list[Any], what: str) -> tuple[Variable, ...]:
        out: list[Variable] = []
        seen: dict[str, Span] = {}
        for item in items:
            variable = self.declaration(item)
            if variable is None:
                continue
            if variable.name in seen:
                self.error(
                    codes.LD006,
                    f"duplicate key '{variable.name}' in {what}",
                    item,
                    f"first defined at line {seen[variable.name].line}",
                )
                continue
            seen[variable.name] = variable.span
            out.append(variable)
        return tuple(out)

    def declaration(self, tree: Any) -> Variable | None:
        """``var NAME: TYPE [= VALUE]``; the span covers the line."""
        name = self.name(tree.children[0])
        var_type = self._type(name, tree.children[1])
        if var_type is None:
            return None
        initial: Value | None = None
        if len(tree.children) > 2:
            initial = self._initial(name, var_type, tree.children[2])
            if initial is None:
                return None
        return Variable(name, var_type, initial, self.span(tree))

    def _type(self, name: str, tree: Any) -> VarType | None:
        kind = tree.data
        if kind in ("t_bool", "t_string", "t_ip"):
            return {"t_bool": BOOL, "t_string": STRING, "t_ip": IP}[kind]
        if kind == "t_enum":
            values: list[str] = []
            for token in tree.children:
                value = unquote(str(token))
                if value in values:
                    self.error(codes.LD006, f"enum value '{value}' is listed twice", token)
                    continue
                values.append(value)
            return VarType(TypeKind.ENUM, values=tuple(values))
        type_kind = TypeKind.INT if kind == "t_int" else TypeKind.REAL
        if not tree.children:
            return VarType(type_kind)
        bounds = tree.children[0]
        low, high = (parse_number(str(token)) for token in bounds.children)
        if type_kind is TypeKind.INT and not (isinstance(low, int) and isinstance(high, int)):
            self.error(codes.LD004, f"the range of int '{name}' needs whole numbers", bounds)
            return None
        if low > high:
            self.error(codes.LD004, f"range [{low}, {high}] is empty: low is above high", bounds)
            return None
        return VarType(type_kind, Fraction(low), Fraction(high))

    def _initial(self, name: str, var_type: VarType, token: Any) -> Value | None:
        kind = var_type.kind
        raw = str(token)
        value: Value | None = None
        if kind is TypeKind.BOOL and raw in ("true", "false"):
            value = raw == "true"
        elif kind in (TypeKind.INT, TypeKind.REAL) and token.type == "DEC":
            value = parse_number(raw)
            if kind is TypeKind.INT and not isinstance(value, int):
                self.error(codes.LD004, f"the initial value of int '{name}' must be whole", token)
                return None
        elif kind is TypeKind.IP and token.type == "STRING":
            try:
                value = int(ipaddress.IPv4Address(unquote(raw)))
            except ValueError:
                self.error(codes.LD004, f"'{unquote(raw)}' is not an IPv4 address", token)
                return None
        elif kind in (TypeKind.ENUM, TypeKind.STRING) and token.type == "STRING":
            value = unquote(raw)
        if value is None:
            self.error(
                codes.LD004,
                f"the initial value of '{name}' must be {_value_words(var_type)}",
                token,
            )
            return None
        if not var_type.contains(value):
            shown = unquote(raw) if token.type == "STRING" else raw
            self.error(
                codes.LD004, f"initial value {shown!r} is not in {var_type.describe()}", token
            )
            return None
        return value


def _start(item: Any) -> int:
    """Offset where a token or subtree starts (parsed tokens always carry one)."""
    return (item.start_pos or 0) if isinstance(item, Token) else int(item.meta.start_pos)


def _end(item: Any) -> int:
    return (item.end_pos or 0) if isinstance(item, Token) else int(item.meta.end_pos)


def _value_words(var_type: VarType) -> str:
    kind = var_type.kind
    if kind is TypeKind.BOOL:
        return "true or false"
    if kind in (TypeKind.INT, TypeKind.REAL):
        return "a number"
    if kind is TypeKind.ENUM:
        return "one of " + ", ".join(f'"{value}"' for value in var_type.values)
    return 'a quoted string like "10.0.0.7"' if kind is TypeKind.IP else "a quoted string"


def statements(tree: Any, start: int = 1) -> list[Any]:
    """The statement subtrees of a spec block (after its name)."""
    return [item for item in tree.children[start:] if isinstance(item, Tree)]
