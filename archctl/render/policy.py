"""Policies drawn as a decision diagram: rules in the order they take precedence, then the default.

A request enters at the top and walks down the rules; the first rule that matches decides.
For ``first-applicable`` that is the file order. For ``deny-overrides`` it is every deny rule,
then every allow rule (a deny anywhere wins, which the chain expresses exactly), and the other
way round for ``permit-overrides``. Shadowing found by ``--check`` is drawn on top by the overlay.
"""

from __future__ import annotations

from archctl.model.expr import to_source
from archctl.model.policy import Policy, Rule
from archctl.render.graph import Cluster, DEdge, DiagramGraph, DNode, add_class

REQUEST, ALLOW, DENY, DEFAULT = ":request", ":allow", ":deny", ":default"
WIDTH = 44


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Break a long condition at spaces into lines of at most ``width`` characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def precedence(policy: Policy) -> list[list[Rule]]:
    """Rule tiers in evaluation order; within a tier, file order."""
    if policy.combine == "first-applicable":
        return [list(policy.rules)]
    first = "deny" if policy.combine == "deny-overrides" else "allow"
    return [
        [rule for rule in policy.rules if rule.effect == first],
        [rule for rule in policy.rules if rule.effect != first],
    ]


def _tier_label(policy: Policy, effect: str, position: int) -> str:
    if policy.combine == "first-applicable":
        return "rules: the first that matches decides"
    if position == 0:
        return f"{effect} rules: any match decides ({policy.combine})"
    return f"{effect} rules: decide when no {'deny' if effect == 'allow' else 'allow'} rule matches"


def _rule_node(rule: Rule) -> DNode:
    condition = "always" if rule.when is None else "when " + to_source(rule.when)
    label = "\n".join([f"{rule.index + 1}. {rule.id}: {rule.effect}", *wrap(condition)])
    node = DNode(rule.id, label, "box", rule.span)
    add_class(node.classes, "allow" if rule.effect == "allow" else "deny")
    return node


def build_policy(policy: Policy) -> DiagramGraph:
    """The decision diagram of one policy."""
    version = f" {policy.version}" if policy.version else ""
    graph = DiagramGraph(
        policy.name,
        "policy",
        direction="TB",
        title=f"policy {policy.name}{version} ({policy.combine}, default {policy.default})",
    )
    graph.add_node(DNode(REQUEST, "request", "circle"))
    allow = graph.add_node(DNode(ALLOW, "ALLOW", "end"))
    add_class(allow.classes, "allow")
    deny = graph.add_node(DNode(DENY, "DENY", "end"))
    add_class(deny.classes, "deny")
    previous = REQUEST
    for position, tier in enumerate(precedence(policy)):
        if not tier:
            continue
        cluster = Cluster(f"tier{position}", _tier_label(policy, tier[0].effect, position))
        graph.clusters.append(cluster)
        for rule in tier:
            graph.add_node(_rule_node(rule))
            cluster.members.append(rule.id)
            label = "" if previous == REQUEST else "no match"
            graph.add_edge(DEdge(previous, rule.id, label))
            target = ALLOW if rule.effect == "allow" else DENY
            graph.add_edge(DEdge(rule.id, target, "match", style="dashed"))
            previous = rule.id
    default_label = "no decision" if policy.default == "none" else f"default: {policy.default}"
    graph.add_node(DNode(DEFAULT, default_label, "note"))
    graph.add_edge(DEdge(previous, DEFAULT, "no match" if policy.rules else ""))
    if policy.default in ("allow", "deny"):
        graph.add_edge(DEdge(DEFAULT, ALLOW if policy.default == "allow" else DENY, ""))
    return graph
