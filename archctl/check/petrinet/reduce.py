"""Two exact reductions that shrink the state space before the search (docs/pnml.md).

Industrial nets are mostly sequences running in parallel, and every interleaving of every
intermediate step is a marking of its own: ten branches of six steps are a million markings.
Two classical reductions (Murata's fusion rules, restricted to where they are exact for
soundness with safeness) remove those steps without changing any verdict:

- *parallel places*: two places (neither source nor sink) with the same input and the same
  output transitions hold the same number of tokens in every reachable marking, so one of
  them is dropped (it doubles exactly when its twin does).
- *series*: a place ``p`` (neither source nor sink) whose only output transition ``t`` has
  ``p`` as its only input: once ``p`` is marked, ``t`` is enabled and nothing else can take
  the token, so every producer ``u`` of ``p`` fires ``t`` right after itself (``u``
  becomes the sequence ``u t``). No dead marking has a token on ``p``; a run that completes
  fires ``t`` and can fire it at once; a second token on ``p`` means ``t`` can put a second
  one on its outputs as well, so safeness, deadlocks, completion and dead transitions are
  what they were. Where ``u`` and ``t`` share an output, ``u t`` always doubles a token:
  the reduced transition is marked unsafe to fire.

Place numbering is kept, so a reduced marking is the original one minus the dropped places;
each reduced transition remembers the original transitions it stands for, in firing order,
and findings replay those in the original net (``findings.py``), so every trace and every
dead transition is stated in the user's net. Nets with arc weights above one are not reduced.
"""

from __future__ import annotations

from dataclasses import dataclass

from archctl.check.petrinet.explore import Compiled


@dataclass(frozen=True)
class Reduced:
    net: Compiled
    #: per reduced transition: the original transitions it fires, in order
    steps: tuple[tuple[int, ...], ...]


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        mask ^= low
        out.append(low.bit_length() - 1)
    return out


class _Net:
    """The net being reduced: masks per live transition, producers/consumers per place."""

    def __init__(self, net: Compiled) -> None:
        self.pre = dict(enumerate(net.pre))
        self.post = dict(enumerate(net.post))
        self.steps: dict[int, tuple[int, ...]] = {t: (t,) for t in self.pre}
        self.doubles = dict(net.doubles)
        self.prod: list[set[int]] = [set() for _ in net.places]
        self.cons: list[set[int]] = [set() for _ in net.places]
        for t in self.pre:
            for p in _bits(self.pre[t]):
                self.cons[p].add(t)
            for p in _bits(self.post[t]):
                self.prod[p].add(t)
        self.fixed = net.initial | net.sinks

    def drop_place(self, p: int) -> None:
        bit = 1 << p
        for t in self.prod[p]:
            self.post[t] &= ~bit
        for t in self.cons[p]:
            self.pre[t] &= ~bit
        self.prod[p] = set()
        self.cons[p] = set()
        self.fixed |= bit  # never looked at again

    def parallel(self) -> bool:
        seen: dict[tuple[frozenset[int], frozenset[int]], int] = {}
        changed = False
        for p in range(len(self.prod)):
            if self.fixed >> p & 1 or not self.prod[p] or not self.cons[p]:
                continue
            key = (frozenset(self.prod[p]), frozenset(self.cons[p]))
            if key in seen:
                self.drop_place(p)
                changed = True
            else:
                seen[key] = p
        return changed

    def series(self) -> bool:
        changed = False
        for p in range(len(self.prod)):
            bit = 1 << p
            if self.fixed & bit or len(self.cons[p]) != 1 or not self.prod[p]:
                continue
            t = next(iter(self.cons[p]))
            if self.pre[t] != bit or self.post[t] & bit or not self.post[t]:
                continue
            self._fuse(p, t)
            changed = True
        return changed

    def _fuse(self, p: int, t: int) -> None:
        bit, after = 1 << p, self.post[t]
        for u in sorted(self.prod[p]):
            rest = self.post[u] & ~bit
            overlap = rest & after
            if overlap and u not in self.doubles:
                self.doubles[u] = _bits(overlap)[0]
            elif t in self.doubles and u not in self.doubles:
                self.doubles[u] = self.doubles[t]
            self.post[u] = rest | after
            self.steps[u] = self.steps[u] + self.steps[t]
            for q in _bits(after):
                self.prod[q].add(u)
        for q in _bits(after):
            self.prod[q].discard(t)
        del self.pre[t], self.post[t], self.steps[t]
        self.doubles.pop(t, None)
        self.prod[p] = set()
        self.cons[p] = set()
        self.fixed |= bit


def reduce_net(net: Compiled, weighted: bool) -> Reduced:
    """``net`` with parallel places dropped and series steps fused, to a fixpoint."""
    if weighted:
        return Reduced(net, tuple((t,) for t in range(len(net.transitions))))
    work = _Net(net)
    while work.parallel() | work.series():
        pass
    kept = sorted(work.pre)
    renumber = {t: index for index, t in enumerate(kept)}
    consumers: list[list[int]] = [[] for _ in net.places]
    for t in kept:
        mask = work.pre[t]
        if mask:
            consumers[(mask & -mask).bit_length() - 1].append(renumber[t])
    reduced = Compiled(
        net.places,
        tuple(net.transitions[t] for t in kept),
        tuple(work.pre[t] for t in kept),
        tuple(work.post[t] for t in kept),
        {renumber[t]: place for t, place in work.doubles.items()},
        tuple(tuple(c) for c in consumers),
        net.initial,
        net.sinks,
    )
    return Reduced(reduced, tuple(work.steps[t] for t in kept))
