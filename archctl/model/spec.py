"""The union of spec kinds and the set of specs loaded from a run's inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NoReturn, Union, get_args

from archctl.diagnostics import Diagnostic
from archctl.model.petrinet import PetriNet
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.source import SourceFile

Spec = Union[StateMachine, Workflow, PluginSet, Policy, System, PetriNet]
#: the specs archctl's YAML and DSL can write (``convert`` turns a net into a workflow first)
TextSpec = Union[StateMachine, Workflow, PluginSet, Policy, System]

#: The name of every spec kind; each model's ``kind`` field is one of these literals, so a
#: dispatch over ``spec.kind`` that forgets one is a mypy error (``assert_never``).
KindName = Literal["workflow", "statemachine", "plugins", "policy", "system", "petrinet"]

KINDS: tuple[KindName, ...] = get_args(KindName)

#: The kinds a person writes in YAML or the DSL (``kind: ...``), each with a JSON Schema; a
#: Petri net is only ever imported (PNML), never written in archctl's own formats.
TEXT_KINDS: tuple[KindName, ...] = tuple(kind for kind in KINDS if kind != "petrinet")


def assert_never(value: NoReturn) -> NoReturn:
    """The end of an exhaustive ``match``: mypy rejects the call when a case is missing.

    (``typing.assert_never`` is Python 3.11+; this is the same contract for 3.10.)
    """
    raise AssertionError(f"unhandled case: {value!r}")


@dataclass
class LoadResult:
    """What loading some paths produced: specs, load diagnostics, and the sources read."""

    specs: list[Spec] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.specs.extend(other.specs)
        self.diagnostics.extend(other.diagnostics)
        self.sources.update(other.sources)
        self.files.extend(other.files)
