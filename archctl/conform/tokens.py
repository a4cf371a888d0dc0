"""Token-based replay fitness, as pm4py defines it, on a workflow's net.

Each trace is replayed on one marking: an event fires a transition with its label, after
silent transitions that enable it (the shortest such sequence) when needed; when none
does, the missing tokens are added (counted as *missing*). At the end, silent steps try
to reach the sink; tokens left elsewhere are *remaining*. Produced counts the initial
token and every produced one; consumed every consumed one plus the final token. The
trace's fitness is ``0.5 * (1 - m/c) + 0.5 * (1 - r/p)``; the log's is the same formula
over the sums. Events whose activity is not in the model are skipped, as pm4py does.
Where the workflow ends with several tokens in the sink (parallel branches each reaching
an end), they all count as final, which is archctl's completion rule.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from functools import partial

from archctl.conform.outcome import Tokens
from archctl.conform.workflow_net import Marking, NetTransition, WorkflowSemantics

#: a case's token-replay state: (marking, produced, consumed, missing) so far
Counts = tuple[Marking, int, int, int]
#: markings explored when looking for silent steps that enable a transition
SILENT_SEARCH = 2_000


class TokenReplayer:
    def __init__(self, semantics: WorkflowSemantics) -> None:
        self.semantics = semantics
        self.net = semantics.net
        self.by_label: dict[str, list[NetTransition]] = {}
        for transition in self.net.transitions:
            if transition.label is not None:
                self.by_label.setdefault(transition.label, []).append(transition)
        self._silent = [t for t in self.net.transitions if t.label is None]
        self._steps: dict[tuple[Marking, str], Counts] = {}

    def replay(self, activities: Sequence[str]) -> Tokens:
        state = self.start()
        for activity in activities:
            state = self.advance(state, activity)
        return self.finish(state)

    def start(self) -> Counts:
        """The state of a case before its first event: (marking, produced, consumed, missing)."""
        marking = self.net.initial_marking
        return (marking, len(marking), 0, 0)

    def advance(self, state: Counts, activity: str) -> Counts:
        """The state after one event; each (marking, activity) is worked out once."""
        marking, produced, consumed, missing = state
        key = (marking, activity)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = self._step(marking, activity)
        after, more_produced, more_consumed, more_missing = step
        return (after, produced + more_produced, consumed + more_consumed, missing + more_missing)

    def _step(self, marking: Marking, activity: str) -> Counts:
        produced = consumed = missing = 0
        candidates = self.by_label.get(activity)
        if not candidates:
            return (marking, 0, 0, 0)  # not in the model: skipped, as pm4py does
        fired = self._fire_enabled(marking, candidates)
        if fired is None:
            path = self._silent_path(marking, partial(self._enabled, candidates=candidates))
            if path is not None:
                for step in path:
                    after = self._must_fire(marking, step)
                    produced += len(step.produce)
                    consumed += self._consumed(marking, step, after)
                    marking = after
                fired = self._fire_enabled(marking, candidates)
        if fired is None:
            transition = candidates[0]
            have = list(marking)
            for place in transition.consume:
                if place in have:
                    have.remove(place)
                else:
                    missing += 1
                    marking = tuple(sorted((*marking, place)))
            fired = (transition, self._must_fire(marking, transition))
        transition, after = fired
        consumed += self._consumed(marking, transition, after)
        produced += len(transition.produce)
        return (after, produced, consumed, missing)

    def finish(self, state: Counts) -> Tokens:
        """Silent steps towards the sink, then the remaining and final-token accounting."""
        marking, produced, consumed, missing = state
        path = self._silent_path(marking, self.semantics.complete)
        if path is not None:
            for step in path:
                after = self._must_fire(marking, step)
                produced += len(step.produce)
                consumed += self._consumed(marking, step, after)
                marking = after
        sink = self.net.sink
        final_tokens = sum(1 for place in marking if place == sink)
        remaining = len(marking) - final_tokens
        if final_tokens == 0:
            missing += 1
        consumed += max(final_tokens, 1)
        return Tokens(produced, consumed, missing, remaining)

    def _enabled(self, marking: Marking, candidates: list[NetTransition]) -> bool:
        return any(self.semantics.fire(marking, t) is not None for t in candidates)

    def _fire_enabled(
        self, marking: Marking, candidates: list[NetTransition]
    ) -> tuple[NetTransition, Marking] | None:
        for transition in candidates:
            after = self.semantics.fire(marking, transition)
            if after is not None:
                return transition, after
        return None

    @staticmethod
    def _consumed(before: Marking, transition: NetTransition, after: Marking) -> int:
        """Tokens a firing took: its inputs, and what a completion join drains or a scoped
        terminate clears (so the counts stay balanced as pm4py's are)."""
        if transition.drains or transition.clears:
            return len(before) + len(transition.produce) - len(after)
        return len(transition.consume)

    def _must_fire(self, marking: Marking, transition: NetTransition) -> Marking:
        if transition.drains or transition.clears or transition.empty:
            after = self.semantics.fire(marking, transition)
            if after is not None:
                return after
        tokens = list(marking)
        for place in transition.consume:
            tokens.remove(place)
        if transition.ends_instance:
            return (self.net.sink,)
        return tuple(sorted((*tokens, *transition.produce)))

    def _silent_path(
        self, start: Marking, goal: Callable[[Marking], bool]
    ) -> list[NetTransition] | None:
        """The shortest sequence of silent transitions from ``start`` to a goal marking."""
        if goal(start):
            return []
        parent: dict[Marking, tuple[Marking, NetTransition]] = {}
        queue = deque([start])
        seen = {start}
        while queue and len(seen) < SILENT_SEARCH:
            marking = queue.popleft()
            for transition in self._silent:
                after = self.semantics.fire(marking, transition)
                if after is None or after in seen:
                    continue
                seen.add(after)
                parent[after] = (marking, transition)
                if goal(after):
                    path: list[NetTransition] = []
                    node = after
                    while node != start:
                        node, step = parent[node]
                        path.append(step)
                    path.reverse()
                    return path
                queue.append(after)
        return None


def fitness(tokens: Sequence[tuple[Tokens, int]]) -> float:
    """pm4py's log fitness from (per-variant counts, number of cases) pairs."""
    p = sum(t.produced * n for t, n in tokens)
    c = sum(t.consumed * n for t, n in tokens)
    m = sum(t.missing * n for t, n in tokens)
    r = sum(t.remaining * n for t, n in tokens)
    if p == 0 or c == 0:
        return 1.0
    return 0.5 * (1.0 - m / c) + 0.5 * (1.0 - r / p)
