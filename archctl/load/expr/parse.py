"""Parse expression strings into the AST, with spans in the user's file.

The caller passes a ``locate(start, end)`` function that maps offsets in the expression
string to a :class:`Span` in the file; that is how an error inside a quoted YAML string still
points at the exact column.

This module runs the parser; what its nodes are built by (``inline.py``) and what its
errors say (``syntax.py``) live beside it.
"""

from __future__ import annotations

import functools
from typing import Any

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.grammar_files import grammar_path
from archctl.load.expr.inline import InlineBuilder, no_locator
from archctl.load.expr.limits import MAX_DEPTH, Locator, Rejected, depth_error, rejected
from archctl.load.expr.syntax import syntax_error
from archctl.model.expr import Action, Expr


@functools.lru_cache(maxsize=1)
def _parser() -> tuple[Any, InlineBuilder]:
    """The LALR parser with :class:`InlineBuilder` building AST nodes as rules are reduced.

    Building during the parse (lark's inline ``transformer=``) skips the intermediate tree,
    lark's position propagation and a second walk: about a third of the load time of a
    policy with hundreds of rules. ``keep_all_tokens`` hands the builder the keywords and
    brackets too, so each span is computed exactly as ``propagate_positions`` computes it
    for the DSL (which embeds this grammar and still walks a tree: ``tree.TreeBuilder``).
    """
    from lark import Lark

    inline = InlineBuilder()
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
        return None, [syntax_error(text, error, locate)]
    except Rejected as error:
        return None, [rejected(error, locate)]
    finally:
        inline.locate = no_locator


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
