"""Exact replay of one trace: the set of configurations the spec can be in after each event.

The set is closed under silent steps before each event, so a gateway or an internal
transition never needs to be logged. A trace fits when a complete configuration remains
at its end. Sets are interned and each (set, activity) step is cached, so a log of a
million events over a few hundred variants costs a few dictionary look-ups per event.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from archctl.conform.outcome import INCOMPLETE, MISSING, UNEXPECTED, UNKNOWN, Deviation
from archctl.conform.semantics import Attributes, Config, Semantics

#: configurations explored when telling a skipped activity (missing) from a wrong one
LOOKAHEAD = 5_000


class Replayer:
    def __init__(self, semantics: Semantics) -> None:
        self.semantics = semantics
        self._ids: dict[frozenset[Config], int] = {}
        self._sets: list[frozenset[Config]] = []
        self._closed: dict[int, int] = {}
        self._steps: dict[tuple[int, str, Attributes], int] = {}
        self.start = self._closure(self._intern(frozenset(semantics.initial())))

    def _intern(self, configs: frozenset[Config]) -> int:
        found = self._ids.get(configs)
        if found is None:
            found = self._ids[configs] = len(self._sets)
            self._sets.append(configs)
        return found

    def _closure(self, set_id: int) -> int:
        done = self._closed.get(set_id)
        if done is not None:
            return done
        seen = set(self._sets[set_id])
        queue = deque(seen)
        while queue:
            for after in self.semantics.silent(queue.popleft()):
                if after not in seen:
                    seen.add(after)
                    queue.append(after)
        closed = self._intern(frozenset(seen))
        self._closed[set_id] = closed
        self._closed[closed] = closed
        return closed

    def step(self, set_id: int, activity: str, attributes: Attributes = ()) -> int:
        """The closed set after ``activity``; the empty set's id when it is not possible."""
        key = (set_id, activity, attributes)
        found = self._steps.get(key)
        if found is None:
            observe = self.semantics.observe
            after = frozenset(
                nxt
                for config in self._sets[set_id]
                for label, nxt in self.semantics.visible(config)
                if label == activity and (not attributes or observe(nxt, attributes))
            )
            found = self._steps[key] = self._closure(self._intern(after))
        return found

    def is_empty(self, set_id: int) -> bool:
        return not self._sets[set_id]

    def can_end(self, set_id: int) -> bool:
        return any(self.semantics.complete(c) for c in self._sets[set_id])

    def allowed(self, set_id: int) -> tuple[str, ...]:
        """The activities the spec allows next from these configurations, sorted."""
        return tuple(
            sorted({label for c in self._sets[set_id] for label, _ in self.semantics.visible(c)})
        )

    def replay(
        self, activities: Sequence[str], attributes: Sequence[Attributes] | None = None
    ) -> Deviation | None:
        """The first deviation of a trace, or None when it is a run of the spec."""
        current = self.start
        for index, activity in enumerate(activities):
            data = attributes[index] if attributes is not None else ()
            after = self.step(current, activity, data)
            if self.is_empty(after):
                return self.deviation(current, index, activity, data)
            current = after
        if not self.can_end(current):
            return Deviation(INCOMPLETE, len(activities), self.allowed(current))
        return None

    def deviation(
        self, set_id: int, index: int, activity: str, attributes: Attributes
    ) -> Deviation:
        expected = self.allowed(set_id)
        if activity not in self.semantics.labels:
            return Deviation(UNKNOWN, index, expected)
        kind = MISSING if self._later(set_id, activity, attributes) else UNEXPECTED
        return Deviation(kind, index, expected)

    def _later(self, set_id: int, activity: str, attributes: Attributes) -> bool:
        """Whether the event becomes possible after some unlogged activity (one was skipped)."""
        semantics = self.semantics
        start = self._sets[set_id]
        seen = set(start)
        queue = deque((config, False) for config in start)
        while queue and len(seen) < LOOKAHEAD:
            config, skipped = queue.popleft()
            for label, after in semantics.visible(config):
                if (
                    skipped
                    and label == activity
                    and (not attributes or semantics.observe(after, attributes))
                ):
                    return True
                if after not in seen:
                    seen.add(after)
                    queue.append((after, True))
            for after in semantics.silent(config):
                if after not in seen:
                    seen.add(after)
                    queue.append((after, skipped))
        return False
