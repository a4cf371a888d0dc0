"""The DSL front end (docs/dsl.md): ``.arch`` files, parsed with lark on first use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archctl.model.spec import LoadResult


@dataclass(frozen=True)
class DslFrontEnd:
    name: str = "dsl"
    extensions: tuple[str, ...] = (".arch",)

    def read(self, text: str, *, source: str) -> LoadResult:
        from archctl.load.dsl.frontend import load_dsl_text

        return load_dsl_text(source, text)


DSL = DslFrontEnd()
