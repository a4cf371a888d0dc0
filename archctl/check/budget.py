"""The time budget of one spec: ``--timeout`` covers all of a spec's checks, not one query.

A checker runs many solver queries and searches; a per-query timeout alone lets a spec with
a hundred hard queries run for a hundred timeouts. ``run_checks`` opens a :class:`Budget` per
spec and every solver query is given at most what is left of it (``smt.solve``,
``smt.new_solver`` and the Spacer engine read it through :func:`clamp_ms`), so a spec ends
within about its budget and whatever was not decided by then is reported inconclusive (x901),
never passed. The budget is a context variable so engines need no extra parameter.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Budget:
    """Wall-clock budget of one spec, in milliseconds from when it was opened."""

    total_ms: int
    started: float = field(default_factory=time.monotonic)

    def remaining_ms(self) -> int:
        spent = (time.monotonic() - self.started) * 1000
        return max(0, int(self.total_ms - spent))

    def expired(self) -> bool:
        return self.remaining_ms() <= 0


_CURRENT: ContextVar[Budget | None] = ContextVar("archctl_budget", default=None)


@contextmanager
def spending(budget: Budget) -> Iterator[Budget]:
    """Make ``budget`` the one engines draw on while the block runs."""
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current() -> Budget | None:
    return _CURRENT.get()


def clamp_ms(timeout_ms: int) -> int:
    """``timeout_ms`` cut to what is left of the current spec's budget (at least 1 ms).

    1 ms rather than 0 because z3 reads 0 as "no timeout"; a query z3 still answers within
    1 ms is an answer, anything else comes back unknown and is reported as such.
    """
    budget = current()
    if budget is None:
        return timeout_ms
    return max(1, min(timeout_ms, budget.remaining_ms()))


def expired() -> bool:
    """Whether the current spec's budget is spent (False outside a budget)."""
    budget = current()
    return budget is not None and budget.expired()
