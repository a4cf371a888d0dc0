"""The YAML front end (spec-format.md): ``.yaml`` and ``.yml`` files, one spec per document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archctl.model.spec import LoadResult


@dataclass(frozen=True)
class YamlFrontEnd:
    name: str = "yaml"
    extensions: tuple[str, ...] = (".yaml", ".yml")

    def read(self, text: str, *, source: str) -> LoadResult:
        from archctl.load.yaml.loader import load_yaml_text

        return load_yaml_text(source, text)


YAML = YamlFrontEnd()
