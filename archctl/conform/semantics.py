"""The one interface replay and alignment need from a spec: configurations and moves.

Both spec kinds (a workflow's token game, a state machine's configurations) are labelled
transition systems whose steps are either *visible* (an activity a log can record) or
*silent* (a gateway, an internal transition). Replay and alignments are written once
against this protocol, in :mod:`archctl.conform.replay` and :mod:`archctl.conform.align`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Protocol

Config = Hashable
Attributes = tuple[tuple[str, Any], ...]


class Semantics(Protocol):
    #: every activity the spec can perform (log activities outside it are unknown)
    labels: frozenset[str]

    def initial(self) -> Sequence[Config]: ...

    def silent(self, config: Config) -> Sequence[Config]:
        """Configurations one silent step away."""
        ...

    def visible(self, config: Config) -> Sequence[tuple[str, Config]]:
        """(activity, configuration after it) for every visible step."""
        ...

    def observe(self, config: Config, attributes: Attributes) -> bool:
        """Whether the configuration after an event agrees with the event's logged data."""
        ...

    def complete(self, config: Config) -> bool:
        """Whether a run may end here (the spec's notion of a finished instance)."""
        ...
