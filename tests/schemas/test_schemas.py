"""The editor schemas: committed files match the generator, and they accept/reject correctly.

The valid documents are the spec-format.md examples (as the dicts PyYAML would load them)
plus the alternative spellings the format allows; each invalid one changes exactly one thing,
so a failure names the rule that broke.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from archctl.schemas import KINDS, schema_for, schema_json
from tests.conftest import ROOT

SPECS = ROOT / "specs"

STATEMACHINE: dict[str, Any] = {
    "kind": "statemachine",
    "name": "account",
    "variables": {"balance": {"type": "int", "range": [0, 10000], "initial": 0}},
    "states": ["open", "frozen", "closed"],
    "initial": "open",
    "final": ["closed"],
    "events": ["deposit", "withdraw", "freeze", "close"],
    "transitions": [
        "open -> open on deposit",
        {
            "from": "open",
            "on": "withdraw",
            "to": "open",
            "guard": "balance >= 5",
            "do": "balance = balance - 5",
        },
        {"from": ["open", "frozen"], "on": "close", "to": "closed", "guard": "balance == 0"},
        {"from": "open", "on": "freeze", "to": "frozen"},
    ],
    "properties": [
        {"name": "never-negative", "always": "balance >= 0"},
        {"name": "can-close", "reachable": "closed"},
        {"name": "no-frozen-money", "never": 'state == "frozen" and balance > 100'},
    ],
}

WORKFLOW: dict[str, Any] = {
    "kind": "workflow",
    "name": "order-fulfilment",
    "version": "1.2.0",
    "description": "free text",
    "variables": {
        "amount": {"type": "int", "range": [0, 100000]},
        "approved": {"type": "bool", "initial": False},
    },
    "nodes": {
        "start": {"type": "start"},
        "validate": {
            "type": "task",
            "task": "service",
            "assignee": "payments-team",
            "deadline": "5s",
            "retry": {"max_attempts": 3, "backoff": "100ms", "multiplier": 2, "max_backoff": "2s"},
            "on_error": "rejected",
            "sets": "approved = any",
            "duration": {"dist": "uniform", "min": "50ms", "max": "200ms"},
            "failure_rate": 0.05,
        },
        "route": {"type": "gateway", "gateway": "exclusive"},
        "review": {"type": "task", "task": "user", "sets": "approved = any"},
        "ship": {"type": "task"},
        "done": {"type": "end", "result": "success"},
        "rejected": {"type": "end", "result": "failure"},
    },
    "flows": [
        "start -> validate",
        "validate -> route",
        {"from": "route", "to": "review", "when": "amount > 1000"},
        {"from": "route", "to": "ship", "default": True},
        "review -> ship",
        "ship -> done",
    ],
}

PLUGINS: dict[str, Any] = {
    "kind": "plugins",
    "name": "engine",
    "plugins": {
        "core": {"version": "2.1.0"},
        "auth": {"version": "1.4.0", "requires": {"core": ">=2.0, <3.0"}},
        "audit": {
            "versions": {
                "1.0.0": {"requires": {"auth": "^1.2"}},
                "2.0.0": {"requires": {"auth": ">=2"}},
            },
            "optional": {"metrics": "*"},
            "conflicts": {"legacy-audit": "*"},
        },
    },
    "install": ["audit"],
}

POLICY: dict[str, Any] = {
    "kind": "policy",
    "name": "zero-trust-gateway",
    "attributes": {
        "user.role": {"type": "enum", "values": ["admin", "engineer", "contractor", "guest"]},
        "user.mfa": {"type": "bool"},
        "device.managed": {"type": "bool"},
        "network.zone": {"type": "enum", "values": ["corp", "vpn", "public"]},
        "risk": {"type": "real", "range": [0, 1]},
        "resource.sensitivity": {"type": "enum", "values": ["public", "internal", "secret"]},
        "src": {"type": "ip", "initial": "10.0.0.7"},
    },
    "bands": {
        "trust": {
            "over": "risk",
            "levels": {"high": "[0, 0.3]", "medium": "(0.3, 0.7]", "low": "(0.7, 1]"},
        }
    },
    "combine": "deny-overrides",
    "default": "deny",
    "rules": [
        {
            "id": "admins",
            "effect": "allow",
            "when": 'user.role == "admin" and device.managed and trust != "low"',
        },
        {
            "id": "no-public-secrets",
            "effect": "deny",
            "when": 'network.zone == "public" and resource.sensitivity == "secret"',
        },
    ],
    "assert": [
        {"name": "risky-never-allowed", "never": "allow", "when": "risk > 0.7"},
        {
            "name": "mfa-for-secrets",
            "always": "deny",
            "when": 'not user.mfa and resource.sensitivity == "secret"',
        },
    ],
}

SYSTEM: dict[str, Any] = {  # spec-format.md 1.1, kind: system
    "kind": "system",
    "name": "two-phase-commit",
    "components": {
        "coordinator": {"machine": "coordinator"},
        "participant": {"machine": "participant", "count": 3},
    },
    "channels": {
        "votes": {"capacity": 3},
        "decision": {"capacity": 1, "count": 3},
        "handshake": {"capacity": 0},
    },
    "properties": [
        {
            "name": "atomic",
            "never": 'coordinator.state == "committed" and participant[1].state == "aborted"',
        },
        {"name": "decided", "eventually": 'coordinator.state == "done"'},
        {"name": "can-commit", "reachable": 'coordinator.state == "committed"'},
    ],
}

EXAMPLES = {
    "system": SYSTEM,
    "statemachine": STATEMACHINE,
    "workflow": WORKFLOW,
    "plugins": PLUGINS,
    "policy": POLICY,
}

# (kind, path to the changed spot, new value); a path ending in "+" appends to a list.
VARIANTS: list[tuple[str, tuple[object, ...], object]] = [
    ("statemachine", ("final",), "closed"),
    ("statemachine", ("states",), {"open": {"description": "money moves"}, "frozen": None}),
    ("statemachine", ("transitions", "+"), "frozen->open"),
    ("statemachine", ("transitions", "+"), {"from": "frozen", "to": "open", "guard": True}),
    ("statemachine", ("variables", "tier"), {"type": "enum", "values": ["a", "b"], "initial": "a"}),
    ("workflow", ("nodes", "ship", "duration"), "1m30s"),
    ("workflow", ("nodes", "ship", "duration"), {"dist": "exponential", "mean": "250ms"}),
    ("workflow", ("nodes", "sub"), {"type": "task", "task": "subprocess", "process": "billing"}),
    ("workflow", ("nodes", "join"), {"type": "gateway", "gateway": "parallel"}),
    ("workflow", ("flows", "+"), {"from": "route", "to": "done", "when": "approved"}),
    ("plugins", ("plugins", "audit", "versions", "3.0.0-rc.1+build.5"), None),
    ("plugins", ("plugins", "core", "description"), "the kernel"),
    ("policy", ("combine",), "first-applicable"),
    ("policy", ("default",), "none"),
    ("policy", ("rules", "+"), {"id": "everyone", "effect": "allow"}),
]

INVALID: list[tuple[str, tuple[object, ...], object]] = [
    # unknown keys, at the top and nested
    ("statemachine", ("colour",), "red"),
    ("statemachine", ("transitions", 1, "event"), "withdraw"),
    ("statemachine", ("variables", "balance", "min"), 0),
    ("workflow", ("nodes", "route", "task"), "user"),
    ("workflow", ("nodes", "validate", "retry", "attempts"), 3),
    ("plugins", ("plugins", "core", "requires_all"), {}),
    ("policy", ("bands", "trust", "unit"), "%"),
    ("policy", ("rules", 0, "effects"), "allow"),
    # wrong types and malformed strings
    ("statemachine", ("name",), "my account"),
    ("statemachine", ("kind",), "workflow"),
    ("statemachine", ("transitions", 0), "open on deposit"),
    ("statemachine", ("variables", "balance", "initial"), "zero"),
    ("statemachine", ("variables", "balance", "range"), [0]),
    ("statemachine", ("variables", "state"), {"type": "bool"}),
    ("workflow", ("nodes", "validate", "failure_rate"), 1.5),
    ("workflow", ("nodes", "validate", "deadline"), "5 sec"),
    ("workflow", ("nodes", "validate", "retry", "max_attempts"), 0),
    ("workflow", ("nodes", "validate", "duration"), {"dist": "uniform", "min": "1s"}),
    ("workflow", ("nodes", "sub"), {"type": "task", "task": "subprocess"}),
    ("workflow", ("flows", 0), "start"),
    ("workflow", ("flows", 3, "when"), "amount <= 1000"),
    ("plugins", ("plugins", "core", "version"), "2.1"),
    ("plugins", ("plugins", "audit", "version"), "1.0.0"),
    ("policy", ("bands", "trust", "levels", "high"), "0..0.3"),
    ("policy", ("attributes", "tier"), {"type": "enum"}),
    ("policy", ("attributes", "risk", "values"), ["low"]),
    # bad enum values
    ("statemachine", ("variables", "balance", "type"), "float"),
    ("workflow", ("nodes", "route", "gateway"), "xor"),
    ("workflow", ("nodes", "done", "result"), "ok"),
    ("workflow", ("nodes", "validate", "duration", "dist"), "poisson"),
    ("policy", ("combine",), "deny-unless-permit"),
    ("policy", ("rules", 0, "effect"), "none"),
    ("policy", ("assert", 0, "never"), "maybe"),
]


def _changed(kind: str, path: tuple[object, ...], value: object) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLES[kind])
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    if path[-1] == "+":
        target.append(value)
    else:
        target[path[-1]] = value
    return doc


def _errors(kind: str, doc: object) -> list[str]:
    validator = Draft202012Validator(schema_for(kind))
    return [error.message for error in validator.iter_errors(doc)]


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_matches_generator(kind: str) -> None:
    path = SPECS / f"{kind}.schema.json"
    assert path.exists(), f"{path} is missing: run `archctl schema {kind} > {path.name}`"
    assert path.read_bytes() == schema_json(kind).encode("utf-8"), (
        f"specs/{kind}.schema.json is out of date; regenerate it with "
        f"`archctl schema {kind} > specs/{kind}.schema.json`"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    schema = schema_for(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://archctl.dev/schemas/{kind}.schema.json"
    assert json.loads(schema_json(kind)) == schema


def test_schema_for_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        schema_for("dataflow")


@pytest.mark.parametrize("kind", KINDS)
def test_spec_format_example_is_valid(kind: str) -> None:
    assert _errors(kind, EXAMPLES[kind]) == []


@pytest.mark.parametrize(("kind", "path", "value"), VARIANTS)
def test_allowed_variant_is_valid(kind: str, path: tuple[object, ...], value: object) -> None:
    assert _errors(kind, _changed(kind, path, value)) == []


@pytest.mark.parametrize(("kind", "path", "value"), INVALID)
def test_invalid_document_is_rejected(kind: str, path: tuple[object, ...], value: object) -> None:
    assert _errors(kind, _changed(kind, path, value)) != []


@pytest.mark.parametrize(
    ("kind", "claims"),
    [
        ("statemachine", {"always": "balance >= 0", "reachable": "closed"}),
        ("statemachine", {}),
        ("policy", {"always": "deny", "never": "allow"}),
    ],
)
def test_claim_needs_exactly_one_quantifier(kind: str, claims: dict[str, str]) -> None:
    key = "properties" if kind == "statemachine" else "assert"
    assert _errors(kind, _changed(kind, (key, 0), {"name": "claim", **claims})) != []
