"""Generate block-structured workflows (YAML) for the workflow soundness benchmark.

A workflow is ``start -> BLOCK -> end`` where a block is a task, a sequence of blocks, a
parallel split/join, a free exclusive choice/merge, or a rework loop (an exclusive merge,
a body, and a free exclusive split back to the merge or onwards). Such workflows are sound
by construction; ``defect`` breaks one of them on purpose:

* ``deadlock``: one exclusive merge becomes a parallel join (it waits for a branch that was
  not taken);
* ``unsafe``: one parallel join becomes an exclusive merge (both tokens pass on).

The budget is split between sub-blocks, so a parallel block of ``n`` nodes has branches of
about ``n / branches`` nodes each. Also ``parallel_branches(k)``: one parallel split into k
one-task branches (2^k markings without reduction), the family BPMN Analyzer reports 15/17/20
branches for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class _Builder:
    rng: random.Random
    max_branches: int = 4
    max_depth: int = 99  # parallel blocks nested at most this deep
    branch_nodes: int = 10**9  # at most this many nodes per parallel branch
    depth: int = 0
    nodes: list[tuple[str, str]] = field(default_factory=list)  # (id, type/gateway)
    flows: list[tuple[str, str]] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # exclusive merges of choices
    joins: list[str] = field(default_factory=list)  # parallel joins

    def node(self, prefix: str, kind: str) -> str:
        name = f"{prefix}{len(self.nodes)}"
        self.nodes.append((name, kind))
        return name

    def block(self, budget: int) -> tuple[str, str]:
        """Build a block of about ``budget`` nodes; return its entry and exit nodes."""
        if budget <= 2:
            task = self.node("t", "task")
            return task, task
        roll = self.rng.random()
        if budget < 6 or roll < 0.3:
            parts = min(budget, self.rng.randint(2, 4))
            return self._sequence([budget // parts] * parts)
        if roll < 0.6 and self.depth < self.max_depth:
            return self._fork("parallel", budget)
        if roll < 0.6:
            return self._loop(budget)
        if roll < 0.8:
            return self._fork("exclusive", budget)
        return self._loop(budget)

    def _sequence(self, budgets: list[int]) -> tuple[str, str]:
        first = last = None
        for budget in budgets:
            entry, exit_ = self.block(budget)
            if last is not None:
                self.flows.append((last, entry))
            first = first or entry
            last = exit_
        assert first is not None and last is not None
        return first, last

    def _fork(self, gateway: str, budget: int) -> tuple[str, str]:
        split = self.node("s", gateway)
        join = self.node("j", gateway)
        (self.joins if gateway == "parallel" else self.merges).append(join)
        branches = self.rng.randint(2, self.max_branches)
        self.depth += gateway == "parallel"
        share = max(1, (budget - 2) // branches)
        if gateway == "parallel":
            share = min(share, self.branch_nodes)
        for _ in range(branches):
            entry, exit_ = self.block(share)
            self.flows += [(split, entry), (exit_, join)]
        self.depth -= gateway == "parallel"
        rest = budget - 2 - share * branches
        if rest > branches:  # branches were capped: spend the rest after the join
            entry, exit_ = self.block(rest)
            self.flows.append((join, entry))
            return split, exit_
        return split, join

    def _loop(self, budget: int) -> tuple[str, str]:
        merge = self.node("m", "exclusive")
        entry, exit_ = self.block(budget - 2)
        split = self.node("x", "exclusive")
        self.flows += [(merge, entry), (exit_, split), (split, merge)]
        return merge, split


def workflow(
    nodes: int,
    seed: int,
    defect: str | None = None,
    max_branches: int = 4,
    max_depth: int = 99,
    branch_nodes: int = 10**9,
) -> str:
    """YAML text of a generated workflow with about ``nodes`` nodes.

    ``max_branches``, ``max_depth`` and ``branch_nodes`` bound the parallelism (branches per
    parallel block, nesting, size of a branch), which is what makes the number of reachable
    markings grow; the budget a capped parallel block does not use follows it in sequence.
    """
    builder = _Builder(random.Random(seed), max_branches, max_depth, branch_nodes)
    entry, exit_ = builder.block(nodes - 2)
    pool = {"deadlock": builder.merges, "unsafe": builder.joins}.get(defect or "", [])
    if defect is not None and not pool:  # nothing of that kind was drawn: append one block
        split, join = builder._fork("exclusive" if defect == "deadlock" else "parallel", 6)
        builder.flows.append((exit_, split))
        exit_ = join
    kinds = dict(builder.nodes)
    if defect is not None:
        victim = builder.rng.choice(sorted(pool))
        kinds[victim] = "parallel" if defect == "deadlock" else "exclusive"
    lines = [f"kind: workflow\nname: gen-{nodes}-{seed}-{defect or 'sound'}\nnodes:"]
    lines.append("  start: {type: start}")
    for name, _ in builder.nodes:
        kind = kinds[name]
        if kind == "task":
            lines.append(f"  {name}: {{type: task}}")
        else:
            lines.append(f"  {name}: {{type: gateway, gateway: {kind}}}")
    lines.append("  end: {type: end}\nflows:")
    for source, target in [("start", entry), *builder.flows, (exit_, "end")]:
        lines.append(f"  - {source} -> {target}")
    return "\n".join(lines) + "\n"


def parallel_branches(branches: int) -> str:
    lines = ["kind: workflow", f"name: parallel-{branches}", "nodes:", "  start: {type: start}"]
    lines.append("  split: {type: gateway, gateway: parallel}")
    lines += [f"  b{i}: {{type: task}}" for i in range(branches)]
    lines += ["  join: {type: gateway, gateway: parallel}", "  end: {type: end}", "flows:"]
    lines += ["  - start -> split"]
    lines += [f"  - split -> b{i}\n  - b{i} -> join" for i in range(branches)]
    lines += ["  - join -> end"]
    return "\n".join(lines) + "\n"


def free_choice_writes(branches: int, deadlock: bool = False) -> str:
    """k parallel branches, each a free choice between setting and clearing its own flag.

    A gateway before the split reads every flag (so they are tracked), nothing after the
    writes reads them: without the live-variable reduction every combination of flags is a
    state of its own (2^k), with it the writes are dead and merge away. ``deadlock`` adds a
    branch whose free choice feeds the parallel join (the tests' trace through dead writes).
    """
    lines = ["kind: workflow", f"name: free-choice-writes-{branches}", "variables:"]
    lines += [f"  x{i}: {{type: bool, initial: false}}" for i in range(branches)]
    lines += ["nodes:", "  start: {type: start}", "  pre: {type: gateway, gateway: exclusive}"]
    lines += ["  skip: {type: task}", "  split: {type: gateway, gateway: parallel}"]
    for i in range(branches):
        lines += [f"  c{i}: {{type: gateway, gateway: exclusive}}"]
        lines += [f'  a{i}: {{type: task, sets: "x{i} = true"}}']
        lines += [f'  b{i}: {{type: task, sets: "x{i} = false"}}']
        lines += [f"  m{i}: {{type: gateway, gateway: exclusive}}"]
    if deadlock:
        lines += ["  pick: {type: gateway, gateway: exclusive}", "  pa: {type: task}"]
        lines += ["  pb: {type: task}"]
    lines += ["  join: {type: gateway, gateway: parallel}", "  end: {type: end}", "flows:"]
    if deadlock:
        lines += ["  - split -> pick", "  - pick -> pa", "  - pick -> pb"]
        lines += ["  - pa -> join", "  - pb -> join"]
    anyone = " or ".join(f"x{i}" for i in range(branches))
    lines += ["  - start -> pre", f'  - {{from: pre, to: split, when: "not ({anyone})"}}']
    lines += ["  - {from: pre, to: skip, default: true}", "  - skip -> end"]
    for i in range(branches):
        lines += [f"  - split -> c{i}", f"  - c{i} -> a{i}", f"  - c{i} -> b{i}"]
        lines += [f"  - a{i} -> m{i}", f"  - b{i} -> m{i}", f"  - m{i} -> join"]
    lines += ["  - join -> end"]
    return "\n".join(lines) + "\n"


def bpmn_flag_branches(branches: int, outputs: bool = True) -> str:
    """BPMN: a parallel split into k branches; in each a task sets its flag, then an
    exclusive gateway branches on it (`= flag_i`, FEEL) into two more tasks that set it
    again, merging before the join (#18: 8 branches in under 2 s).

    With ``outputs`` each task declares the flag it writes as a Zeebe output mapping
    (``zeebe:ioMapping``); without, BPMN says nothing about who writes what, and the
    importer lets every activity write every flag.
    """
    zeebe = "http://camunda.org/schema/zeebe/1.0"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:zeebe="{zeebe}" id="defs">',
        f'<process id="flags{branches}">',
        '<startEvent id="start"/><parallelGateway id="fork"/><parallelGateway id="join"/>',
        '<endEvent id="end"/>',
        '<sequenceFlow id="f_start" sourceRef="start" targetRef="fork"/>',
        '<sequenceFlow id="f_end" sourceRef="join" targetRef="end"/>',
    ]
    for i in range(branches):
        mapping = (
            f'<extensionElements><zeebe:ioMapping><zeebe:output source="=result" '
            f'target="flag{i}"/></zeebe:ioMapping></extensionElements>'
            if outputs
            else ""
        )
        out += [
            f'<serviceTask id="t{i}">{mapping}</serviceTask>',
            f'<exclusiveGateway id="g{i}" default="no{i}"/>',
            f'<serviceTask id="a{i}">{mapping}</serviceTask>',
            f'<serviceTask id="b{i}">{mapping}</serviceTask><exclusiveGateway id="m{i}"/>',
            f'<sequenceFlow id="s{i}" sourceRef="fork" targetRef="t{i}"/>',
            f'<sequenceFlow id="u{i}" sourceRef="t{i}" targetRef="g{i}"/>',
            f'<sequenceFlow id="yes{i}" sourceRef="g{i}" targetRef="a{i}">'
            f"<conditionExpression>= flag{i}</conditionExpression></sequenceFlow>",
            f'<sequenceFlow id="no{i}" sourceRef="g{i}" targetRef="b{i}"/>',
            f'<sequenceFlow id="v{i}" sourceRef="a{i}" targetRef="m{i}"/>',
            f'<sequenceFlow id="w{i}" sourceRef="b{i}" targetRef="m{i}"/>',
            f'<sequenceFlow id="x{i}" sourceRef="m{i}" targetRef="join"/>',
        ]
    out += ["</process>", "</definitions>"]
    return "\n".join(out) + "\n"
