"""Typed, located access to composed YAML nodes.

Every accessor validates one value and, on a problem, records a located diagnostic and
returns None, so a loader keeps going and reports every problem in the file at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import yaml

from archctl import codes
from archctl.diagnostics import Code, Diagnostic
from archctl.load.errors import located, with_hints
from archctl.load.expr.limits import Locator
from archctl.load.expr.parse import parse_action, parse_expression
from archctl.load.expr.types import TypeChecker
from archctl.load.values import NumberTooLong, parse_duration, parse_number
from archctl.load.yaml.source import (
    mark_span,
    mark_span_across,
    marks_agree,
    node_span,
    scalar_offsets,
)
from archctl.model.expr import Action, Expr
from archctl.source import SourceFile, Span

_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_TRUE = {"true", "yes", "on"}


@dataclass
class Fields:
    """The entries of a validated mapping: key -> (key node, value node), in file order."""

    node: yaml.MappingNode
    entries: dict[str, tuple[yaml.Node, yaml.Node]]

    def get(self, key: str) -> yaml.Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def key_node(self, key: str) -> yaml.Node | None:
        entry = self.entries.get(key)
        return entry[0] if entry else None

    def __contains__(self, key: str) -> bool:
        return key in self.entries


class Reader:
    """Reads one YAML file's nodes into Python values, collecting diagnostics."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        # read spans off the composed marks when they agree with the line table (no `\r`
        # breaks and the like): same spans, without two bisects per node
        self._marks = marks_agree(source.text)

    # -- reporting ---------------------------------------------------------------------------
    def span(self, node: yaml.Node) -> Span:
        if self._marks:
            return mark_span(self.source, node)
        return node_span(self.source, node)

    def span_across(self, first: yaml.Node, last: yaml.Node) -> Span:
        """From where ``first`` starts to where ``last`` ends (a whole ``key: value``)."""
        if self._marks:
            return mark_span_across(self.source, first, last)
        head, tail = node_span(self.source, first), node_span(self.source, last)
        return Span(head.file, head.line, head.column, tail.end_line, tail.end_column)

    def error(
        self, code: Code, message: str, where: yaml.Node | Span, help_text: str | None = None
    ) -> None:
        span = where if isinstance(where, Span) else self.span(where)
        self.diagnostics.append(located(code, message, span, help_text))

    def extend(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    # -- structure ---------------------------------------------------------------------------
    def mapping(
        self,
        node: yaml.Node,
        what: str,
        allowed: Sequence[str] | None,
        required: Sequence[str] = (),
    ) -> Fields | None:
        """A mapping with string keys; duplicates, unknown and missing keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.error(codes.LD004, f"{what} must be a mapping, found {_kind(node)}", node)
            return None
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(codes.LD004, f"keys of {what} must be plain names", key_node)
                continue
            key = str(key_node.value)
            if key in entries:
                first = self.span(entries[key][0])
                self.error(
                    codes.LD006,
                    f"duplicate key '{key}' in {what}",
                    key_node,
                    f"first defined at line {first.line}",
                )
                continue
            if allowed is not None and key not in allowed:
                self.error(
                    codes.LD002, f"unknown key '{key}' in {what}", key_node, _suggest(key, allowed)
                )
                continue
            entries[key] = (key_node, value_node)
        for key in required:
            if key not in entries:
                self.error(
                    codes.LD003,
                    f"{what} is missing the required key '{key}'",
                    self.span(node) if not node.value else self.span(node.value[0][0]),
                )
        return Fields(node, entries)

    def restrict(
        self, fields: Fields, what: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> Fields:
        """Check the keys of an already-read mapping (for shapes that depend on one key)."""
        for key in list(fields.entries):
            if key not in allowed:
                self.error(
                    codes.LD002,
                    f"unknown key '{key}' in {what}",
                    fields.entries[key][0],
                    _suggest(key, allowed),
                )
                del fields.entries[key]
        for key in required:
            if key not in fields.entries:
                self.error(codes.LD003, f"{what} is missing the required key '{key}'", fields.node)
        return fields

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.error(codes.LD004, f"{what} must be a list, found {_kind(node)}", node)
        return None

    # -- scalars -----------------------------------------------------------------------------
    def is_null(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and not node.style

    def text(self, node: yaml.Node, what: str) -> str | None:
        """Any scalar as its literal text (so `on`, `yes`, `1.10` stay as written)."""
        if isinstance(node, yaml.ScalarNode) and not self.is_null(node):
            return str(node.value)
        self.error(codes.LD004, f"{what} must be a single value, found {_kind(node)}", node)
        return None

    def choice(self, node: yaml.Node, what: str, options: Sequence[str]) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value not in options:
            listing = ", ".join(options)
            self.error(
                codes.LD004,
                f"{what} must be one of {listing}; found '{value}'",
                node,
                _suggest(value, options),
            )
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL_TAG:
            return str(node.value).lower() in _TRUE
        self.error(codes.LD004, f"{what} must be true or false", node)
        return None

    def number(self, node: yaml.Node, what: str) -> int | Fraction | None:
        if isinstance(node, yaml.ScalarNode) and not node.style:
            try:
                return parse_number(str(node.value))
            except NumberTooLong as error:
                self.error(codes.LD004, f"{what}: {error}", node)
                return None
            except ValueError:
                pass
        self.error(codes.LD004, f"{what} must be a number", node)
        return None

    def integer(self, node: yaml.Node, what: str, minimum: int | None = None) -> int | None:
        value = self.number(node, what)
        if value is None:
            return None
        if not isinstance(value, int):
            self.error(codes.LD004, f"{what} must be a whole number", node)
            return None
        if minimum is not None and value < minimum:
            self.error(codes.LD004, f"{what} must be at least {minimum}", node)
            return None
        return value

    def duration(self, node: yaml.Node, what: str) -> int | None:
        """A duration string with a unit (``250ms``, ``5s``).

        A bare number is an error, as in the DSL and the JSON Schema: ``deadline: 5`` was
        once read as 5 ms, which a reader of the spec may well take for 5 seconds.
        """
        if isinstance(node, yaml.ScalarNode) and re.fullmatch(r"\d+(\.\d+)?", str(node.value)):
            number = node.value if len(node.value) <= 20 else node.value[:20] + "..."
            self.error(
                codes.LD004,
                f"{what}: '{number}' has no unit; did you mean {number}s or {number}ms?",
                node,
                f"write the unit: {number}s, {number}ms (also m, h, or combined as 1m30s)",
            )
            return None
        raw = self.text(node, what)
        if raw is None:
            return None
        try:
            return parse_duration(raw)
        except ValueError as error:
            self.error(codes.LD004, f"{what}: {error}", node)
            return None

    def names(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        """A single name or a list of names, each with its node."""
        if isinstance(node, yaml.SequenceNode):
            out = []
            for item in node.value:
                value = self.text(item, what)
                if value is not None:
                    out.append((value, item))
            return out
        value = self.text(node, what)
        return [] if value is None else [(value, node)]

    # -- expressions -------------------------------------------------------------------------
    def locator(self, node: yaml.ScalarNode) -> Locator:
        offsets = scalar_offsets(self.source, node)
        fallback = node.start_mark.index

        def locate(start: int, end: int) -> Span:
            if not offsets:
                return self.source.span(fallback, fallback + 1)
            first = offsets[min(start, len(offsets) - 1)] if start < len(offsets) else None
            if first is None:
                first = offsets[-1] + 1
            last = offsets[min(max(end - 1, start), len(offsets) - 1)] + 1
            return self.source.span(first, max(first + 1, last))

        return locate

    def expression(self, node: yaml.Node, what: str, checker: TypeChecker) -> Expr | None:
        """Parse and type-check a condition; problems are located inside the string."""
        scalar = self._expression_scalar(node, what)
        if scalar is None:
            return None
        parsed, problems = parse_expression(str(scalar.value), self.locator(scalar))
        self.extend(problems)
        if parsed is None:
            return None
        before = len(checker.diagnostics)
        typed = checker.condition(parsed)
        self.extend([with_hints(d, checker.scope) for d in checker.diagnostics[before:]])
        return typed

    def action(self, node: yaml.Node, what: str, checker: TypeChecker) -> Action | None:
        """Parse and type-check ``x = expr; y = any``."""
        scalar = self._expression_scalar(node, what)
        if scalar is None:
            return None
        parsed, problems = parse_action(str(scalar.value), self.locator(scalar))
        self.extend(problems)
        if parsed is None:
            return None
        before = len(checker.diagnostics)
        typed = checker.action(parsed)
        self.extend([with_hints(d, checker.scope) for d in checker.diagnostics[before:]])
        return typed

    def _expression_scalar(self, node: yaml.Node, what: str) -> yaml.ScalarNode | None:
        """The scalar holding an expression; a bare YAML `true`/`yes` is the literal true."""
        if not isinstance(node, yaml.ScalarNode) or self.is_null(node):
            self.error(codes.LD004, f"{what} must be a single value, found {_kind(node)}", node)
            return None
        if node.tag == _BOOL_TAG and not node.style:
            truth = "true" if str(node.value).lower() in _TRUE else "false"
            return yaml.ScalarNode(
                "tag:yaml.org,2002:str", truth, node.start_mark, node.end_mark, node.style
            )
        return node


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and not node.style:
        return "nothing"
    return f"'{node.value}'"


def _suggest(value: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    listing = ", ".join(options)
    if close:
        return f"did you mean '{close[0]}'? allowed: {listing}"
    return f"allowed: {listing}"
