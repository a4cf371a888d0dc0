"""The data side of a chart: ``<data>`` declarations, ``cond`` and ``expr`` attributes, and
executable content (``<assign>``, ``<raise>``, ``<send>`` to the chart itself, ``<log>``).

SCXML data is untyped ECMAScript; archctl variables have types. A variable's type is the type
of its initial value (or of the first constant assigned to it, else int). What the subset in
``ecma.py`` cannot express is an LD009 at its column, and then approximated on the safe side:
a condition that cannot be read may hold or not, a value that cannot be computed is ``any``;
executable content archctl cannot run is skipped with the LD009 saying so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction

from archctl import codes
from archctl.diagnostics import Code, Diagnostic
from archctl.load.errors import located
from archctl.load.expr.parse import parse_expression
from archctl.load.expr.types import TypeChecker
from archctl.load.scxml.chart import Assign, Cond, Executable, If, Raise
from archctl.load.scxml.ecma import Translation, Untranslatable, in_name, translate
from archctl.load.scxml.xml import Element, attribute_start, element_span
from archctl.model.expr import Assignment, Expr, Literal, Unary
from archctl.model.types import BOOL, INT, Variable, VarType
from archctl.source import SourceFile, Span

#: executable content archctl cannot run, and why (reported as LD009, then skipped)
_UNSUPPORTED = {
    "script": "scripts are not modelled",
    "foreach": "loops over data (<foreach>) are not modelled",
    "cancel": "cancelling a delayed <send> is not modelled (the event may still arrive)",
    "invoke": "invoked services are not modelled",
}
SEND_TARGET_INTERNAL = "#_internal"


class Content:
    """Reads data, conditions and executable content of one chart, collecting diagnostics."""

    def __init__(self, source: SourceFile, state_index: dict[str, int]) -> None:
        self.source = source
        self.state_index = state_index
        self.diagnostics: list[Diagnostic] = []
        self.variables: dict[str, Variable] = {}
        self.sent: set[str] = set()  # events sent to the chart's external queue
        self.if_count = 0

    # -- reporting -------------------------------------------------------------------------
    def unsupported(self, message: str, span: Span, subject: str | None = None) -> None:
        self.diagnostics.append(located(codes.LD009, message, span, subject=subject))

    def error(self, code: Code, message: str, element: Element, help_text: str | None) -> None:
        self.diagnostics.append(located(code, message, self.span(element), help_text))

    def span(self, element: Element) -> Span:
        return element_span(self.source, element)

    def _locator(
        self, element: Element, attr: str, translation: Translation | None
    ) -> Callable[[int, int], Span]:
        where = attribute_start(self.source, element, attr)
        path = self.source.path
        if where is None:
            whole = self.span(element)
            return lambda start, end: whole
        line, column = where
        raw = self.source.line_text(line)[column - 1 :]

        def locate(start: int, end: int) -> Span:
            if translation is not None:
                start, end = translation.original(start), translation.original(max(start, end))
            first, last = _raw_offset(raw, start), _raw_offset(raw, max(start, end - 1))
            return Span(path, line, column + first, line, column + last)

        return locate

    # -- expressions ---------------------------------------------------------------------
    def _expression(self, element: Element, attr: str, what: str) -> tuple[Expr | None, str]:
        """The parsed (untyped) expression of ``attr``; (None, '') after an LD009."""
        text = element.attrs[attr]
        try:
            translation = translate(text, self.state_index)
        except Untranslatable as problem:
            span = self._locator(element, attr, None)(problem.offset, problem.offset + 1)
            self.unsupported(f"{what} '{text}': {problem.reason}; {self._fallback(what)}", span)
            return None, ""
        locate = self._locator(element, attr, translation)
        expr, problems = parse_expression(translation.text, locate)
        if expr is None:
            reason = problems[0].message if problems else "does not parse"
            span = (problems[0].span if problems else None) or locate(0, len(text))
            self.unsupported(f"{what} '{text}': {reason}; {self._fallback(what)}", span)
        return expr, text

    @staticmethod
    def _fallback(what: str) -> str:
        return "taken as 'may hold or not'" if what == "condition" else "taken as any value"

    def _typed(self, checker: TypeChecker, what: str, text: str, element: Element) -> bool:
        if not checker.diagnostics:
            return True
        problem = checker.diagnostics[0]
        message = f"{what} '{text}': {problem.message}; {self._fallback(what)}"
        self.unsupported(message, problem.span or self.span(element))
        return False

    def scope(self, conditions: bool = True) -> dict[str, VarType]:
        """The names expressions may read; ``In()`` only in conditions (it is fixed per
        configuration when a transition is selected, not while its content runs)."""
        scope = {name: variable.type for name, variable in self.variables.items()}
        if conditions:
            scope.update({in_name(index): BOOL for index in self.state_index.values()})
        return scope

    def cond(self, element: Element, transition: bool = True) -> Cond | None:
        """A transition's ``cond`` (``In()`` allowed), or an ``<if>``'s (data only)."""
        if "cond" not in element.attrs:
            return None
        span = self.span(element)
        if not transition and "In(" in element.attrs["cond"]:
            self.unsupported("In() inside <if> is not modelled; taken as 'may hold or not'", span)
            return Cond(None, span)
        expr, text = self._expression(element, "cond", "condition")
        if expr is None:
            return Cond(None, span)
        checker = TypeChecker(self.scope(conditions=transition))
        typed = checker.condition(expr)
        if typed is None or not self._typed(checker, "condition", text, element):
            return Cond(None, span)
        return Cond(typed, span)

    # -- data ----------------------------------------------------------------------------
    def declare(self, element: Element) -> None:
        """A ``<data id expr>``: a variable typed by its constant initial value."""
        name = element.attrs.get("id")
        if not name:
            self.error(codes.LD003, "<data> without an 'id'", element, 'write <data id="x" .../>')
            return
        if name in self.variables:
            self.error(codes.LD006, f"data '{name}' is declared twice", element, None)
            return
        span = self.span(element)
        initial: bool | int | Fraction | str | None = None
        var_type = INT
        if "expr" in element.attrs:
            expr, _ = self._expression(element, "expr", "initial value")
            constant = _constant(expr)
            if constant is None and expr is not None:
                self.unsupported(
                    f"data '{name}': the initial value '{element.attrs['expr']}' is not a "
                    "constant; it starts with any value",
                    span,
                )
            if constant is not None:
                initial, var_type = constant
        elif "src" in element.attrs or element.children:
            self.unsupported(f"data '{name}': loaded or inline content is not modelled", span)
        else:
            self.unsupported(f"data '{name}' has no initial value; it starts with any", span)
        self.variables[name] = Variable(name, var_type, initial, span)

    def retype(self, assigned: dict[str, list[Element]]) -> None:
        """Variables without a constant initial value take the type of a constant assigned."""
        for name, variable in list(self.variables.items()):
            if variable.initial is not None:
                continue
            for element in assigned.get(name, []):
                if "expr" not in element.attrs:
                    continue
                try:
                    text = translate(element.attrs["expr"], self.state_index).text
                except Untranslatable:
                    continue
                expr, _ = parse_expression(text, functools.partial(_anywhere, variable.span))
                constant = _constant(expr)
                if constant is not None:
                    self.variables[name] = Variable(name, constant[1], None, variable.span)
                    break

    # -- executable content ----------------------------------------------------------------
    def block(self, parent: Element) -> tuple[Executable, ...]:
        """The executable content directly inside ``parent``, in order."""
        out: list[Executable] = []
        for element in parent.children:
            item = self.executable(element)
            if item is not None:
                out.append(item)
        return tuple(out)

    def executable(self, element: Element) -> Executable | None:
        span = self.span(element)
        if not element.is_scxml:
            self.unsupported(f"<{element.tag}> from another namespace is not modelled", span)
            return None
        if element.tag == "log":
            return None  # output only: no effect on configurations or data
        if element.tag == "raise":
            event = element.attrs.get("event")
            if not event:
                self.error(codes.LD003, "<raise> without an 'event'", element, None)
                return None
            return Raise(event, span)
        if element.tag == "assign":
            return self._assign(element, span)
        if element.tag == "send":
            return self._send(element, span)
        if element.tag == "if":
            return self._if(element, span)
        reason = _UNSUPPORTED.get(element.tag, "is not SCXML executable content")
        self.unsupported(f"<{element.tag}>: {reason}; skipped", span)
        return None

    def _if(self, element: Element, span: Span) -> If:
        """Branches split at the ``<elseif>``/``<else>`` markers inside ``<if>``."""
        self.if_count += 1
        cond = self.cond(element, transition=False) or Cond(None, span)
        branches: list[tuple[Cond | None, list[Executable]]] = [(cond, [])]
        for child in element.children:
            if child.is_scxml and child.tag == "elseif":
                branches.append((self.cond(child, transition=False) or Cond(None, span), []))
            elif child.is_scxml and child.tag == "else":
                branches.append((None, []))
            else:
                item = self.executable(child)
                if item is not None:
                    branches[-1][1].append(item)
        return If(self.if_count, tuple((c, tuple(body)) for c, body in branches), span)

    def _assign(self, element: Element, span: Span) -> Assign | None:
        target = element.attrs.get("location", "")
        variable = self.variables.get(target)
        if variable is None:
            close = ", ".join(sorted(self.variables)) or "none"
            self.error(
                codes.LD005,
                f"<assign> to '{target}', which is no <data> of the chart",
                element,
                f"declared data: {close}",
            )
            return None
        if "expr" not in element.attrs:
            self.unsupported(f"<assign> to '{target}' without 'expr': any value", span)
            return Assign(target, None, span)
        expr, text = self._expression(element, "expr", "value")
        if expr is None:
            return Assign(target, None, span)
        checker = TypeChecker(self.scope(conditions=False))
        assignment = Assignment(target, expr, span, span)
        typed = checker.action((assignment,))
        if typed is None or not self._typed(checker, "value", text, element) or not typed:
            return Assign(target, None, span)
        return Assign(target, typed[0].value, span)

    def _send(self, element: Element, span: Span) -> Raise | None:
        event = element.attrs.get("event")
        target = element.attrs.get("target")
        if event is None or "eventexpr" in element.attrs:
            self.unsupported("<send> with a computed event name is not modelled; skipped", span)
            return None
        if "targetexpr" in element.attrs or (target and target != SEND_TARGET_INTERNAL):
            self.unsupported(
                f"<send event='{event}'> to another target is not modelled; skipped", span
            )
            return None
        if element.children or "namelist" in element.attrs:
            self.unsupported(f"<send event='{event}'>: the data it carries is not modelled", span)
        if target == SEND_TARGET_INTERNAL:
            return Raise(event, span)
        # To the chart's own external queue: an input the environment may deliver (any time).
        self.sent.add(event)
        self.unsupported(
            f"<send event='{event}'> to the chart itself: modelled as an input the environment "
            "may send at any time (its delay and order are not modelled)",
            span,
        )
        return None


def _raw_offset(raw: str, offset: int) -> int:
    """Where character ``offset`` of an attribute's value stands in the file: entities such
    as ``&gt;`` are one character of the value but several of the text."""
    position = 0
    for _ in range(offset):
        if position >= len(raw):
            break
        if raw[position] == "&" and ";" in raw[position : position + 10]:
            position = raw.index(";", position)
        position += 1
    return position


def _anywhere(span: Span, start: int, end: int) -> Span:
    return span


def _constant(expr: Expr | None) -> tuple[bool | int | Fraction | str, VarType] | None:
    """A constant's value and type (the type checker's literal typing), else None."""
    negated = isinstance(expr, Unary) and expr.op == "-"
    literal = expr.operand if isinstance(expr, Unary) and negated else expr
    if not isinstance(literal, Literal):
        return None
    typed = TypeChecker({}).infer(literal)
    if typed is None or typed.type is None:
        return None
    value = literal.value
    if not negated:
        return value, typed.type
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        return None
    return -value, typed.type
