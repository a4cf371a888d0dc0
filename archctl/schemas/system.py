"""The schema part of systems: components, channels and system properties."""

from __future__ import annotations

from archctl.schemas.parts import (
    _IDENT,
    Schema,
    _closed,
    _doc,
    _mapping,
    _one_of_keys,
    _ref,
)


def _system() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    count = {"type": "integer", "minimum": 1}
    condition = _ref("condition")
    defs: dict[str, Schema] = {
        "component": _closed(
            {
                "machine": _doc("Name of a statemachine spec of the file set.", {"type": "string"}),
                "count": _doc("Replicas COMPONENT[0] .. COMPONENT[count-1].", count),
                "description": _ref("description"),
            },
            ["machine"],
        ),
        "channel": _closed(
            {
                "capacity": _doc(
                    "FIFO capacity; 0 is a rendezvous.", {"type": "integer", "minimum": 0}
                ),
                "count": _doc("A channel array CHANNEL[0] .. CHANNEL[count-1].", count),
                "ordering": _doc(
                    "fifo (default): only the head may be received; bag: any queued message.",
                    {"enum": ["fifo", "bag"]},
                ),
                "latency": _doc(
                    "Delivery delay for the simulator.", {"type": ["string", "object"]}
                ),
                "description": _ref("description"),
            },
            ["capacity"],
        ),
        "systemProperty": _closed(
            {
                "name": {"type": "string", "minLength": 1},
                "always": condition,
                "never": condition,
                "reachable": _doc("A condition some run reaches.", condition),
                "eventually": _doc("Every fair run reaches the condition.", condition),
                "leads_to": _closed({"from": condition, "to": condition}, ["from", "to"]),
                "description": _ref("description"),
            },
            ["name"],
            oneOf=_one_of_keys("always", "never", "reachable", "eventually", "leads_to"),
        ),
    }
    props: dict[str, Schema] = {
        "components": _mapping(_ref("component"), {"pattern": _IDENT}, minProperties=1),
        "channels": _mapping(_ref("channel"), {"pattern": _IDENT}),
        "properties": {"type": "array", "items": _ref("systemProperty")},
        "fairness": {"enum": ["weak", "strong", "none"]},
    }
    return defs, props, ["components"]
