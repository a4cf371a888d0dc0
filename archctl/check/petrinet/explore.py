"""Explicit reachability over the markings of a workflow net, one bit per place.

Soundness as archctl checks it requires safeness (no place ever holds two tokens), so every
marking the search has to store is a set of places: a Python int with bit ``i`` set when
place ``i`` holds its token. Enabling is ``m & pre == pre`` and firing ``(m ^ pre) | post``;
a firing that would put a second token on a place (``(m ^ pre) & post``, or an output arc of
weight two) is the first unsafe step, and the search stops there: the net is not sound and
the breadth-first order makes the trace to it a shortest one.

Only transitions with a marked input place are tried: each transition is listed under its
lowest-numbered input place, so walking the marked bits tries each candidate once. An input
arc of weight two or more can never be enabled in a safe marking, so such a transition is
never tried (and is dead unless the search stopped at an unsafe step first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from archctl.check.budget import current
from archctl.model.petrinet import PetriNet

#: how often (in markings) the search looks at the spec's time budget
_CLOCK_EVERY = 4096


@dataclass(frozen=True)
class Compiled:
    """The net as bit masks: ``pre[t]``/``post[t]`` are the input/output places of ``t``."""

    places: tuple[str, ...]
    transitions: tuple[str, ...]
    pre: tuple[int, ...]
    post: tuple[int, ...]
    #: transitions with an output arc of weight two or more (to the place given): firing one
    #: is always unsafe
    doubles: Mapping[int, int]
    #: per place: the transitions whose lowest-numbered input place it is
    first_consumers: tuple[tuple[int, ...], ...]
    initial: int
    sinks: int


def compile_net(net: PetriNet) -> Compiled:
    places = tuple(place.id for place in net.places)
    transitions = tuple(transition.id for transition in net.transitions)
    place_bit = {place: 1 << index for index, place in enumerate(places)}
    index_of = {transition: index for index, transition in enumerate(transitions)}
    pre = [0] * len(transitions)
    post = [0] * len(transitions)
    heavy_input: set[int] = set()
    doubles: dict[int, int] = {}
    for arc in net.arcs:
        if arc.source in place_bit:
            t = index_of[arc.target]
            pre[t] |= place_bit[arc.source]
            if arc.weight > 1:
                heavy_input.add(t)
        else:
            t = index_of[arc.source]
            post[t] |= place_bit[arc.target]
            if arc.weight > 1:
                doubles.setdefault(t, place_bit[arc.target].bit_length() - 1)
    consumers: list[list[int]] = [[] for _ in places]
    for t, mask in enumerate(pre):
        if mask and t not in heavy_input:
            consumers[(mask & -mask).bit_length() - 1].append(t)
    sinks = 0
    for sink in net.sinks:
        sinks |= place_bit[sink]
    return Compiled(
        places,
        transitions,
        tuple(pre),
        tuple(post),
        doubles,
        tuple(tuple(c) for c in consumers),
        place_bit[net.source],
        sinks,
    )


@dataclass
class Exploration:
    """The reachable markings in breadth-first order and how each was first reached."""

    markings: list[int] = field(default_factory=list)
    #: index of the marking each one was first reached from (-1 for the initial marking)
    parent: list[int] = field(default_factory=list)
    #: the transition that first reached it (-1 for the initial marking)
    via: list[int] = field(default_factory=list)
    #: successors of every expanded marking (by index)
    succ: list[list[int]] = field(default_factory=list)
    fired: set[int] = field(default_factory=set)
    #: the first unsafe step: (marking index, transition, place index that gets a second token)
    unsafe: tuple[int, int, int] | None = None
    #: why the search stopped before the end ("states" or "time"), None when it finished
    stopped: str | None = None


def explore(net: Compiled, max_states: int) -> Exploration:
    """Every reachable marking, unless an unsafe step or a budget stops the search first."""
    found = Exploration()
    markings, parent, via, succ, fired = (
        found.markings,
        found.parent,
        found.via,
        found.succ,
        found.fired,
    )
    index = {net.initial: 0}
    markings.append(net.initial)
    parent.append(-1)
    via.append(-1)
    pre, post, doubles, consumers = net.pre, net.post, net.doubles, net.first_consumers
    budget = current()
    head = 0
    while head < len(markings):
        if head % _CLOCK_EVERY == 0 and head and budget is not None and budget.expired():
            found.stopped = "time"
            return found
        marking = markings[head]
        out: list[int] = []
        bits = marking
        while bits:
            low = bits & -bits
            bits ^= low
            for t in consumers[low.bit_length() - 1]:
                need = pre[t]
                if marking & need != need:
                    continue
                rest = marking ^ need
                clash = rest & post[t]
                if clash or t in doubles:
                    place = (clash & -clash).bit_length() - 1 if clash else doubles[t]
                    found.unsafe = (head, t, place)
                    return found
                nxt = rest | post[t]
                fired.add(t)
                known = index.get(nxt)
                if known is None:
                    known = len(markings)
                    if known >= max_states:
                        found.stopped = "states"
                        return found
                    index[nxt] = known
                    markings.append(nxt)
                    parent.append(head)
                    via.append(t)
                out.append(known)
        succ.append(out)
        head += 1
    return found
