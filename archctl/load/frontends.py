"""The front ends archctl reads specs with, registered in one place.

A front end turns the text of one file into specs and located load diagnostics. Each lives
in its own package (``load/yaml``, ``load/dsl``, ``load/bpmn``, independent of each other)
and exposes a small :class:`FrontEnd` object from the package's ``__init__``; the object
imports the parser only on its first ``read``, so start-up pays for none of them and
``verify`` on YAML files never imports lark. Adding a front end (PNML, SCXML) is a package
with such an object and one line in :data:`FRONT_ENDS`.
"""

from __future__ import annotations

from typing import Protocol

from archctl.load.bpmn import BPMN
from archctl.load.dsl import DSL
from archctl.load.pnml import PNML
from archctl.load.scxml import SCXML
from archctl.load.yaml import YAML
from archctl.model.spec import LoadResult


class FrontEnd(Protocol):
    """Reads one file format: its name (``--format``-style), extensions, and the reader."""

    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    def read(self, text: str, *, source: str) -> LoadResult:
        """Every spec in ``text``, with diagnostics located in the file named ``source``."""
        ...


FRONT_ENDS: tuple[FrontEnd, ...] = (YAML, DSL, BPMN, SCXML, PNML)


def by_extension(extension: str) -> FrontEnd | None:
    """The front end of a file extension such as ``.yaml`` (lower case, with the dot)."""
    for front_end in FRONT_ENDS:
        if extension in front_end.extensions:
            return front_end
    return None


def by_name(name: str) -> FrontEnd | None:
    """The front end called ``name`` (``yaml``, ``dsl``, ``bpmn``, ``scxml``)."""
    for front_end in FRONT_ENDS:
        if front_end.name == name:
            return front_end
    return None


def extensions() -> tuple[str, ...]:
    """Every extension a spec file may have, sorted."""
    return tuple(sorted(ext for front_end in FRONT_ENDS for ext in front_end.extensions))
