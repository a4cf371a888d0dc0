"""Name resolution: references to states, nodes, plugins and attributes, with did-you-mean.

Shared by every front end: a :class:`Names` is given the front end's own ``error`` method
(YAML ``Reader.error``, DSL ``Context.error``), so positions stay the front end's business
while the message and the hint are the same in every format.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from archctl import codes
from archctl.diagnostics import Code
from archctl.source import Span

#: A front end's ``error(code, message, where, help)``; ``where`` is its own node type (a
#: YAML node, a lark token) or a Span.
Report = Callable[[Code, str, Any, "str | None"], None]


def unknown_hint(what: str, name: str, declared: Mapping[str, Span]) -> str:
    """``did you mean 'x'?``, else the declared names, else that there are none."""
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if declared:
        return f"declared {what}s: " + ", ".join(sorted(declared)[:10])
    return f"no {what}s are declared"


class Names:
    """The declared names of one namespace (e.g. the states of one machine)."""

    def __init__(
        self,
        report: Report,
        what: str,
        declared: Mapping[str, Span],
    ) -> None:
        self.report = report
        self.what = what
        self.declared = declared

    def resolve(self, name: str | None, where: Any) -> str | None:
        """The name when declared; otherwise an LD005 at ``where`` and None."""
        if name is None:
            return None
        if name in self.declared:
            return name
        hint = unknown_hint(self.what, name, self.declared)
        self.report(codes.LD005, f"unknown {self.what} '{name}'", where, hint)
        return None
