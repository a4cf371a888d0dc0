"""Model -> canonical YAML text (``archctl convert --to yaml``).

Written by hand rather than with ``yaml.dump`` so the layout is the one a person would write
(flow mappings for short entries, the ``a -> b`` short forms) and stays stable across PyYAML
versions. Every scalar that YAML could read as something other than a string is quoted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from fractions import Fraction

from archctl.convert.comments import Comments, Layout
from archctl.convert.shape import group_transitions, inferred_events
from archctl.convert.text import duration, float_text, number
from archctl.model.expr import action_to_source, decimal, to_source
from archctl.model.plugins import PluginSet, PluginVersion, Requirement
from archctl.model.policy import Policy
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.types import TypeKind, Variable, format_value
from archctl.model.workflow import Distribution, Flow, Node, Workflow

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}


#: Writes the kind's own part of a spec (after ``kind``, ``name``, ``version``,
#: ``description``); the kind registry (``kinds.py``) picks it for each spec.
YamlBody = Callable[[Layout, Spec], None]


def write_yaml(specs: Sequence[Spec], body: YamlBody, comments: Comments | None = None) -> str:
    """Every spec as one YAML document, separated by ``---``; comments kept by line.

    ``body`` writes each spec's kind-specific part: this module knows the layout, not the
    kinds (``kinds.specs_to_yaml`` passes the registry's writers)."""
    layout = Layout(comments)
    for index, spec in enumerate(specs):
        if index:
            layout.add("---")
        _header(layout, spec)
        body(layout, spec)
    return layout.finish()


def _header(out: Layout, spec: Spec) -> None:
    out.add(f"kind: {spec.kind}", spec.span.line)
    out.add(f"name: {scalar(spec.name)}")
    if spec.version is not None:
        out.add(f"version: {_string(spec.version)}", out.anchor(spec.span.line, "version"))
    if spec.description is not None:
        where = out.anchor(spec.span.line, "description")
        out.add(f"description: {_string(spec.description)}", where)


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


def _declarations(out: Layout, key: str, variables: Sequence[Variable]) -> None:
    if not variables:
        return
    out.add(f"{key}:")
    for variable in variables:
        var_type = variable.type
        pairs = [("type", var_type.kind.value)]
        if var_type.kind is TypeKind.ENUM:
            pairs.append(("values", _list(var_type.values)))
        if var_type.low is not None and var_type.high is not None:
            pairs.append(("range", f"[{number(var_type.low)}, {number(var_type.high)}]"))
        if variable.initial is not None:
            pairs.append(("initial", _initial(variable)))
        out.add(f"  {scalar(variable.name)}: {_flow_map(pairs)}", variable.span.line)


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
def write_statemachine(out: Layout, machine: StateMachine) -> None:
    _declarations(out, "variables", machine.variables)
    if any(state.description is not None for state in machine.states):
        out.add("states:")
        for state in machine.states:
            details = "{}"
            if state.description is not None:
                details = _flow_map([("description", _string(state.description))])
            out.add(f"  {scalar(state.name)}: {details}", state.span.line)
    else:
        states = _list([state.name for state in machine.states])
        out.add(f"states: {states}", machine.states[0].span.line)
    out.add(f"initial: {scalar(machine.initial)}", out.anchor(machine.span.line, "initial"))
    if machine.final:
        out.add(f"final: {_list(machine.final)}", out.anchor(machine.span.line, "final"))
    if machine.events != inferred_events(machine.transitions):
        out.add(f"events: {_list(machine.events)}", out.anchor(machine.span.line, "events"))
    if machine.transitions:
        out.add("transitions:")
    for group in group_transitions(machine.transitions):
        first = group[0]
        sources = [transition.source for transition in group]
        names = [*sources, first.target, *([first.event] if first.event else [])]
        simple = not (
            first.guard or first.action or first.description or first.channel or not first.fair
        )
        if simple and len(sources) == 1 and all(_PLAIN.fullmatch(item) for item in names):
            on = f" on {first.event}" if first.event else ""
            out.add(f"  - {first.source} -> {first.target}{on}", first.span.line)
            continue
        source = scalar(sources[0]) if len(sources) == 1 else _list(sources)
        pairs = [("from", source), ("to", scalar(first.target))]
        if first.event is not None:
            pairs.append(("on", scalar(first.event)))
        if first.guard is not None:
            pairs.append(("guard", _expr(to_source(first.guard))))
        if first.channel is not None:
            key = "send" if first.channel.send else "receive"
            pairs.append((key, _expr(first.channel.source_text())))
        if first.action:
            pairs.append(("do", _expr(action_to_source(first.action))))
        if first.description is not None:
            pairs.append(("description", _string(first.description)))
        if not first.fair:
            pairs.append(("fair", "false"))
        out.add(f"  - {_flow_map(pairs)}", first.span.line)
    if machine.fairness != "weak":
        out.add(f"fairness: {machine.fairness}", out.anchor(machine.span.line, "fairness"))
    if machine.properties:
        out.add("properties:")
    for prop in machine.properties:
        if prop.kind == "reachable":
            assert prop.state is not None
            body = scalar(prop.state)
        elif prop.kind == "leads_to":
            assert prop.condition is not None and prop.target is not None
            ends = [
                ("from", _expr(to_source(prop.condition))),
                ("to", _expr(to_source(prop.target))),
            ]
            body = _flow_map(ends)
        else:
            assert prop.condition is not None
            body = _expr(to_source(prop.condition))
        pairs = [("name", scalar(prop.name)), (prop.kind, body)]
        out.add(f"  - {_flow_map(pairs)}", prop.span.line)


# -- system ------------------------------------------------------------------------------
def write_system(out: Layout, system: System) -> None:
    if system.fairness != "weak":
        out.add(f"fairness: {system.fairness}", out.anchor(system.span.line, "fairness"))
    out.add("components:", out.anchor(system.span.line, "components"))
    for component in system.components:
        pairs = [("machine", scalar(component.machine))]
        if component.count is not None:
            pairs.append(("count", str(component.count)))
        out.add(f"  {scalar(component.name)}: {_flow_map(pairs)}", component.span.line)
    if system.channels:
        out.add("channels:", out.anchor(system.span.line, "channels"))
    for channel in system.channels:
        pairs = [("capacity", str(channel.capacity))]
        if channel.count is not None:
            pairs.append(("count", str(channel.count)))
        if channel.bag:
            pairs.append(("ordering", "bag"))
        if channel.latency is not None:
            pairs.append(("latency", _distribution(channel.latency)))
        out.add(f"  {scalar(channel.name)}: {_flow_map(pairs)}", channel.span.line)
    if system.properties:
        out.add("properties:", out.anchor(system.span.line, "properties"))
    for prop in system.properties:
        body = _expr(to_source(prop.condition))
        if prop.target is not None:
            body = _flow_map([("from", body), ("to", _expr(to_source(prop.target)))])
        pairs = [("name", scalar(prop.name)), (prop.kind, body)]
        out.add(f"  - {_flow_map(pairs)}", prop.span.line)


# -- workflow ----------------------------------------------------------------------------
def write_workflow(out: Layout, workflow: Workflow) -> None:
    if workflow.sla_ms is not None:
        out.add(f"sla: {duration(workflow.sla_ms)}", out.anchor(workflow.span.line, "sla"))
    _declarations(out, "variables", workflow.variables)
    out.add("nodes:")
    for node in workflow.nodes:
        pairs = _node_pairs(node)
        if node.type != "task" or len(pairs) <= 2:
            out.add(f"  {scalar(node.id)}: {_flow_map(pairs)}", node.span.line)
            continue
        out.add(f"  {scalar(node.id)}:", node.span.line)
        for key, value in pairs:
            out.add(f"    {key}: {value}")
    if workflow.flows:
        out.add("flows:")
    for flow in workflow.flows:
        out.add(f"  - {_flow(flow)}", flow.span.line)


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
            pairs.append(("sets", _expr(action_to_source(node.sets))))
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
        pairs.append(("when", _expr(to_source(flow.when))))
    if flow.default:
        pairs.append(("default", "true"))
    if flow.description is not None:
        pairs.append(("description", _string(flow.description)))
    return _flow_map(pairs)


# -- plugins -----------------------------------------------------------------------------
def _requirements(items: Sequence[Requirement]) -> str:
    return _flow_map([(scalar(item.name), _string(item.constraint)) for item in items])


def write_plugins(out: Layout, plugins: PluginSet) -> None:
    out.add("plugins:")
    for plugin in plugins.plugins:
        extra = []
        if plugin.description is not None:
            extra.append(("description", _string(plugin.description)))
        if len(plugin.versions) == 1:
            only = plugin.versions[0]
            pairs = [("version", _string(only.text)), *_version_pairs(only), *extra]
            out.add(f"  {scalar(plugin.name)}: {_flow_map(pairs)}", plugin.span.line)
            continue
        out.add(f"  {scalar(plugin.name)}:", plugin.span.line)
        for key, value in extra:
            out.add(f"    {key}: {value}")
        out.add("    versions:")
        for version in plugin.versions:
            text = f"      {_string(version.text)}: {_flow_map(_version_pairs(version))}"
            out.add(text, version.span.line)
    if plugins.install is not None:
        where = plugins.install_spans[0].line if plugins.install_spans else None
        out.add(f"install: {_list(plugins.install)}", where)


def _version_pairs(version: PluginVersion) -> list[tuple[str, str]]:
    pairs = []
    for key in ("requires", "optional", "conflicts"):
        items = getattr(version, key)
        if items:
            pairs.append((key, _requirements(items)))
    return pairs


# -- policy ------------------------------------------------------------------------------
def write_policy(out: Layout, policy: Policy) -> None:
    _declarations(out, "attributes", policy.attributes)
    if policy.bands:
        out.add("bands:")
    for band in policy.bands:
        out.add(f"  {scalar(band.name)}:", band.span.line)
        out.add(f"    over: {scalar(band.over)}")
        out.add("    levels:")
        for level in band.levels:
            low = "[" if level.low_closed else "("
            high = "]" if level.high_closed else ")"
            text = f"{low}{number(level.low)}, {number(level.high)}{high}"
            out.add(f"      {scalar(level.name)}: {_string(text)}", level.span.line)
    out.add(f"combine: {policy.combine}", out.anchor(policy.span.line, "combine"))
    out.add(f"default: {policy.default}", out.anchor(policy.span.line, "default"))
    if policy.rules:
        out.add("rules:")
    for rule in policy.rules:
        pairs = [("id", scalar(rule.id)), ("effect", rule.effect)]
        if rule.when is not None:
            pairs.append(("when", _expr(to_source(rule.when))))
        if rule.description is not None:
            pairs.append(("description", _string(rule.description)))
        out.add(f"  - {_flow_map(pairs)}", rule.span.line)
    if policy.asserts:
        out.add("assert:")
    for assertion in policy.asserts:
        pairs = [("name", scalar(assertion.name)), (assertion.kind, assertion.effect)]
        if assertion.when is not None:
            pairs.append(("when", _expr(to_source(assertion.when))))
        out.add(f"  - {_flow_map(pairs)}", assertion.span.line)
