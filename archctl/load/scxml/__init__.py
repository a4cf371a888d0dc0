"""The SCXML import front end (docs/scxml.md): ``.scxml`` charts as one flat statemachine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archctl.model.spec import LoadResult


@dataclass(frozen=True)
class ScxmlFrontEnd:
    name: str = "scxml"
    extensions: tuple[str, ...] = (".scxml",)

    def read(self, text: str, *, source: str) -> LoadResult:
        from archctl.load.scxml.frontend import load_scxml_text

        return load_scxml_text(source, text)


SCXML = ScxmlFrontEnd()
