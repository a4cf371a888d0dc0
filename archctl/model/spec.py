"""The union of spec kinds and the set of specs loaded from a run's inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from archctl.diagnostics import Diagnostic
from archctl.model.plugins import PluginSet
from archctl.model.policy import Policy
from archctl.model.statemachine import StateMachine
from archctl.model.workflow import Workflow
from archctl.source import SourceFile

Spec = Union[StateMachine, Workflow, PluginSet, Policy]

KINDS: tuple[str, ...] = ("workflow", "statemachine", "plugins", "policy")


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
