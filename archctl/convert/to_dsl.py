"""Model -> canonical DSL text (what ``archctl convert --to dsl`` and ``archctl fmt`` write).

One layout for every model: fixed statement order, two-space indent, a blank line between
sections, clauses in grammar order. Printing a model loaded from this text gives the same
bytes again, which is what makes ``fmt`` idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from fractions import Fraction

from archctl.convert.comments import Comments, Layout
from archctl.convert.shape import group_transitions, inferred_events
from archctl.convert.text import duration, float_text, number
from archctl.model.expr import action_to_source, decimal, to_source
from archctl.model.expr import quote as _quote
from archctl.model.plugins import PluginSet, PluginVersion, Requirement
from archctl.model.policy import Policy
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine, Transition
from archctl.model.system import System
from archctl.model.types import TypeKind, Variable, VarType, format_value
from archctl.model.workflow import Distribution, Flow, Node, Workflow

_ID = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.]|-(?!>))*")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?")
#: statements the model keeps no span for; comments find them by their first word
ANCHORED = frozenset({"version", "description", "initial", "final", "events", "combine", "default"})
_RESERVED = frozenset({"and", "or", "not", "in", "true", "false", "any"})


Entry = tuple[str, int | None]  # printed text, the source line it came from (for comments)
#: Blocks of entries, printed with a blank line between them.
Sections = list[list[Entry]]
#: The kind's own sections of a spec (after ``version`` and ``description``); the kind
#: registry (``kinds.py``) picks it for each spec.
DslBody = Callable[[Spec], Sections]


def write_dsl(specs: Sequence[Spec], body: DslBody, comments: Comments | None = None) -> str:
    """Every spec, one block each, separated by a blank line; comments kept by line.

    ``body`` gives each spec's kind-specific sections: this module knows the layout, not
    the kinds (``kinds.specs_to_dsl`` passes the registry's writers)."""
    layout = Layout(comments)
    for index, spec in enumerate(specs):
        if index:
            layout.add("")
        _block(layout, spec, body(spec))
    return layout.finish()


def _block(layout: Layout, spec: Spec, sections: Sections) -> None:
    header: list[Entry] = []
    if spec.version is not None:
        version = spec.version if _VERSION.fullmatch(spec.version) else _quote(spec.version)
        header.append((f"version {version}", None))
    if spec.description is not None:
        header.append((f"description {_quote(spec.description)}", None))
    body = [section for section in [header, *sections] if section]
    layout.add(f"{spec.kind} {name(spec.name)} {{", spec.span.line)
    for index, section in enumerate(body):
        if index:
            layout.add("")
        for text, line in section:
            word = text.split(" ", 1)[0]
            if line is None and word in ANCHORED:
                line = layout.anchor(spec.span.line, word)
            layout.add(text, line, "  ")
    layout.close(spec.span.line)


def name(text: str) -> str:
    """A name as written: bare when it lexes as one, quoted otherwise."""
    if _ID.fullmatch(text) and text not in _RESERVED:
        return text
    return _quote(text)


def _names(items: Sequence[str]) -> str:
    return ", ".join(name(item) for item in items)


def _desc(description: str | None) -> str:
    return "" if description is None else f" description {_quote(description)}"


def type_text(var_type: VarType) -> str:
    kind = var_type.kind
    if kind is TypeKind.ENUM:
        return "enum{" + ", ".join(_quote(value) for value in var_type.values) + "}"
    if kind in (TypeKind.INT, TypeKind.REAL) and var_type.low is not None:
        assert var_type.high is not None
        return f"{kind.value}[{number(var_type.low)}..{number(var_type.high)}]"
    return str(kind.value)


def _declaration(keyword: str, variable: Variable) -> str:
    line = f"{keyword} {name(variable.name)}: {type_text(variable.type)}"
    value = variable.initial
    if value is None:
        return line
    if variable.type.kind is TypeKind.REAL and isinstance(value, Fraction):
        return f"{line} = {decimal(Fraction(value))}"
    if variable.type.kind is TypeKind.IP:
        return f"{line} = {_quote(format_value(value, variable.type))}"
    if isinstance(value, str):
        return f"{line} = {_quote(value)}"
    return f"{line} = {format_value(value)}"


# -- statemachine ------------------------------------------------------------------------
def statemachine_sections(machine: StateMachine) -> Sections:
    variables: list[Entry] = [(_declaration("var", v), v.span.line) for v in machine.variables]
    states: list[Entry] = []
    if any(state.description is not None for state in machine.states):
        states.extend(
            (f"state {name(s.name)}{_desc(s.description)}", s.span.line) for s in machine.states
        )
    else:
        listing = "states " + _names([state.name for state in machine.states])
        states.append((listing, machine.states[0].span.line))
    states.append((f"initial {name(machine.initial)}", None))
    if machine.final:
        states.append(("final " + _names(machine.final), None))
    if machine.events != inferred_events(machine.transitions):
        states.append(("events " + _names(machine.events), None))
    if machine.fairness != "weak":
        states.append((f"fairness {machine.fairness}", None))
    transitions: list[Entry] = [
        (_transition(group), group[0].span.line) for group in group_transitions(machine.transitions)
    ]
    properties: list[Entry] = []
    for prop in machine.properties:
        if prop.kind == "reachable":
            assert prop.state is not None
            text = f"reachable {name(prop.name)}: {name(prop.state)}"
        elif prop.kind == "leads_to":
            assert prop.condition is not None and prop.target is not None
            ends = f"{to_source(prop.condition)} ~> {to_source(prop.target)}"
            text = f"leads_to {name(prop.name)}: {ends}"
        else:
            assert prop.condition is not None
            text = f"{prop.kind} {name(prop.name)}: {to_source(prop.condition)}"
        properties.append((text, prop.span.line))
    return [variables, states, transitions, properties]


def _transition(group: list[Transition]) -> str:
    first = group[0]
    line = f"{_names([t.source for t in group])} -> {name(first.target)}"
    if first.event is not None:
        line += f" on {name(first.event)}"
    if first.guard is not None:
        line += f" [{to_source(first.guard)}]"
    if first.channel is not None:
        keyword = "send" if first.channel.send else "receive"
        line += f" {keyword} {first.channel.source_text()}"
    if first.action:
        line += f" / {action_to_source(first.action)}"
    if not first.fair:
        line += " fair false"
    return line + _desc(first.description)


# -- system ------------------------------------------------------------------------------
def system_sections(system: System) -> Sections:
    parts: list[Entry] = []
    for component in system.components:
        count = "" if component.count is None else f" count {component.count}"
        text = f"component {name(component.name)}: {name(component.machine)}{count}"
        parts.append((text, component.span.line))
    channels: list[Entry] = []
    for channel in system.channels:
        text = f"channel {name(channel.name)} capacity {channel.capacity}"
        if channel.count is not None:
            text += f" count {channel.count}"
        if channel.bag:
            text += " ordering bag"
        if channel.latency is not None:
            text += f" latency {dist_text(channel.latency)}"
        channels.append((text, channel.span.line))
    properties: list[Entry] = []
    if system.fairness != "weak":
        properties.append((f"fairness {system.fairness}", None))
    for prop in system.properties:
        if prop.target is not None:
            body = f"{to_source(prop.condition)} ~> {to_source(prop.target)}"
        else:
            body = to_source(prop.condition)
        properties.append((f"{prop.kind} {name(prop.name)}: {body}", prop.span.line))
    return [parts, channels, properties]


# -- workflow ----------------------------------------------------------------------------
def workflow_sections(workflow: Workflow) -> Sections:
    variables: list[Entry] = [(_declaration("var", v), v.span.line) for v in workflow.variables]
    nodes: list[Entry] = [(_node(node), node.span.line) for node in workflow.nodes]
    if workflow.sla_ms is not None:
        variables.insert(0, (f"sla {duration(workflow.sla_ms)}", None))
    return [variables, nodes, _flows(workflow.flows)]


def _node(node: Node) -> str:
    if node.type == "start":
        return f"start {name(node.id)}{_desc(node.description)}"
    if node.type == "end":
        result = f" {node.result}" if node.result else ""
        return f"end {name(node.id)}{result}{_desc(node.description)}"
    if node.type == "gateway":
        return f"gateway {name(node.id)} {node.gateway}{_desc(node.description)}"
    parts = [f"task {name(node.id)}"]
    if node.task and node.task != "service":
        parts.append(node.task)
    if node.process is not None:
        parts.append(f"process {name(node.process)}")
    if node.assignee is not None:
        parts.append(f"assignee {name(node.assignee)}")
    if node.deadline_ms is not None:
        parts.append(f"deadline {duration(node.deadline_ms)}")
    if node.retry is not None:
        retry = node.retry
        text = f"retry {retry.max_attempts}"
        if retry.backoff_ms:
            text += f" backoff {duration(retry.backoff_ms)}"
        if retry.multiplier != 1.0:
            text += f" x{float_text(retry.multiplier)}"
        if retry.max_backoff_ms is not None:
            text += f" max {duration(retry.max_backoff_ms)}"
        parts.append(text)
    if node.on_error is not None:
        parts.append(f"on_error {name(node.on_error)}")
    if node.duration is not None:
        parts.append(f"duration {distribution_text(node)}")
    if node.failure_rate:
        parts.append(f"failure_rate {float_text(node.failure_rate)}")
    if node.description is not None:
        parts.append(f"description {_quote(node.description)}")
    if node.sets:
        parts.append(f"sets {action_to_source(node.sets)}")
    return " ".join(parts)


def distribution_text(node: Node) -> str:
    assert node.duration is not None
    return dist_text(node.duration)


def dist_text(dist: Distribution) -> str:
    if dist.kind == "fixed":
        return duration(dist.value)
    values = {
        "uniform": (dist.low, dist.high),
        "exponential": (dist.mean,),
        "normal": (dist.mean, dist.stddev),
        "lognormal": (dist.mean, dist.stddev),
    }[dist.kind]
    return f"{dist.kind}(" + ", ".join(duration(value) for value in values) + ")"


def _plain(flow: Flow) -> bool:
    return flow.when is None and not flow.default and flow.description is None


def _flows(flows: Sequence[Flow]) -> list[Entry]:
    """Plain flows that continue where the previous one ended are chained: a -> b -> c."""
    lines: list[Entry] = []
    chain: list[str] = []
    chain_line: int | None = None
    for flow in flows:
        if _plain(flow) and chain and chain[-1] == flow.source:
            chain.append(flow.target)
            continue
        if chain:
            lines.append((" -> ".join(name(item) for item in chain), chain_line))
            chain = []
        if _plain(flow):
            chain, chain_line = [flow.source, flow.target], flow.span.line
            continue
        line = f"{name(flow.source)} -> {name(flow.target)}"
        if flow.when is not None:
            line += f" when {to_source(flow.when)}"
        if flow.default:
            line += " default"
        lines.append((line + _desc(flow.description), flow.span.line))
    if chain:
        lines.append((" -> ".join(name(item) for item in chain), chain_line))
    return lines


# -- plugins -----------------------------------------------------------------------------
def _requirements(version: PluginVersion) -> str:
    out = ""
    for keyword, items in (
        ("requires", version.requires),
        ("optional", version.optional),
        ("conflicts", version.conflicts),
    ):
        if items:
            out += f" {keyword} " + ", ".join(_requirement(item) for item in items)
    return out


def _requirement(requirement: Requirement) -> str:
    return f"{name(requirement.name)} {_quote(requirement.constraint)}"


def plugins_sections(plugins: PluginSet) -> Sections:
    lines: list[Entry] = []
    for plugin in plugins.plugins:
        head = f"plugin {name(plugin.name)}"
        if len(plugin.versions) == 1:
            only = plugin.versions[0]
            text = f"{head} {only.text}{_requirements(only)}{_desc(plugin.description)}"
            lines.append((text, plugin.span.line))
            continue
        lines.append((f"{head}{_desc(plugin.description)} {{", plugin.span.line))
        lines.extend((f"  {v.text}{_requirements(v)}", v.span.line) for v in plugin.versions)
        lines.append(("}", None))
    install: list[Entry] = []
    if plugins.install is not None:
        where = plugins.install_spans[0].line if plugins.install_spans else None
        install.append(("install " + _names(plugins.install), where))
    return [lines, install]


# -- policy ------------------------------------------------------------------------------
def policy_sections(policy: Policy) -> Sections:
    attributes: list[Entry] = [(_declaration("attr", a), a.span.line) for a in policy.attributes]
    bands: list[Entry] = []
    for band in policy.bands:
        bands.append((f"band {name(band.name)} over {name(band.over)} {{", band.span.line))
        for level in band.levels:
            low = "[" if level.low_closed else "("
            high = "]" if level.high_closed else ")"
            text = f"  {name(level.name)} {low}{number(level.low)}, {number(level.high)}{high}"
            bands.append((text, level.span.line))
        bands.append(("}", None))
    settings: list[Entry] = [
        (f"combine {policy.combine}", None),
        (f"default {policy.default}", None),
    ]
    rules: list[Entry] = []
    for rule in policy.rules:
        when = "" if rule.when is None else f" when {to_source(rule.when)}"
        text = f"rule {name(rule.id)} {rule.effect}{when}{_desc(rule.description)}"
        rules.append((text, rule.span.line))
    asserts: list[Entry] = []
    for assertion in policy.asserts:
        when = "" if assertion.when is None else f" when {to_source(assertion.when)}"
        text = f"assert {name(assertion.name)} {assertion.kind} {assertion.effect}{when}"
        asserts.append((text, assertion.span.line))
    return [attributes, bands, settings, rules, asserts]
