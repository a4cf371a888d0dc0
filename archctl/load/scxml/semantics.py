"""One SCXML microstep on a configuration: the W3C algorithm (SCXML 1.0, Appendix D).

Transition selection (innermost source first, document order between ties, then
conflict removal so that a transition in a descendant preempts one in an ancestor), the exit
set, history recording, the entry set with default and history entry, ``done.state.ID``
events and halting in a top-level ``<final>`` follow the specification's pseudo-code. Data is
not interpreted here: whether a transition's ``cond`` holds is asked of the caller, which is
how the flattener branches on conditions it cannot decide from the configuration alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from archctl.load.scxml.chart import (
    Assign,
    Chart,
    ChartState,
    ChartTransition,
    Cond,
    Executable,
    If,
    Raise,
)

History = tuple[tuple[int, tuple[int, ...]], ...]
#: whether branch ``index`` of an ``<if>`` is taken, given its condition and the assignments
#: already run in this microstep (the caller decides, as it does for transition conds)
Choose = Callable[[If, int, Cond, list[Assign]], bool]


@dataclass
class Entry:
    """What a microstep enters: the states, those entered by their default initial
    transition, and the default-history content to run per parent."""

    states: set[int] = field(default_factory=set)
    default: set[int] = field(default_factory=set)
    history_content: dict[int, ChartTransition] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """Active states (every level, root excluded), recorded histories, the internal queue."""

    config: frozenset[int]
    history: History = ()
    queue: tuple[str, ...] = ()
    halted: bool = False


def matches(transition: ChartTransition, event: str | None) -> bool:
    """SCXML 3.12.1: a descriptor matches the event itself and its dotted refinements."""
    if event is None:
        return not transition.events
    return any(
        word == "*" or event == word or event.startswith(word + ".") for word in transition.events
    )


class Step:
    """The algorithm over one chart; stateless between calls."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.states = chart.states
        # a history no transition targets is never read: recording it would only split flat
        # states that behave the same
        self.read_histories = {
            target
            for state in chart.states
            for transition in [*state.transitions, *([state.initial] if state.initial else [])]
            for target in transition.targets
            if self.states[target].kind == "history"
        }

    # -- tree helpers ------------------------------------------------------------------------
    def ancestors(self, index: int, upto: int | None = None) -> list[int]:
        """Proper ancestors, innermost first, stopping before ``upto`` (root included)."""
        out = []
        parent = self.states[index].parent
        while parent is not None and parent != upto:
            out.append(parent)
            parent = self.states[parent].parent
        return out

    def descends(self, index: int, ancestor: int) -> bool:
        return ancestor in self.ancestors(index)

    def regions(self, state: ChartState) -> list[int]:
        return [c for c in state.children if self.states[c].kind != "history"]

    # -- selection ---------------------------------------------------------------------------
    def select(
        self, snap: Snapshot, event: str | None, holds: Callable[[ChartTransition], bool]
    ) -> list[ChartTransition]:
        enabled: list[ChartTransition] = []
        atomics = sorted(s for s in snap.config if self.states[s].is_atomic)
        for atomic in atomics:
            chosen = self._first(atomic, event, holds)
            if chosen is not None and chosen not in enabled:
                enabled.append(chosen)
        return self._without_conflicts(snap, enabled)

    def _first(
        self, atomic: int, event: str | None, holds: Callable[[ChartTransition], bool]
    ) -> ChartTransition | None:
        for state in [atomic, *self.ancestors(atomic)]:
            for transition in self.states[state].transitions:
                if matches(transition, event) and (transition.cond is None or holds(transition)):
                    return transition
        return None

    def _without_conflicts(
        self, snap: Snapshot, enabled: list[ChartTransition]
    ) -> list[ChartTransition]:
        filtered: list[ChartTransition] = []
        for first in enabled:
            preempted = False
            removed = []
            exits = self.exit_set(snap, [first])
            for other in filtered:
                if exits & self.exit_set(snap, [other]):
                    if self.descends(first.source, other.source):
                        removed.append(other)
                    else:
                        preempted = True
                        break
            if not preempted:
                filtered = [t for t in filtered if t not in removed] + [first]
        return filtered

    # -- exit and entry sets -------------------------------------------------------------------
    def effective_targets(self, snap: Snapshot, transition: ChartTransition) -> list[int]:
        history = dict(snap.history)
        out: list[int] = []
        for target in transition.targets:
            state = self.states[target]
            if state.kind != "history":
                out.append(target)
            elif target in history:
                out.extend(history[target])
            elif state.initial is not None:
                out.extend(self.effective_targets(snap, state.initial))
        return out

    def domain(self, snap: Snapshot, transition: ChartTransition) -> int | None:
        targets = self.effective_targets(snap, transition)
        if not transition.targets:
            return None
        source = self.states[transition.source]
        if transition.source == 0:
            return 0
        if (
            transition.internal
            and source.is_compound
            and all(self.descends(t, transition.source) for t in targets)
        ):
            return transition.source
        return self.lcca([transition.source, *targets])

    def lcca(self, states: list[int]) -> int:
        for ancestor in self.ancestors(states[0]):
            kind = self.states[ancestor]
            if (kind.is_compound or kind.kind == "scxml") and all(
                self.descends(s, ancestor) for s in states[1:]
            ):
                return ancestor
        return 0

    def exit_set(self, snap: Snapshot, transitions: list[ChartTransition]) -> set[int]:
        out: set[int] = set()
        for transition in transitions:
            domain = self.domain(snap, transition)
            if domain is None:
                continue
            out.update(s for s in snap.config if self.descends(s, domain))
        return out

    def entry_set(self, snap: Snapshot, transitions: list[ChartTransition]) -> Entry:
        entry = Entry()
        for transition in transitions:
            for target in transition.targets:
                self._descendants(snap, target, entry)
            domain = self.domain(snap, transition)
            for target in self.effective_targets(snap, transition):
                self._ancestors(snap, target, domain, entry)
        return entry

    def _descendants(
        self,
        snap: Snapshot,
        index: int,
        entry: Entry,
    ) -> None:
        state = self.states[index]
        if state.kind == "history":
            recorded = dict(snap.history).get(index)
            parent = state.parent if state.parent is not None else 0
            if recorded is not None:
                targets: tuple[int, ...] = recorded
            elif state.initial is not None:
                entry.history_content[parent] = state.initial
                targets = state.initial.targets
            else:
                targets = ()
            for target in targets:
                self._descendants(snap, target, entry)
            for target in targets:
                self._ancestors(snap, target, parent, entry)
            return
        entry.states.add(index)
        if state.is_compound and state.initial is not None:
            entry.default.add(index)
            for target in state.initial.targets:
                self._descendants(snap, target, entry)
            for target in state.initial.targets:
                self._ancestors(snap, target, index, entry)
        elif state.kind == "parallel":
            self._regions(snap, state, entry)

    def _regions(
        self,
        snap: Snapshot,
        state: ChartState,
        entry: Entry,
    ) -> None:
        for region in self.regions(state):
            if not any(s == region or self.descends(s, region) for s in entry.states):
                self._descendants(snap, region, entry)

    def _ancestors(
        self,
        snap: Snapshot,
        index: int,
        upto: int | None,
        entry: Entry,
    ) -> None:
        for ancestor in self.ancestors(index, upto):
            if ancestor == 0:
                break
            entry.states.add(ancestor)
            if self.states[ancestor].kind == "parallel":
                self._regions(snap, self.states[ancestor], entry)

    # -- the microstep -------------------------------------------------------------------------
    def microstep(
        self, snap: Snapshot, transitions: list[ChartTransition], choose: Choose
    ) -> tuple[Snapshot, list[Assign]]:
        """Exit, run the transitions' content, enter; the new snapshot and the assignments run
        in order (raised events are already on the new snapshot's queue)."""
        actions: list[Assign] = []
        queue = list(snap.queue)
        history = dict(snap.history)
        config = set(snap.config)

        def run(block: tuple[Executable, ...]) -> None:
            for item in block:
                if isinstance(item, Raise):
                    queue.append(item.event)
                elif isinstance(item, Assign):
                    actions.append(item)
                else:
                    for index, (cond, body) in enumerate(item.branches):
                        if cond is None or choose(item, index, cond, actions):
                            run(body)
                            break

        for state in sorted(self.exit_set(snap, transitions), reverse=True):
            for child in self.states[state].children:
                kept = self.states[child]
                if kept.kind != "history" or child not in self.read_histories:
                    continue
                if kept.deep:
                    recorded = [s for s in snap.config if self.states[s].is_atomic]
                    recorded = [s for s in recorded if self.descends(s, state)]
                else:
                    recorded = [s for s in snap.config if self.states[s].parent == state]
                history[child] = tuple(sorted(recorded))
        for state in sorted(self.exit_set(snap, transitions), reverse=True):
            run(self.states[state].onexit)
            config.discard(state)
        for transition in transitions:
            run(transition.actions)
        # the entry set sees the histories just recorded (a transition into its own history)
        after_exit = Snapshot(snap.config, tuple(sorted(history.items())), snap.queue)
        entry = self.entry_set(after_exit, transitions)
        halted = False
        for state in sorted(entry.states):
            config.add(state)
            chart_state = self.states[state]
            run(chart_state.onentry)
            if state in entry.default and chart_state.initial is not None:
                run(chart_state.initial.actions)
            if state in entry.history_content:
                run(entry.history_content[state].actions)
            if chart_state.kind == "final":
                halted = halted or self._done(chart_state, config, queue)
        kept_history = tuple(sorted(history.items()))
        return Snapshot(frozenset(config), kept_history, tuple(queue), halted), actions

    def _done(self, final: ChartState, config: set[int], queue: list[str]) -> bool:
        """Raise ``done.state.ID`` events; True when a top-level final halts the chart."""
        parent = final.parent
        if parent is None or parent == 0:
            return True
        queue.append(f"done.state.{self.states[parent].id}")
        grand = self.states[parent].parent
        if (
            grand is not None
            and self.states[grand].kind == "parallel"
            and all(self.in_final(region, config) for region in self.regions(self.states[grand]))
        ):
            queue.append(f"done.state.{self.states[grand].id}")
        return False

    def in_final(self, index: int, config: set[int]) -> bool:
        state = self.states[index]
        if state.is_compound:
            return any(c in config and self.states[c].kind == "final" for c in state.children)
        if state.kind == "parallel":
            return all(self.in_final(region, config) for region in self.regions(state))
        return False

    def start(self, choose: Choose) -> tuple[Snapshot, list[Assign]]:
        """The initial microstep: enter the root's default initial states."""
        root = self.states[0].initial
        if root is None:
            return Snapshot(frozenset()), []
        return self.microstep(Snapshot(frozenset()), [root], choose)
