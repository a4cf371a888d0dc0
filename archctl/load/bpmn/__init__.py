"""The BPMN 2.0 import front end (docs/bpmn.md): ``.bpmn`` files, one workflow per process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archctl.model.spec import LoadResult


@dataclass(frozen=True)
class BpmnFrontEnd:
    name: str = "bpmn"
    extensions: tuple[str, ...] = (".bpmn",)

    def read(self, text: str, *, source: str) -> LoadResult:
        from archctl.load.bpmn.frontend import load_bpmn_text

        return load_bpmn_text(source, text)


BPMN = BpmnFrontEnd()
