"""The schema parts of the behavioural kinds: state machines and workflows."""

from __future__ import annotations

from archctl.schemas.parts import (
    _CHANNEL_OP,
    _DURATION,
    _FLOW_SHORT,
    _IDENT,
    _SM_SHORT,
    Schema,
    _closed,
    _declarations,
    _doc,
    _mapping,
    _one_of_keys,
    _ref,
    _strings,
)


def _statemachine() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    defs: dict[str, Schema] = {
        "stateDetails": _doc(
            "Optional details of a state.",
            {"oneOf": [{"type": "null"}, _closed({"description": _ref("description")})]},
        ),
        "transition": {
            "description": "'FROM -> TO [on EVENT]' or a mapping with guard and effects.",
            "oneOf": [
                {"type": "string", "pattern": _SM_SHORT},
                _closed(
                    {
                        "from": _doc(
                            "Source state, or a list of source states.",
                            {"oneOf": [{"type": "string"}, _strings(minItems=1)]},
                        ),
                        "on": _doc("Event (an input from the environment).", {"type": "string"}),
                        "to": _doc("Target state.", {"type": "string"}),
                        "guard": _ref("condition"),
                        "do": _ref("assignment"),
                        "send": _doc(
                            "Channel send CHANNEL[INDEX]!MESSAGE(ARGS) (components of a system).",
                            {"type": "string", "pattern": _CHANNEL_OP.format(op="!")},
                        ),
                        "receive": _doc(
                            "Channel receive CHANNEL[INDEX]?MESSAGE(VARS) (components).",
                            {"type": "string", "pattern": _CHANNEL_OP.format(op="\\?")},
                        ),
                        "description": _ref("description"),
                        "fair": _doc(
                            "false: an input that may never come; fairness never forces it.",
                            {"type": "boolean"},
                        ),
                    },
                    ["from", "to"],
                    **{"not": {"required": ["send", "receive"]}},
                ),
            ],
        },
        "property": _closed(
            {
                "name": {"type": "string", "minLength": 1},
                "always": _doc("Invariant over all reachable states.", _ref("condition")),
                "never": _doc("Condition no reachable state satisfies.", _ref("condition")),
                "reachable": _doc("A state that must be reachable.", {"type": "string"}),
                "eventually": _doc(
                    "Every fair run reaches a state where it holds.", _ref("condition")
                ),
                "leads_to": _doc(
                    "Whenever `from` holds, `to` holds then or later, on every fair run.",
                    _closed({"from": _ref("condition"), "to": _ref("condition")}, ["from", "to"]),
                ),
            },
            ["name"],
            description="A claim to prove: name plus exactly one of always/never/reachable/"
            "eventually/leads_to.",
            oneOf=_one_of_keys("always", "never", "reachable", "eventually", "leads_to"),
        ),
    }
    props: dict[str, Schema] = {
        "variables": _declarations(
            "Variables ('state' is reserved)", {"pattern": _IDENT, "not": {"const": "state"}}
        ),
        "states": _doc(
            "State names, or a mapping name -> {description}.",
            {
                "oneOf": [
                    _strings(minItems=1, uniqueItems=True),
                    _mapping(_ref("stateDetails"), minProperties=1),
                ]
            },
        ),
        "initial": _doc("The state every run starts in.", {"type": "string"}),
        "final": _doc(
            "Final state(s).", {"oneOf": [{"type": "string"}, _strings(uniqueItems=True)]}
        ),
        "events": _doc(
            "Events; inferred from transitions when absent.", _strings(uniqueItems=True)
        ),
        "transitions": {"type": "array", "items": _ref("transition")},
        "properties": {"type": "array", "items": _ref("property")},
        "fairness": _doc(
            "Which infinite runs liveness properties consider (per transition).",
            {"enum": ["weak", "strong", "none"], "default": "weak"},
        ),
    }
    return defs, props, ["states"]


def _workflow() -> tuple[dict[str, Schema], dict[str, Schema], list[str]]:
    def node(kind: str, props: dict[str, Schema], **extra: object) -> Schema:
        head: dict[str, Schema] = {"type": {"const": kind}, "description": _ref("description")}
        return _closed(head | props, ["type"], **extra)

    defs: dict[str, Schema] = {
        "duration": _doc(
            "Duration such as 250ms, 5s, 2m, 1h or 1m30s.",
            {"type": "string", "pattern": _DURATION},
        ),
        "distribution": _closed(
            {
                "dist": {"enum": ["fixed", "uniform", "exponential", "normal", "lognormal"]},
                "value": _ref("duration"),
                "min": _ref("duration"),
                "max": _ref("duration"),
                "mean": _ref("duration"),
                "stddev": _ref("duration"),
            },
            ["dist"],
            description="Simulated attempt time drawn from a distribution.",
            allOf=[
                {
                    "if": {"properties": {"dist": {"const": dist}}, "required": ["dist"]},
                    "then": {"required": needs},
                }
                for dist, needs in (
                    ("fixed", ["value"]),
                    ("uniform", ["min", "max"]),
                    ("exponential", ["mean"]),
                    ("normal", ["mean", "stddev"]),
                    ("lognormal", ["mean", "stddev"]),
                )
            ],
        ),
        "retry": _closed(
            {
                "max_attempts": {"type": "integer", "minimum": 1},
                "backoff": _ref("duration"),
                "multiplier": {"type": "number", "minimum": 1},
                "max_backoff": _ref("duration"),
            },
            description="Wait backoff * multiplier^(n-1), capped at max_backoff, after failure n.",
        ),
        "startNode": node("start", {}),
        "endNode": node("end", {"result": {"enum": ["success", "failure"]}}),
        "gatewayNode": node(
            "gateway", {"gateway": {"enum": ["exclusive", "parallel", "inclusive"]}}
        ),
        "taskNode": node(
            "task",
            {
                "task": _doc(
                    "Task type (default service).",
                    {"enum": ["service", "user", "script", "subprocess"]},
                ),
                "process": _doc("Workflow a subprocess task runs.", _ref("name")),
                "assignee": {"type": "string"},
                "deadline": _doc("An attempt longer than this times out.", _ref("duration")),
                "retry": _ref("retry"),
                "on_error": _doc(
                    "Node the token goes to after the last failed attempt.", {"type": "string"}
                ),
                "sets": _ref("assignment"),
                "duration": {"oneOf": [_ref("duration"), _ref("distribution")]},
                "failure_rate": _doc(
                    "Chance that one attempt fails.", {"type": "number", "minimum": 0, "maximum": 1}
                ),
            },
            **{
                "if": {"properties": {"task": {"const": "subprocess"}}, "required": ["task"]},
                "then": {"required": ["process"]},
            },
        ),
        "node": {
            "type": "object",
            "description": "A BPMN node: start, task, gateway or end.",
            "properties": {"type": {"enum": ["start", "task", "gateway", "end"]}},
            "required": ["type"],
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                    "then": _ref(f"{kind}Node"),
                }
                for kind in ("start", "task", "gateway", "end")
            ],
        },
        "flow": {
            "description": "'A -> B' or a mapping with a condition or default.",
            "oneOf": [
                {"type": "string", "pattern": _FLOW_SHORT},
                _closed(
                    {
                        "from": {"type": "string"},
                        "to": {"type": "string"},
                        "when": _ref("condition"),
                        "default": _doc("Taken when no condition holds.", {"type": "boolean"}),
                        "description": _ref("description"),
                    },
                    ["from", "to"],
                    # A default flow is the one taken when no condition holds, so it
                    # carries none; `default: false` next to `when` is harmless.
                    **{
                        "not": {
                            "required": ["when", "default"],
                            "properties": {"default": {"const": True}},
                        }
                    },
                ),
            ],
        },
    }
    props: dict[str, Schema] = {
        "variables": _declarations("Variables", {"pattern": _IDENT}),
        "nodes": _doc("Nodes by id.", _mapping(_ref("node"), minProperties=1)),
        "flows": {"type": "array", "items": _ref("flow")},
        "sla": _doc("Every run completes (reaches an end) within this time.", _ref("duration")),
    }
    return defs, props, ["nodes"]
