"""One replica's part of a system step, and channel contents: pure functions of values.

Split from :mod:`archctl.model.system_step` (which generates whole steps) so each module has
one job: here are environments after ``do``, received values bound to variables, the channel
instance an operation uses, and what a channel holds after a send or lets a receive take --
the only place that knows a channel's ``ordering`` (spec-format 1.1, ``ordering: bag``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from archctl.model.system import Channel
from archctl.model.system_compiled import (
    Contents,
    Instance,
    Local,
    Message,
    Move,
    Op,
    SystemModel,
    Unbounded,
    domain,
    fits,
)
from archctl.model.types import format_value


@dataclass(frozen=True)
class Config:
    locals: tuple[Local, ...]
    channels: tuple[Contents, ...]


def replica_values(model: SystemModel, config: Config, aliases: bool = False) -> dict[str, Any]:
    """``COMPONENT.state`` and ``COMPONENT.VAR`` of every replica (``participant[1].state``);
    with ``aliases`` a single component is also ``COMPONENT[0]`` (as property names allow)."""
    out: dict[str, Any] = {}
    for instance, local in zip(model.instances, config.locals, strict=True):
        prefixes = [instance.name]
        if aliases and instance.component.count is None:
            prefixes.append(f"{instance.name}[0]")
        for prefix in prefixes:
            out[f"{prefix}.state"] = instance.state_name(local)
            for position, variable in enumerate(instance.variables, 1):
                out[f"{prefix}.{variable.name}"] = local[position]
    return out


def message_text(channel: str, mark: str, message: tuple[Any, ...]) -> str:
    args = ", ".join(format_value(value) for value in message[1:])
    return (
        f"{channel}{mark}{message[0]}({args})"
        if len(message) > 1
        else f"{channel}{mark}{message[0]}"
    )


def updates(instance: Instance, move: Move, env: dict[str, Any]) -> Iterator[dict[str, Any] | str]:
    """Every environment after ``do`` (``any`` branches), or the text of a range fault."""
    envs = [env]
    for position, value in move.updates:
        variable = instance.variables[position - 1]
        after = []
        for current in envs:
            if value is None:
                try:
                    choices = domain(variable.type)
                except Unbounded as error:
                    raise Unbounded(
                        f"`{variable.name} = any` of {instance.name} ranges over {error}"
                    ) from None
                for choice in choices:
                    after.append({**current, variable.name: choice})
                continue
            result = value(current)
            if not fits(variable.type, result):
                yield (
                    f"{instance.name}: `{variable.name} = {format_value(result)}` leaves "
                    f"{variable.type.describe()}"
                )
                continue
            after.append({**current, variable.name: result})
        envs = after
    yield from envs


def local_after(instance: Instance, move: Move, env: dict[str, Any]) -> Local:
    return (move.target, *(env[variable.name] for variable in instance.variables))


def channel_position(instance: Instance, op: Op, env: dict[str, Any]) -> int | str:
    """The channel instance an operation uses, or the text of an index fault."""
    if op.index is None:
        return op.base
    index = op.index(env)
    count = op.channel.count or 1
    if not 0 <= index < count:
        return (
            f"{instance.name}: index {index} is outside {op.channel.name}[0..{count - 1}] "
            f"in `{op.op.text}`"
        )
    return int(op.base + index)


def bind(
    instance: Instance, op: Op, env: dict[str, Any], head: tuple[Any, ...]
) -> dict[str, Any] | str:
    bound = dict(env)
    for position, value in zip(op.binds, head[1:], strict=False):
        variable = instance.variables[position - 1]
        if not fits(variable.type, value):
            return (
                f"{instance.name}: receiving {format_value(value)} into '{variable.name}' "
                f"leaves {variable.type.describe()}"
            )
        bound[variable.name] = value
    return bound


def replace(items: tuple[Any, ...], position: int, value: Any) -> tuple[Any, ...]:
    return (*items[:position], value, *items[position + 1 :])


def _order(message: Message) -> str:
    """A total order on messages of any value types (ints, texts, fractions mix in one bag)."""
    return repr(message)


def put(channel: Channel, queue: Contents, message: Message) -> Contents:
    """The contents after a send: appended to a FIFO; a bag is kept sorted, so two bags with
    the same messages are one configuration (a multiset, whatever the sending order)."""
    if not channel.bag:
        return (*queue, message)
    return tuple(sorted((*queue, message), key=_order))


def offers(channel: Channel, queue: Contents) -> list[tuple[Message, Contents]]:
    """What a receive may take and what stays: the head of a FIFO; each distinct message of a
    bag (taking one copy of it)."""
    if not queue:
        return []
    if not channel.bag:
        return [(queue[0], queue[1:])]
    out: list[tuple[Message, Contents]] = []
    seen: set[Message] = set()
    for position, message in enumerate(queue):
        if message not in seen:
            seen.add(message)
            out.append((message, queue[:position] + queue[position + 1 :]))
    return out
