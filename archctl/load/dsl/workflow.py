"""Build a :class:`Workflow` from a ``workflow NAME { ... }`` block."""

from __future__ import annotations

import itertools
from typing import Any

from lark import Token

from archctl import codes
from archctl.load.dsl.common import Context, statements
from archctl.load.dsl.parse import child, token
from archctl.load.expr.types import TypeChecker
from archctl.load.values import attempts_problem, parse_duration, parse_number
from archctl.model.expr import Action
from archctl.model.workflow import Distribution, Flow, Node, RetryPolicy, Workflow, distribution
from archctl.source import Span

_NODES = ("start_node", "end_node", "gateway_node", "task_node")
#: duration parameters of each distribution, in the order they are written
DIST_PARAMS = {
    "fixed": ("value",),
    "uniform": ("min", "max"),
    "exponential": ("mean",),
    "normal": ("mean", "stddev"),
    "lognormal": ("mean", "stddev"),
}


def build_workflow(ctx: Context, tree: Any) -> Workflow | None:
    name = ctx.spec_name(tree.children[0])
    seen: dict[str, Span] = {}
    version = description = None
    decls: list[Any] = []
    raw_nodes: list[tuple[str, Any]] = []
    declared: dict[str, Span] = {}
    flows: list[Any] = []
    sla: int | None = None
    for item in statements(tree):
        kind = item.data
        if kind in ("version", "description", "sla") and not ctx.once(
            seen, kind, item, "a workflow"
        ):
            continue
        if kind == "sla":
            sla = _duration(ctx, item.children[0])
        elif kind == "version":
            version = ctx.text(item.children[0])
        elif kind == "description":
            description = ctx.text(item.children[0])
        elif kind in ("var_decl", "attr_decl"):
            if kind == "attr_decl":
                ctx.error(codes.LD004, "a workflow declares variables with `var`", item)
                continue
            decls.append(item)
        elif kind in _NODES:
            node_id = ctx.name(item.children[0])
            if node_id in declared:
                ctx.error(
                    codes.LD006,
                    f"duplicate key '{node_id}' in nodes",
                    item,
                    f"first defined at line {declared[node_id].line}",
                )
                continue
            declared[node_id] = ctx.span(item)
            raw_nodes.append((node_id, item))
        else:
            flows.append(item)
    variables = ctx.declarations(decls, "variables")
    checker = TypeChecker({variable.name: variable.type for variable in variables})
    nodes = []
    for node_id, item in raw_nodes:
        node = _node(ctx, node_id, item, declared, checker)
        if node is not None:
            nodes.append(node)
    built: list[Flow] = []
    for item in flows:
        built.extend(_flows(ctx, len(built), item, declared, checker))
    if not raw_nodes:
        ctx.error(
            codes.LD003, "a workflow needs nodes (start, task, gateway, end)", tree.children[0]
        )
    if name is None or not raw_nodes:
        return None
    return Workflow(
        name=name,
        span=ctx.header_span(tree),
        variables=variables,
        nodes=tuple(nodes),
        flows=tuple(built),
        version=version,
        description=description,
        sla_ms=sla,
    )


def _description(ctx: Context, item: Any) -> str | None:
    desc = child(item, "desc")
    return None if desc is None else ctx.text(desc.children[0])


def _node(
    ctx: Context, node_id: str, item: Any, declared: dict[str, Span], checker: TypeChecker
) -> Node | None:
    span = ctx.span(item)
    kind = item.data
    if kind == "start_node":
        return Node(node_id, "start", span, description=_description(ctx, item))
    if kind == "end_node":
        result = token(item, "RESULT")
        return Node(
            node_id,
            "end",
            span,
            result=None if result is None else str(result),
            description=_description(ctx, item),
        )
    if kind == "gateway_node":
        gateway = str(token(item, "GATEWAY"))
        return Node(node_id, "gateway", span, gateway=gateway, description=_description(ctx, item))
    return _task(ctx, node_id, item, declared, checker)


def _task(
    ctx: Context, node_id: str, item: Any, declared: dict[str, Span], checker: TypeChecker
) -> Node:
    seen: dict[str, Span] = {}
    fields: dict[str, Any] = {"task": "service", "failure_rate": 0.0, "sets": ()}
    what = f"task '{node_id}'"
    for clause in item.children[1:]:
        word = "description" if clause.data == "desc" else clause.data
        if word in ("fixed", "distribution"):
            word = "duration"
        if not ctx.once(seen, word, clause, what):
            continue
        _clause(ctx, clause, fields, declared, checker)
    if fields["task"] == "subprocess" and fields.get("process") is None:
        ctx.error(codes.LD003, f"subprocess task '{node_id}' needs `process WORKFLOW`", item)
    return Node(node_id, "task", ctx.span(item), **fields)


def _clause(
    ctx: Context, clause: Any, fields: dict[str, Any], declared: dict[str, Span], checker: Any
) -> None:
    kind = clause.data
    first = clause.children[0] if clause.children else None
    if kind == "task_kind":
        fields["task"] = str(first)
    elif kind == "process":
        fields["process"] = ctx.name(first)
        fields["process_span"] = ctx.span(first)
    elif kind == "assignee":
        fields["assignee"] = ctx.name(first)
    elif kind == "deadline":
        fields["deadline_ms"] = _duration(ctx, first)
    elif kind == "retry":
        fields["retry"] = _retry(ctx, clause)
    elif kind == "on_error":
        fields["on_error"] = ctx.resolve("node", declared, ctx.name(first), first)
        fields["on_error_span"] = ctx.span(first)
    elif kind == "sets":
        action: Action | None = ctx.action(first, checker)
        fields["sets"] = action or ()
    elif kind == "fixed":
        value = _duration(ctx, first)
        if value is not None:
            fields["duration"] = Distribution("fixed", value=float(value))
    elif kind == "distribution":
        fields["duration"] = _distribution(ctx, clause)
    elif kind == "failure_rate":
        rate = parse_number(str(first))
        if not 0 <= rate <= 1:
            ctx.error(codes.LD004, "failure_rate is a probability between 0 and 1", first)
        else:
            fields["failure_rate"] = float(rate)
    else:
        fields["description"] = ctx.text(first)


def _duration(ctx: Context, item: Any) -> int | None:
    try:
        return parse_duration(str(item))
    except ValueError as error:
        ctx.error(codes.LD004, str(error), item)
        return None


def _retry(ctx: Context, clause: Any) -> RetryPolicy | None:
    attempts_token = clause.children[0]
    try:
        attempts = parse_number(str(attempts_token))
    except ValueError as error:
        ctx.error(codes.LD004, str(error), attempts_token)
        return None
    problem = attempts_problem(attempts) if isinstance(attempts, int) else None
    if not isinstance(attempts, int) or problem is not None:
        why = problem or "max_attempts must be a whole number of at least 1"
        ctx.error(codes.LD004, why, attempts_token)
        return None
    backoff = 0
    backoff_tree = child(clause, "backoff")
    if backoff_tree is not None:
        backoff = _duration(ctx, backoff_tree.children[0]) or 0
    multiplier = 1.0
    mult = token(clause, "MULT")
    if mult is not None:
        multiplier = float(str(mult)[1:])
        if multiplier < 1:
            ctx.error(codes.LD004, "multiplier must be at least 1", mult)
            multiplier = 1.0
    max_backoff = None
    max_tree = child(clause, "max_backoff")
    if max_tree is not None:
        max_backoff = _duration(ctx, max_tree.children[0])
    return RetryPolicy(attempts, backoff, multiplier, max_backoff, ctx.span(clause))


def _distribution(ctx: Context, clause: Any) -> Distribution | None:
    kind = str(clause.children[0])
    params = DIST_PARAMS[kind]
    args = clause.children[1:]
    if len(args) != len(params):
        ctx.error(
            codes.LD004,
            f"a {kind} duration takes {len(params)} value(s): {kind}({', '.join(params)})",
            clause,
        )
        return None
    values: dict[str, float] = {}
    for param, arg in zip(params, args, strict=True):
        parsed = _duration(ctx, arg)
        if parsed is None:
            return None
        values[param] = float(parsed)
    try:
        return distribution(kind, values)
    except ValueError as error:
        ctx.error(codes.LD004, str(error), clause)
        return None


def _flows(
    ctx: Context, first_index: int, item: Any, declared: dict[str, Span], checker: TypeChecker
) -> list[Flow]:
    """``a -> b [when C | default]``, or a chain ``a -> b -> c`` of plain flows."""
    hops = [part for part in item.children if isinstance(part, Token)]
    when_tree = child(item, "when")
    default = child(item, "default_flag") is not None
    description = _description(ctx, item)
    if len(hops) > 2 and (when_tree is not None or default or description is not None):
        ctx.error(
            codes.LD004,
            "a condition, `default` or description applies to a single flow",
            item,
            "write the conditional flow on its own line: `a -> b when ...`",
        )
        return []
    when = ctx.expression(when_tree.children[0], checker) if when_tree is not None else None
    ends = [ctx.resolve("node", declared, ctx.name(hop), hop) for hop in hops]
    if when_tree is not None and when is None:
        return []
    out = []
    for offset, (source, target) in enumerate(itertools.pairwise(ends)):
        if source is None or target is None:
            continue
        span = ctx.span(item) if len(hops) == 2 else ctx.span_over(hops[offset], hops[offset + 1])
        out.append(Flow(first_index + offset, source, target, when, default, span, description))
    return out
