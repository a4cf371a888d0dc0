"""Name resolution: references to states, nodes and rules, with did-you-mean hints."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import yaml

from archctl.load.yaml.reader import Reader
from archctl.source import Span


class Names:
    """The declared names of one namespace (e.g. the states of one machine)."""

    def __init__(self, reader: Reader, what: str, declared: Mapping[str, Span]) -> None:
        self.reader = reader
        self.what = what
        self.declared = declared

    def resolve(self, name: str | None, where: yaml.Node | Span) -> str | None:
        """The name when declared; otherwise an LD005 at ``where`` and None."""
        if name is None:
            return None
        if name in self.declared:
            return name
        close = difflib.get_close_matches(name, list(self.declared), n=1, cutoff=0.6)
        if close:
            hint = f"did you mean '{close[0]}'?"
        elif self.declared:
            hint = f"declared {self.what}s: " + ", ".join(sorted(self.declared)[:10])
        else:
            hint = f"no {self.what}s are declared"
        self.reader.error("LD005", f"unknown {self.what} '{name}'", where, hint)
        return None
