"""The executable semantics of systems, shared by the checker and the simulator: replicas,
local state layouts, moves and channels, compiled once.

A configuration is the local state of every replica -- ``(state index, value, value, ...)``
-- and the contents of every channel instance -- a tuple of messages ``(name, arg, ...)``.
Guards, indexes, arguments and updates are compiled once into closures over a replica's
environment (its variables and ``self``), so the search never walks an expression tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from archctl.model.evaluate import Compiled, compile_expr
from archctl.model.expr import Expr, Name, names_in
from archctl.model.statemachine import ChannelOp, StateMachine, Transition
from archctl.model.system import Channel, Component, System
from archctl.model.types import TypeKind, Variable, VarType

Local = tuple[Any, ...]
Message = tuple[Any, ...]
Contents = tuple[Message, ...]

#: Largest domain enumerated for an `any` assignment or a variable without `initial`.
DOMAIN_LIMIT = 4096


class Unbounded(Exception):
    """A variable must be enumerated but has no finite domain: the exploration cannot start."""


@dataclass(frozen=True)
class Op:
    """A compiled channel operation: where it goes, what it carries, what it binds."""

    op: ChannelOp
    channel: Channel
    base: int  # position of the channel's first instance
    index: Compiled | None
    args: tuple[Compiled, ...]
    binds: tuple[int, ...]  # variable positions (1-based in a Local) a receive assigns

    @property
    def rendezvous(self) -> bool:
        return self.channel.capacity == 0


@dataclass(frozen=True)
class Move:
    """One transition of one machine, compiled; ``key`` is (component, transition position)."""

    key: tuple[str, int]
    transition: Transition
    source: int
    target: int
    guard: Compiled | None
    updates: tuple[tuple[int, Compiled | None], ...]  # (variable position, value or any)
    op: Op | None


@dataclass
class Instance:
    """One replica of a component: ``participant[1]`` runs ``participant``'s machine."""

    name: str
    component: Component
    machine: StateMachine
    index: int
    moves: tuple[tuple[Move, ...], ...]  # by source state index
    finals: frozenset[int]
    variables: tuple[Variable, ...]
    #: state indices where the machine's construction stopped (``Component.frontier``)
    frontier: frozenset[int] = frozenset()

    def env(self, local: Local) -> dict[str, Any]:
        env = {variable.name: local[pos + 1] for pos, variable in enumerate(self.variables)}
        env["self"] = self.index
        return env

    def state_name(self, local: Local) -> str:
        return self.machine.states[local[0]].name


@dataclass
class SystemModel:
    system: System
    instances: list[Instance]
    channels: list[tuple[Channel, int]]  # per channel instance: (channel, index)
    groups: list[tuple[int, int]] = field(default_factory=list)  # symmetric replica ranges
    #: instance -> channel positions it may send to / receive from (any state)
    senders: dict[int, set[int]] = field(default_factory=dict)
    receivers: dict[int, set[int]] = field(default_factory=dict)

    def channel_name(self, position: int) -> str:
        channel, index = self.channels[position]
        return channel.instance(index)

    @property
    def can_finish(self) -> bool:
        """A system whose every machine has a final state can be final; else it is reactive."""
        return all(instance.finals for instance in self.instances)


def domain(var_type: VarType) -> list[Any]:
    """Every value of a finite type, in order; raises :class:`Unbounded` otherwise."""
    if var_type.kind is TypeKind.BOOL:
        return [False, True]
    if var_type.kind is TypeKind.ENUM:
        return list(var_type.values)
    if (
        var_type.kind is TypeKind.INT
        and var_type.low is not None
        and var_type.high is not None
        and var_type.high - var_type.low < DOMAIN_LIMIT
    ):
        return list(range(int(var_type.low), int(var_type.high) + 1))
    raise Unbounded(var_type.describe())


def compile_system(system: System, machines: dict[str, StateMachine]) -> SystemModel:
    channels: list[tuple[Channel, int]] = []
    bases: dict[str, int] = {}
    for channel in system.channels:
        bases[channel.name] = len(channels)
        channels.extend((channel, i) for i in range(channel.count or 1))
    instances: list[Instance] = []
    for component in system.components:
        machine = machines[component.machine]
        moves = _moves(component, machine, system, bases)
        finals = frozenset(i for i, s in enumerate(machine.states) if s.name in machine.final)
        frontier = frozenset(
            i for i, s in enumerate(machine.states) if s.name in component.frontier
        )
        for index in range(component.replicas):
            instances.append(
                Instance(
                    component.instance(index),
                    component,
                    machine,
                    index,
                    moves,
                    finals,
                    machine.variables,
                    frontier,
                )
            )
    model = SystemModel(system, instances, channels)
    _channel_users(model)
    model.groups = _symmetric_groups(model)
    return model


def _moves(
    component: Component, machine: StateMachine, system: System, bases: dict[str, int]
) -> tuple[tuple[Move, ...], ...]:
    states = {state.name: i for i, state in enumerate(machine.states)}
    positions = {variable.name: i + 1 for i, variable in enumerate(machine.variables)}
    by_source: list[list[Move]] = [[] for _ in machine.states]
    for number, transition in enumerate(machine.transitions):
        op = None
        if transition.channel is not None:
            channel = system.channel(transition.channel.channel)
            assert channel is not None  # linked at load time
            op = _op(transition.channel, channel, bases[channel.name], positions)
        updates = tuple(
            (positions[a.target], None if a.value is None else compile_expr(a.value))
            for a in transition.action
        )
        guard = None if transition.guard is None else compile_expr(transition.guard)
        move = Move(
            (component.name, number),
            transition,
            states[transition.source],
            states[transition.target],
            guard,
            updates,
            op,
        )
        by_source[move.source].append(move)
    return tuple(tuple(moves) for moves in by_source)


def _op(op: ChannelOp, channel: Channel, base: int, positions: dict[str, int]) -> Op:
    return Op(
        op,
        channel,
        base,
        None if op.index is None else compile_expr(op.index),
        tuple(compile_expr(arg) for arg in op.args),
        tuple(positions[name] for name in op.variables),
    )


def _targets(instance: Instance, op: Op) -> set[int]:
    """Channel positions an operation of this replica may use (``self`` and literals known)."""
    count = op.channel.count or 1
    index = op.op.index
    if index is None:
        return {op.base}
    if isinstance(index, Name) and index.name == "self":
        return {op.base + instance.index} if instance.index < count else set()
    if not names_in(index):
        value = compile_expr(index)({})
        return {op.base + value} if 0 <= value < count else set()
    return {op.base + i for i in range(count)}


def _channel_users(model: SystemModel) -> None:
    for position, instance in enumerate(model.instances):
        sends: set[int] = set()
        receives: set[int] = set()
        for moves in instance.moves:
            for move in moves:
                if move.op is not None:
                    used = _targets(instance, move.op)
                    (sends if move.op.op.send else receives).update(used)
        model.senders[position] = sends
        model.receivers[position] = receives


def _mentions_self(machine: StateMachine) -> bool:
    exprs: list[Expr] = []
    for t in machine.transitions:
        if t.guard is not None:
            exprs.append(t.guard)
        exprs.extend(a.value for a in t.action if a.value is not None)
        if t.channel is not None:
            exprs.extend(t.channel.args)
            if t.channel.index is not None:
                exprs.append(t.channel.index)
    return any("self" in names_in(expr) for expr in exprs)


def _symmetric_groups(model: SystemModel) -> list[tuple[int, int]]:
    """Replica ranges that are interchangeable: the machine never reads ``self`` and no
    property names one replica, so permuting them maps runs to runs (scalarset symmetry)."""
    named: set[str] = set()
    for prop in model.system.properties:
        for expr in (prop.condition, prop.target):
            if expr is not None:
                named |= {name.split("[", 1)[0] for name in names_in(expr) if "[" in name}
    groups = []
    start = 0
    for component in model.system.components:
        size = component.replicas
        machine = model.instances[start].machine
        if size > 1 and component.name not in named and not _mentions_self(machine):
            groups.append((start, start + size))
        start += size
    return groups


def fits(var_type: VarType, value: Any) -> bool:
    """Whether an assigned value stays in the declared type (ranges of int and real)."""
    if var_type.kind in (TypeKind.INT, TypeKind.REAL) and isinstance(value, (int, Fraction)):
        low, high = var_type.low, var_type.high
        return (low is None or value >= low) and (high is None or value <= high)
    return True


def initial_locals(instance: Instance) -> list[Local]:
    """Every initial local state: variables without ``initial`` take each value of their type."""
    choices: list[Sequence[Any]] = []
    for variable in instance.variables:
        initial = variable.initial
        if initial is not None:
            choices.append([initial])
            continue
        try:
            choices.append(domain(variable.type))
        except Unbounded as error:
            raise Unbounded(
                f"'{instance.name}.{variable.name}' ({error}) has no `initial` and too many "
                "values to try each"
            ) from None
    machine = instance.machine
    state = next(i for i, s in enumerate(machine.states) if s.name == machine.initial)
    out: list[Local] = [(state,)]
    for values in choices:
        out = [(*local, value) for local in out for value in values]
    return out
