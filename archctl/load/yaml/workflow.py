"""Build a :class:`Workflow` from a composed YAML document."""

from __future__ import annotations

import re

import yaml

from archctl import codes
from archctl.load.expr.types import TypeChecker
from archctl.load.resolve import Names
from archctl.load.values import attempts_problem
from archctl.load.yaml.common import HEADER_KEYS, declarations, header
from archctl.load.yaml.reader import Fields, Reader
from archctl.model.expr import Action
from archctl.model.workflow import Distribution, Flow, Node, RetryPolicy, Workflow, distribution
from archctl.source import Span

KEYS = (*HEADER_KEYS, "variables", "nodes", "flows", "sla")
NODE_TYPES = ("start", "task", "gateway", "end")
TASK_KINDS = ("service", "user", "script", "subprocess")
GATEWAY_KINDS = ("exclusive", "parallel", "inclusive")
NODE_KEYS = {
    "start": ("type", "description"),
    "end": ("type", "result", "description"),
    "gateway": ("type", "gateway", "description"),
    "task": (
        "type",
        "task",
        "process",
        "assignee",
        "deadline",
        "retry",
        "on_error",
        "sets",
        "duration",
        "failure_rate",
        "description",
    ),
}
RETRY_KEYS = ("max_attempts", "backoff", "multiplier", "max_backoff")
FLOW_KEYS = ("from", "to", "when", "default", "description")
DIST_KEYS = {
    "fixed": ("value",),
    "uniform": ("min", "max"),
    "exponential": ("mean",),
    "normal": ("mean", "stddev"),
    "lognormal": ("mean", "stddev"),
}
SHORT_FLOW = re.compile(r"^\s*(\S+)\s*->\s*(\S+)\s*$")


def build_workflow(reader: Reader, fields: Fields) -> Workflow | None:
    name, version, description = header(reader, fields)
    variables = declarations(reader, fields.get("variables"), "variables")
    checker = TypeChecker({variable.name: variable.type for variable in variables})
    raw_nodes = _node_entries(reader, fields.get("nodes"))
    names = Names(
        reader.error, "node", {node_id: reader.span(key) for node_id, key, _ in raw_nodes}
    )
    nodes = []
    for node_id, key_node, value_node in raw_nodes:
        node = _node(reader, node_id, key_node, value_node, names, checker)
        if node is not None:
            nodes.append(node)
    flows = _flows(reader, fields.get("flows"), names, checker)
    sla_node = fields.get("sla")
    sla = reader.duration(sla_node, "sla") if sla_node is not None else None
    if name is None or not raw_nodes:
        return None
    return Workflow(
        name=name,
        span=reader.span(fields.node),
        variables=variables,
        nodes=tuple(nodes),
        flows=flows,
        version=version,
        description=description,
        sla_ms=sla,
    )


def _node_entries(reader: Reader, node: yaml.Node | None) -> list[tuple[str, yaml.Node, yaml.Node]]:
    if node is None:
        return []
    fields = reader.mapping(node, "nodes", None)
    if fields is None:
        return []
    if not fields.entries:
        reader.error(codes.LD004, "a workflow needs at least one node", node)
    return [(name, key, value) for name, (key, value) in fields.entries.items()]


def _node(
    reader: Reader,
    node_id: str,
    key_node: yaml.Node,
    value_node: yaml.Node,
    names: Names,
    checker: TypeChecker,
) -> Node | None:
    what = f"node '{node_id}'"
    span = reader.span(key_node)
    probe = reader.mapping(value_node, what, None)
    if probe is None:
        return None
    type_node = probe.get("type")
    node_type = "task" if type_node is None else reader.choice(type_node, "type", NODE_TYPES)
    if node_type is None:
        return None
    fields = reader.restrict(probe, what, NODE_KEYS[node_type])
    description = _text(reader, fields, "description")
    if node_type == "start":
        return Node(node_id, "start", span, description=description)
    if node_type == "end":
        result = None
        result_node = fields.get("result")
        if result_node is not None:
            result = reader.choice(result_node, "result", ("success", "failure"))
        return Node(node_id, "end", span, result=result, description=description)
    if node_type == "gateway":
        gateway_node = fields.get("gateway")
        if gateway_node is None:
            reader.error(
                codes.LD003,
                f"gateway '{node_id}' needs `gateway: exclusive|parallel|inclusive`",
                key_node,
            )
            return None
        gateway = reader.choice(gateway_node, "gateway", GATEWAY_KINDS)
        if gateway is None:
            return None
        return Node(node_id, "gateway", span, gateway=gateway, description=description)
    return _task(reader, node_id, span, fields, names, checker, description)


def _text(reader: Reader, fields: Fields, key: str) -> str | None:
    node = fields.get(key)
    return None if node is None else reader.text(node, key)


def _task(
    reader: Reader,
    node_id: str,
    span: Span,
    fields: Fields,
    names: Names,
    checker: TypeChecker,
    description: str | None,
) -> Node:
    task_node = fields.get("task")
    task = "service" if task_node is None else reader.choice(task_node, "task", TASK_KINDS)
    process = _text(reader, fields, "process")
    process_node = fields.get("process")
    if task == "subprocess" and process is None:
        reader.error(codes.LD003, f"subprocess task '{node_id}' needs `process: WORKFLOW`", span)
    deadline = None
    deadline_node = fields.get("deadline")
    if deadline_node is not None:
        deadline = reader.duration(deadline_node, "deadline")
    retry = None
    retry_node = fields.get("retry")
    if retry_node is not None:
        retry = _retry(reader, retry_node)
    on_error = None
    on_error_node = fields.get("on_error")
    if on_error_node is not None:
        on_error = names.resolve(reader.text(on_error_node, "on_error"), on_error_node)
    sets: Action = ()
    sets_node = fields.get("sets")
    if sets_node is not None:
        sets = reader.action(sets_node, "the `sets` effects", checker) or ()
    duration = None
    duration_node = fields.get("duration")
    if duration_node is not None:
        duration = _distribution(reader, duration_node)
    failure_rate = 0.0
    rate_node = fields.get("failure_rate")
    if rate_node is not None:
        rate = reader.number(rate_node, "failure_rate")
        if rate is not None and not 0 <= rate <= 1:
            reader.error(codes.LD004, "failure_rate is a probability between 0 and 1", rate_node)
        elif rate is not None:
            failure_rate = float(rate)
    return Node(
        node_id,
        "task",
        span,
        task=task or "service",
        process=process,
        process_span=reader.span(process_node) if process_node is not None else None,
        assignee=_text(reader, fields, "assignee"),
        deadline_ms=deadline,
        retry=retry,
        on_error=on_error,
        on_error_span=reader.span(on_error_node) if on_error_node is not None else None,
        sets=sets,
        duration=duration,
        failure_rate=failure_rate,
        description=description,
    )


def _retry(reader: Reader, node: yaml.Node) -> RetryPolicy | None:
    fields = reader.mapping(node, "retry", RETRY_KEYS, ("max_attempts",))
    if fields is None:
        return None
    attempts_node = fields.get("max_attempts")
    attempts = None
    if attempts_node is not None:
        attempts = reader.integer(attempts_node, "max_attempts", minimum=1)
        problem = None if attempts is None else attempts_problem(attempts)
        if problem is not None:
            reader.error(codes.LD004, problem, attempts_node)
            attempts = None
    backoff = 0
    backoff_node = fields.get("backoff")
    if backoff_node is not None:
        backoff = reader.duration(backoff_node, "backoff") or 0
    multiplier: float = 1.0
    multiplier_node = fields.get("multiplier")
    if multiplier_node is not None:
        value = reader.number(multiplier_node, "multiplier")
        if value is not None and value < 1:
            reader.error(codes.LD004, "multiplier must be at least 1", multiplier_node)
        elif value is not None:
            multiplier = float(value)
    max_backoff = None
    max_node = fields.get("max_backoff")
    if max_node is not None:
        max_backoff = reader.duration(max_node, "max_backoff")
    if attempts is None:
        return None
    return RetryPolicy(attempts, backoff, multiplier, max_backoff, reader.span(node))


def _distribution(reader: Reader, node: yaml.Node) -> Distribution | None:
    if isinstance(node, yaml.ScalarNode):
        value = reader.duration(node, "duration")
        return None if value is None else Distribution("fixed", value=float(value))
    probe = reader.mapping(node, "duration", None, ("dist",))
    if probe is None or "dist" not in probe:
        return None
    dist_node = probe.get("dist")
    assert dist_node is not None
    kind = reader.choice(dist_node, "dist", tuple(DIST_KEYS))
    if kind is None:
        return None
    fields = reader.restrict(
        probe, f"a {kind} duration", ("dist", *DIST_KEYS[kind]), DIST_KEYS[kind]
    )
    if any(key not in fields for key in DIST_KEYS[kind]):
        return None
    values: dict[str, float] = {}
    for key in DIST_KEYS[kind]:
        value_node = fields.get(key)
        assert value_node is not None
        parsed = reader.duration(value_node, key)
        if parsed is None:
            return None
        values[key] = float(parsed)
    try:
        return distribution(kind, values)
    except ValueError as error:
        reader.error(codes.LD004, str(error), node)
        return None


def _flows(
    reader: Reader, node: yaml.Node | None, names: Names, checker: TypeChecker
) -> tuple[Flow, ...]:
    if node is None:
        return ()
    items = reader.sequence(node, "flows")
    if items is None:
        return ()
    out = []
    for index, item in enumerate(items):
        flow = _flow(reader, index, item, names, checker)
        if flow is not None:
            out.append(flow)
    return tuple(out)


def _flow(
    reader: Reader, index: int, node: yaml.Node, names: Names, checker: TypeChecker
) -> Flow | None:
    span = reader.span(node)
    if isinstance(node, yaml.ScalarNode):
        text = reader.text(node, "a flow")
        if text is None:
            return None
        match = SHORT_FLOW.match(text)
        if not match:
            reader.error(
                codes.LD004,
                f"'{text}' is not a flow",
                node,
                "write `FROM -> TO` or a mapping {from, to, when, default}",
            )
            return None
        locate = reader.locator(node)
        source = names.resolve(match.group(1), locate(match.start(1), match.end(1)))
        target = names.resolve(match.group(2), locate(match.start(2), match.end(2)))
        if source is None or target is None:
            return None
        return Flow(index, source, target, None, False, span)
    fields = reader.mapping(node, "a flow", FLOW_KEYS, ("from", "to"))
    if fields is None:
        return None
    from_node, to_node = fields.get("from"), fields.get("to")
    source = target = None
    if from_node is not None:
        source = names.resolve(reader.text(from_node, "from"), from_node)
    if to_node is not None:
        target = names.resolve(reader.text(to_node, "to"), to_node)
    when = None
    when_node = fields.get("when")
    if when_node is not None:
        when = reader.expression(when_node, "the flow condition", checker)
    default = False
    default_node = fields.get("default")
    if default_node is not None:
        default = bool(reader.boolean(default_node, "default"))
    if default and when_node is not None:
        reader.error(
            codes.LD004,
            "a flow is either conditional (`when`) or the `default`, not both",
            default_node or node,
        )
        return None
    if source is None or target is None or (when_node is not None and when is None):
        return None
    return Flow(index, source, target, when, default, span, _text(reader, fields, "description"))
