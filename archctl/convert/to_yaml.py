"""Model -> canonical YAML text (``archctl convert --to yaml``).

Written by hand rather than with ``yaml.dump`` so the layout is the one a person would write
(flow mappings for short entries, the ``a -> b`` short forms) and stays stable across PyYAML
versions. Every scalar that YAML could read as something other than a string is quoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from fractions import Fraction

from archctl.convert.text import action_text, decimal, duration, expr_text, float_text, number
from archctl.convert.to_dsl import group_transitions, inferred_events
from archctl.model.plugins import PluginSet, Requirement
from archctl.model.policy import Policy
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.types import TypeKind, Variable, format_value
from archctl.model.workflow import Distribution, Flow, Node, Workflow

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def specs_to_yaml(specs: Sequence[Spec]) -> str:
    """Every spec as one YAML document, separated by ``---``."""
    return "---\n".join(spec_to_yaml(spec) for spec in specs)


def spec_to_yaml(spec: Spec) -> str:
    lines = [f"kind: {spec.kind}", f"name: {scalar(spec.name)}"]
    if spec.version is not None:
        lines.append(f"version: {_string(spec.version)}")
    if spec.description is not None:
        lines.append(f"description: {_string(spec.description)}")
    if isinstance(spec, StateMachine):
        lines.extend(_statemachine(spec))
    elif isinstance(spec, Workflow):
        lines.extend(_workflow(spec))
    elif isinstance(spec, PluginSet):
        lines.extend(_plugins(spec))
    else:
        lines.extend(_policy(spec))
    return "\n".join(lines) + "\n"


def scalar(text: str) -> str:
    """A name or enum value: plain when YAML reads it back as the same string."""
    if _PLAIN.fullmatch(text) and text.lower() not in _SPECIAL:
        return text
    return _string(text)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _expr(text: str) -> str:
    """Expressions use double quotes inside, so single-quote them when possible."""
    return f"'{text}'" if "'" not in text else _string(text)


def _flow_map(pairs: Sequence[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"


def _list(items: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(item) for item in items) + "]"


def _declarations(key: str, variables: Sequence[Variable]) -> list[str]:
    if not variables:
        return []
    lines = [f"{key}:"]
    for variable in variables:
        var_type = variable.type
        pairs = [("type", var_type.kind.value)]
        if var_type.kind is TypeKind.ENUM:
            pairs.append(("values", _list(var_type.values)))
        if var_type.low is not None and var_type.high is not None:
            pairs.append(("range", f"[{number(var_type.low)}, {number(var_type.high)}]"))
        if variable.initial is not None:
            pairs.append(("initial", _initial(variable)))
        lines.append(f"  {scalar(variable.name)}: {_flow_map(pairs)}")
    return lines


def _initial(variable: Variable) -> str:
    value = variable.initial
    assert value is not None
    kind = variable.type.kind
    if kind is TypeKind.REAL and isinstance(value, Fraction):
        return decimal(value)
    if kind is TypeKind.IP:
        return _string(format_value(value, variable.type))
    if isinstance(value, str):
        return _string(value)
    return format_value(value)


# -- statemachine ------------------------------------------------------------------------
def _statemachine(machine: StateMachine) -> list[str]:
    lines = _declarations("variables", machine.variables)
    if any(state.description is not None for state in machine.states):
        lines.append("states:")
        for state in machine.states:
            details = "{}"
            if state.description is not None:
                details = _flow_map([("description", _string(state.description))])
            lines.append(f"  {scalar(state.name)}: {details}")
    else:
        lines.append(f"states: {_list([state.name for state in machine.states])}")
    lines.append(f"initial: {scalar(machine.initial)}")
    if machine.final:
        lines.append(f"final: {_list(machine.final)}")
    if machine.events != inferred_events(machine.transitions):
        lines.append(f"events: {_list(machine.events)}")
    if machine.transitions:
        lines.append("transitions:")
    for group in group_transitions(machine.transitions):
        first = group[0]
        sources = [transition.source for transition in group]
        names = [*sources, first.target, *([first.event] if first.event else [])]
        simple = not (first.guard or first.action or first.description)
        if simple and len(sources) == 1 and all(_PLAIN.fullmatch(item) for item in names):
            on = f" on {first.event}" if first.event else ""
            lines.append(f"  - {first.source} -> {first.target}{on}")
            continue
        source = scalar(sources[0]) if len(sources) == 1 else _list(sources)
        pairs = [("from", source), ("to", scalar(first.target))]
        if first.event is not None:
            pairs.append(("on", scalar(first.event)))
        if first.guard is not None:
            pairs.append(("guard", _expr(expr_text(first.guard))))
        if first.action:
            pairs.append(("do", _expr(action_text(first.action))))
        if first.description is not None:
            pairs.append(("description", _string(first.description)))
        lines.append(f"  - {_flow_map(pairs)}")
    if machine.properties:
        lines.append("properties:")
    for prop in machine.properties:
        if prop.kind == "reachable":
            assert prop.state is not None
            body = scalar(prop.state)
        else:
            assert prop.condition is not None
            body = _expr(expr_text(prop.condition))
        lines.append(f"  - {_flow_map([('name', scalar(prop.name)), (prop.kind, body)])}")
    return lines


# -- workflow ----------------------------------------------------------------------------
def _workflow(workflow: Workflow) -> list[str]:
    lines = _declarations("variables", workflow.variables)
    lines.append("nodes:")
    for node in workflow.nodes:
        pairs = _node_pairs(node)
        if node.type != "task" or len(pairs) <= 2:
            lines.append(f"  {scalar(node.id)}: {_flow_map(pairs)}")
            continue
        lines.append(f"  {scalar(node.id)}:")
        lines.extend(f"    {key}: {value}" for key, value in pairs)
    if workflow.flows:
        lines.append("flows:")
    lines.extend(f"  - {_flow(flow)}" for flow in workflow.flows)
    return lines


def _node_pairs(node: Node) -> list[tuple[str, str]]:
    pairs = [("type", node.type)]
    if node.type == "gateway":
        pairs.append(("gateway", str(node.gateway)))
    if node.type == "end" and node.result is not None:
        pairs.append(("result", node.result))
    if node.type == "task":
        if node.task and node.task != "service":
            pairs.append(("task", node.task))
        if node.process is not None:
            pairs.append(("process", scalar(node.process)))
        if node.assignee is not None:
            pairs.append(("assignee", scalar(node.assignee)))
        if node.deadline_ms is not None:
            pairs.append(("deadline", duration(node.deadline_ms)))
        if node.retry is not None:
            retry = node.retry
            fields = [("max_attempts", str(retry.max_attempts))]
            if retry.backoff_ms:
                fields.append(("backoff", duration(retry.backoff_ms)))
            if retry.multiplier != 1.0:
                fields.append(("multiplier", float_text(retry.multiplier)))
            if retry.max_backoff_ms is not None:
                fields.append(("max_backoff", duration(retry.max_backoff_ms)))
            pairs.append(("retry", _flow_map(fields)))
        if node.on_error is not None:
            pairs.append(("on_error", scalar(node.on_error)))
        if node.sets:
            pairs.append(("sets", _expr(action_text(node.sets))))
        if node.duration is not None:
            pairs.append(("duration", _distribution(node.duration)))
        if node.failure_rate:
            pairs.append(("failure_rate", float_text(node.failure_rate)))
    if node.description is not None:
        pairs.append(("description", _string(node.description)))
    return pairs


def _distribution(dist: Distribution) -> str:
    if dist.kind == "fixed":
        return duration(dist.value)
    fields = {
        "uniform": [("min", dist.low), ("max", dist.high)],
        "exponential": [("mean", dist.mean)],
        "normal": [("mean", dist.mean), ("stddev", dist.stddev)],
        "lognormal": [("mean", dist.mean), ("stddev", dist.stddev)],
    }[dist.kind]
    return _flow_map([("dist", dist.kind), *((key, duration(v)) for key, v in fields)])


def _flow(flow: Flow) -> str:
    plain = flow.when is None and not flow.default and flow.description is None
    if plain and _PLAIN.fullmatch(flow.source) and _PLAIN.fullmatch(flow.target):
        return f"{flow.source} -> {flow.target}"
    pairs = [("from", scalar(flow.source)), ("to", scalar(flow.target))]
    if flow.when is not None:
        pairs.append(("when", _expr(expr_text(flow.when))))
    if flow.default:
        pairs.append(("default", "true"))
    if flow.description is not None:
        pairs.append(("description", _string(flow.description)))
    return _flow_map(pairs)


# -- plugins -----------------------------------------------------------------------------
def _requirements(items: Sequence[Requirement]) -> str:
    return _flow_map([(scalar(item.name), _string(item.constraint)) for item in items])


def _plugins(plugins: PluginSet) -> list[str]:
    lines = ["plugins:"]
    for plugin in plugins.plugins:
        extra = []
        if plugin.description is not None:
            extra.append(("description", _string(plugin.description)))
        if len(plugin.versions) == 1:
            only = plugin.versions[0]
            pairs = [("version", _string(only.text)), *_version_pairs(only), *extra]
            lines.append(f"  {scalar(plugin.name)}: {_flow_map(pairs)}")
            continue
        lines.append(f"  {scalar(plugin.name)}:")
        lines.extend(f"    {key}: {value}" for key, value in extra)
        lines.append("    versions:")
        for version in plugin.versions:
            lines.append(f"      {_string(version.text)}: {_flow_map(_version_pairs(version))}")
    if plugins.install is not None:
        lines.append(f"install: {_list(plugins.install)}")
    return lines


def _version_pairs(version: object) -> list[tuple[str, str]]:
    pairs = []
    for key in ("requires", "optional", "conflicts"):
        items = getattr(version, key)
        if items:
            pairs.append((key, _requirements(items)))
    return pairs


# -- policy ------------------------------------------------------------------------------
def _policy(policy: Policy) -> list[str]:
    lines = _declarations("attributes", policy.attributes)
    if policy.bands:
        lines.append("bands:")
    for band in policy.bands:
        lines.extend([f"  {scalar(band.name)}:", f"    over: {scalar(band.over)}", "    levels:"])
        for level in band.levels:
            low = "[" if level.low_closed else "("
            high = "]" if level.high_closed else ")"
            text = f"{low}{number(level.low)}, {number(level.high)}{high}"
            lines.append(f"      {scalar(level.name)}: {_string(text)}")
    lines.append(f"combine: {policy.combine}")
    lines.append(f"default: {policy.default}")
    if policy.rules:
        lines.append("rules:")
    for rule in policy.rules:
        pairs = [("id", scalar(rule.id)), ("effect", rule.effect)]
        if rule.when is not None:
            pairs.append(("when", _expr(expr_text(rule.when))))
        if rule.description is not None:
            pairs.append(("description", _string(rule.description)))
        lines.append(f"  - {_flow_map(pairs)}")
    if policy.asserts:
        lines.append("assert:")
    for assertion in policy.asserts:
        pairs = [("name", scalar(assertion.name)), (assertion.kind, assertion.effect)]
        if assertion.when is not None:
            pairs.append(("when", _expr(expr_text(assertion.when))))
        lines.append(f"  - {_flow_map(pairs)}")
    return lines
