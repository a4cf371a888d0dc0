"""The ``send:`` / ``receive:`` keys of a statemachine transition (YAML front end)."""

from __future__ import annotations

import yaml

from archctl import codes
from archctl.load.expr.channel import SELF_TYPE, parse_channel_op
from archctl.load.expr.types import TypeChecker
from archctl.load.yaml.reader import Fields, Reader
from archctl.model.statemachine import ChannelOp

__all__ = ["SELF_TYPE", "channel_operation", "uses_channels"]


def uses_channels(node: yaml.Node | None) -> bool:
    """Whether any transition mapping has a ``send`` or ``receive`` key (then ``self`` exists)."""
    if not isinstance(node, yaml.SequenceNode):
        return False
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            for key, _ in item.value:
                if isinstance(key, yaml.ScalarNode) and key.value in ("send", "receive"):
                    return True
    return False


def channel_operation(
    reader: Reader, fields: Fields, checker: TypeChecker
) -> tuple[ChannelOp | None, bool]:
    """The transition's one channel operation (or None) and whether reading it failed."""
    present = [key for key in ("send", "receive") if key in fields]
    if not present:
        return None, False
    if len(present) == 2:
        reader.error(
            codes.LD004,
            "a transition carries one channel operation, not both send and receive",
            fields.node,
            "split it into two transitions through an intermediate state",
        )
        return None, True
    key = present[0]
    node = fields.get(key)
    assert node is not None
    if not isinstance(node, yaml.ScalarNode) or reader.is_null(node):
        reader.error(codes.LD004, f'`{key}` must be a string like "votes!yes(self)"', node)
        return None, True
    op, problems = parse_channel_op(str(node.value), key == "send", reader.locator(node), checker)
    reader.extend(problems)
    return op, op is None
