"""Breadth-first exploration of a system's configurations, with the reductions that make
interleavings tractable.

- **Packed store**: a configuration is stored as a tuple of small ints, each naming an
  interned replica-local state or channel content (SPIN's "collapse" compression); the
  tuple is the hash key.
- **Partial-order reduction** (ample sets): in a configuration, the steps of one replica
  may be explored alone when no other replica can ever interfere with them -- it is the
  only possible sender on every channel it may send to and the only receiver on every
  channel it may receive from (SPIN's exclusive send/receive), it has no rendezvous and
  no channel operation that another replica could enable (a receive on an empty channel,
  a send on a full one), none of its steps is visible (changes a component the properties
  or finality read), and no step out of range is pending. A receive on an ``ordering: bag``
  channel that another replica may send to is never explored alone: a new message could
  enable a receive of it that is not enabled now. The cycle proviso is the
  breadth-first one: a configuration whose ample successors are not all new is expanded
  fully, so every cycle contains a fully expanded configuration. These conditions keep
  every deadlock, every executable transition (so SY101/SY105/SY107) and the reachability
  of every visible condition (so SY103/SY104/SY201/SY202).
- **Symmetry**: replicas of a component whose machine never reads ``self`` and that no
  property names one by one are interchangeable; a configuration is stored with their local
  states sorted (the canonical representative of its orbit).

Breadth-first order makes every reconstructed trace a shortest one (in reduced steps).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archctl.model.system_compiled import Local, SystemModel, initial_locals
from archctl.model.system_step import Config, Fault, Outcome, Step, Stepper, channel_position

Key = tuple[int, ...]


@dataclass
class Exploration:
    """What the search saw; ids are positions in breadth-first discovery order."""

    keys: list[Key] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    edges: list[list[int]] = field(default_factory=list)
    #: per edge (parallel to ``edges``): the transitions it takes, as (replica, number)
    labels: list[list[frozenset[tuple[int, int]]]] = field(default_factory=list)
    complete: bool = True
    deadlocks: list[int] = field(default_factory=list)
    finals: list[int] = field(default_factory=list)
    faults: dict[tuple[str, int], tuple[int, Fault]] = field(default_factory=dict)
    reached: set[tuple[str, int]] = field(default_factory=set)
    taken: set[tuple[str, int]] = field(default_factory=set)
    hits: dict[str, int] = field(default_factory=dict)  # condition name -> first id
    reduced: int = 0  # configurations expanded with an ample set
    #: an ``unbounded`` channel (a BPMN message flow) a run would overfill: (config, position)
    overflow: tuple[int, int] | None = None
    #: a replica in a frontier state of its machine (where an importer stopped building
    #: it): (config, replica); runs past it do not exist in the model, so nothing is proved
    frontier: tuple[int, int] | None = None

    @property
    def size(self) -> int:
        return len(self.keys)


class Explorer:
    def __init__(
        self,
        model: SystemModel,
        *,
        por: bool = True,
        symmetry: bool = True,
        budget: int = 1_000_000,
        conditions: dict[str, Callable[[Config], bool]] | None = None,
        visible: set[tuple[int, int]] | None = None,
        edges: bool = False,
    ) -> None:
        self.model = model
        self.stepper = Stepper(model)
        self.por = por
        self.groups = model.groups if symmetry else []
        self.budget = budget
        self.conditions = conditions or {}
        self.visible = visible or set()
        self.keep_edges = edges
        self._ids: dict[Key, int] = {}
        self._intern: dict[Any, int] = {}
        self._values: list[Any] = []
        self._alone: dict[tuple[int, Local], list[tuple[int, bool, int]] | None] = {}
        self.result = Exploration()
        self.bounded = any(channel.unbounded for channel, _ in model.channels)
        self.frontiers = any(instance.frontier for instance in model.instances)

    # -- the packed store ----------------------------------------------------------------
    def _code(self, value: Any) -> int:
        code = self._intern.get(value)
        if code is None:
            code = self._intern[value] = len(self._values)
            self._values.append(value)
        return code

    def canonical(self, config: Config) -> Config:
        if not self.groups:
            return config
        locals_ = list(config.locals)
        for start, end in self.groups:
            locals_[start:end] = sorted(locals_[start:end])
        return Config(tuple(locals_), config.channels)

    def key(self, config: Config) -> Key:
        canon = self.canonical(config)
        return tuple(self._code(item) for item in (*canon.locals, *canon.channels))

    def child_key(self, parent: Key, step: Step) -> Key:
        """The key of a successor: only what the step changed is looked up (its replica, a
        rendezvous partner, the channel it used); everything else is the parent's."""
        if self.groups:
            return self.key(step.after)
        codes = list(parent)
        after = step.after
        codes[step.actor] = self._code(after.locals[step.actor])
        if step.partner is not None:
            codes[step.partner] = self._code(after.locals[step.partner])
        if step.channel >= 0:
            offset = len(after.locals) + step.channel
            codes[offset] = self._code(after.channels[step.channel])
        return tuple(codes)

    def decode(self, ident: int) -> Config:
        codes = self.result.keys[ident]
        count = len(self.model.instances)
        items = [self._values[code] for code in codes]
        return Config(tuple(items[:count]), tuple(items[count:]))

    def _add(self, key: Key, parent: int) -> tuple[int, bool]:
        known = self._ids.get(key)
        if known is not None:
            return known, False
        ident = self._ids[key] = len(self.result.keys)
        self.result.keys.append(key)
        self.result.parent.append(parent)
        if self.keep_edges:
            self.result.edges.append([])
            self.result.labels.append([])
        return ident, True

    def known(self, config: Config) -> int | None:
        return self._ids.get(self.key(config))

    # -- the search ----------------------------------------------------------------------
    def run(self) -> Exploration:
        result = self.result
        queue: deque[int] = deque()
        starts = [initial_locals(instance) for instance in self.model.instances]
        empty = tuple(() for _ in self.model.channels)
        for combination in _product(starts):
            ident, new = self._add(self.key(Config(combination, empty)), -1)
            for instance, local in zip(self.model.instances, combination, strict=True):
                result.reached.add((instance.component.name, local[0]))
            if new:
                queue.append(ident)
        while queue:
            ident = queue.popleft()
            config = self.decode(ident)
            parent_key = result.keys[ident]
            self._observe(ident, config)
            outcomes = self._expand(config)
            steps = [o for o in outcomes if isinstance(o, Step)]
            for outcome in outcomes:
                if isinstance(outcome, Fault):
                    result.faults.setdefault(outcome.move.key, (ident, outcome))
            overflows = self.stepper.overflows(config) if self.bounded else []
            if overflows and result.overflow is None:
                result.overflow = (ident, overflows[0])
                result.complete = False  # runs past the bound were not explored
            edge = self._at_frontier(config) if self.frontiers else None
            if edge is not None and result.frontier is None:
                result.frontier = (ident, edge)
                result.complete = False  # the machine was not built past this state
            if not steps and not overflows and edge is None and not self._final(config):
                result.deadlocks.append(ident)
            for step in steps:
                result.taken.add(step.move.key)
                if step.partner_move is not None:
                    result.taken.add(step.partner_move.key)
                target, new = self._add(self.child_key(parent_key, step), ident)
                if self.keep_edges:
                    result.edges[ident].append(target)
                    result.labels[ident].append(label(step))
                if new:
                    if len(result.keys) > self.budget:
                        result.complete = False
                        return result
                    queue.append(target)
                    self._reach(step)
        return result

    def _at_frontier(self, config: Config) -> int | None:
        for actor, (instance, local) in enumerate(
            zip(self.model.instances, config.locals, strict=True)
        ):
            if local[0] in instance.frontier:
                return actor
        return None

    def _final(self, config: Config) -> bool:
        return all(
            local[0] in instance.finals
            for instance, local in zip(self.model.instances, config.locals, strict=False)
        )

    def _reach(self, step: Step) -> None:
        """Component states a new configuration reaches: only the movers' can be new."""
        for mover in (step.actor, step.partner):
            if mover is not None:
                instance = self.model.instances[mover]
                self.result.reached.add((instance.component.name, step.after.locals[mover][0]))

    def _observe(self, ident: int, config: Config) -> None:
        result = self.result
        if self.model.can_finish and self._final(config):
            result.finals.append(ident)
        for name, holds in self.conditions.items():
            if name not in result.hits and holds(config):
                result.hits[name] = ident

    def _expand(self, config: Config) -> list[Outcome]:
        if not self.por:
            return self.stepper.steps(config)
        starts = self.stepper.starts
        per_actor = [
            self.stepper.instance_steps(config, actor) if starts(actor, local) else []
            for actor, local in enumerate(config.locals)
        ]
        everything = [outcome for outcomes in per_actor for outcome in outcomes]
        if any(isinstance(outcome, Fault) for outcome in everything):
            return everything
        best: list[Outcome] | None = None
        for actor, outcomes in enumerate(per_actor):
            if not outcomes or (best is not None and len(outcomes) >= len(best)):
                continue
            if len(outcomes) == len(everything):
                continue  # no reduction to gain
            if self._independent(config, actor) and not self._visible(config, actor, outcomes):
                best = outcomes
        if best is None:
            return everything
        for outcome in best:  # proviso: only new configurations, else expand fully
            assert isinstance(outcome, Step)
            if self.known(outcome.after) is not None:
                return everything
        self.result.reduced += 1
        return best

    def _independent(self, config: Config, actor: int) -> bool:
        needs = self._exclusive(actor, config.locals[actor])
        if needs is None:
            return False
        for position, send, capacity in needs:
            queue = config.channels[position]
            if (len(queue) >= capacity) if send else not queue:
                return False  # another replica's step could enable this operation later
        return True

    def _exclusive(self, actor: int, local: Local) -> list[tuple[int, bool, int]] | None:
        """None when the replica's operations from ``local`` can interfere with another
        replica's (a rendezvous, an index fault, a shared sending or receiving end);
        otherwise the channel conditions under which its steps may be explored alone."""
        key = (actor, local)
        if key in self._alone:
            return self._alone[key]
        instance = self.model.instances[actor]
        others = [other for other in range(len(self.model.instances)) if other != actor]
        needs: list[tuple[int, bool, int]] = []
        alone = True
        for move in instance.moves[local[0]]:
            op = move.op
            if op is None:
                continue
            position = channel_position(instance, op, self.stepper.env(actor, local))
            ends = self.model.senders if op.op.send else self.model.receivers
            if (
                op.rendezvous
                or isinstance(position, str)
                or any(position in ends[other] for other in others)
                or (not op.op.send and op.channel.bag and self._fed(position, others))
            ):
                alone = False
                break
            needs.append((position, op.op.send, op.channel.capacity))
        self._alone[key] = needs if alone else None
        return self._alone[key]

    def _fed(self, position: int, others: list[int]) -> bool:
        """Whether another replica may send to a bag: its send could add a message this
        receive takes, which enables a new step of the replica (a FIFO receive with a
        non-empty queue only ever sees its head, which no sender changes)."""
        return any(position in self.model.senders[other] for other in others)

    def _visible(self, config: Config, actor: int, outcomes: list[Outcome]) -> bool:
        before: Local = config.locals[actor]
        fields = [pos for (who, pos) in self.visible if who == actor]
        track_final = self.model.can_finish
        finals = self.model.instances[actor].finals
        frontier = self.model.instances[actor].frontier
        for outcome in outcomes:
            assert isinstance(outcome, Step)
            after = outcome.after.locals[actor]
            if any(before[pos] != after[pos] for pos in fields) or after[0] in frontier:
                return True
            if track_final:
                was, now = before[0] in finals, after[0] in finals
                if was != now:
                    return True
                if (was or now) and outcome.after.channels != config.channels:
                    return True
        return False


def label(step: Step) -> frozenset[tuple[int, int]]:
    """The transitions a step takes: its own, and its rendezvous partner's."""
    taken = {(step.actor, step.move.key[1])}
    if step.partner is not None and step.partner_move is not None:
        taken.add((step.partner, step.partner_move.key[1]))
    return frozenset(taken)


def _product(choices: list[list[Local]]) -> list[tuple[Local, ...]]:
    out: list[tuple[Local, ...]] = [()]
    for options in choices:
        out = [(*prefix, option) for prefix in out for option in options]
    return out
