"""Why a replica cannot move: the words of a deadlock message ("phil[2] waits to send ...")."""

from __future__ import annotations

from archctl.model.expr import to_source
from archctl.model.system_compiled import Instance, Local, SystemModel
from archctl.model.system_ops import Config, channel_position, message_text


def waits(model: SystemModel, actor: int, config: Config) -> str:
    instance: Instance = model.instances[actor]
    local: Local = config.locals[actor]
    state = instance.state_name(local)
    moves = instance.moves[local[0]]
    if not moves:
        return f"{instance.name} is in '{state}', which has no transitions and is not final"
    reasons = []
    env = instance.env(local)
    for move in moves:
        op = move.op
        guard = move.transition.guard
        guarded = f" (guard `{to_source(guard)}`)" if guard is not None else ""
        if op is None:
            reasons.append(f"for `{to_source(guard)}`" if guard is not None else "for an input")
            continue
        position = channel_position(instance, op, env)
        if isinstance(position, str):
            reasons.append(f"on {op.op.text}: {position}")
            continue
        name = model.channel_name(position)
        queue = config.channels[position]
        if op.rendezvous:
            role = "a receiver for" if op.op.send else "a sender for"
            reasons.append(f"for {role} {op.op.text}{guarded}")
        elif op.op.send:
            full = len(queue) >= op.channel.capacity
            reasons.append(f"to send {op.op.text}" + (f" ({name} is full)" if full else guarded))
        elif not queue:
            reasons.append(f"to receive {op.op.text} ({name} is empty)")
        elif op.channel.bag:
            held = ", ".join(message_text("", "", message) for message in queue)
            if any(message[0] == op.op.message for message in queue):
                reasons.append(f"to receive {op.op.text}{guarded}")
            else:
                reasons.append(f"to receive {op.op.text} ({name} holds only {held})")
        else:
            head = message_text("", "", queue[0])
            if head.split("(")[0] == op.op.message:
                reasons.append(f"to receive {op.op.text}{guarded}")
            else:
                reasons.append(f"to receive {op.op.text} ({name} holds {head} first)")
    return f"{instance.name} in '{state}' waits " + " or ".join(reasons)
