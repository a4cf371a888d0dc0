"""The PNML front end (docs/pnml.md): ``.pnml`` P/T nets, one Petri net spec per ``<net>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archctl.model.spec import LoadResult


@dataclass(frozen=True)
class PnmlFrontEnd:
    name: str = "pnml"
    extensions: tuple[str, ...] = (".pnml",)

    def read(self, text: str, *, source: str) -> LoadResult:
        from archctl.load.pnml.frontend import load_pnml_text

        return load_pnml_text(source, text)


PNML = PnmlFrontEnd()
