"""Differential test: archctl's alignments and verdicts against pm4py's on the same net.

pm4py is an independent implementation (A* with the state-equation heuristic); on every
trace the optimal alignment cost must be identical, and a trace fits exactly when its cost
is 0. Random traces are drawn from the model's alphabet (seeded), plus mutations of runs.
"""

from __future__ import annotations

import random
import warnings

import pytest

from archctl.conform.align import align
from archctl.conform.replay import Replayer
from archctl.conform.workflow_net import WorkflowSemantics, build_workflow_net
from archctl.load.yaml.loader import load_yaml_text
from tests.conform.pm4py_bridge import pm4py_log, to_pm4py

pm4py = pytest.importorskip("pm4py")

MODELS = {
    "parallel-choice-loop": """
kind: workflow
name: m1
nodes:
  start: {type: start}
  a: {type: task}
  split: {type: gateway, gateway: parallel}
  b: {type: task}
  c: {type: task}
  join: {type: gateway, gateway: parallel}
  choose: {type: gateway, gateway: exclusive}
  d: {type: task}
  e: {type: task}
  again: {type: gateway, gateway: exclusive}
  done: {type: end}
flows: [start -> a, a -> split, split -> b, split -> c, b -> join, c -> join, join -> choose,
        choose -> d, choose -> e, d -> again, e -> again, again -> a, again -> done]
""",
    "sequence-with-skip": """
kind: workflow
name: m2
nodes:
  start: {type: start}
  x: {type: task}
  maybe: {type: gateway, gateway: exclusive}
  y: {type: task}
  merge: {type: gateway, gateway: exclusive}
  z: {type: task}
  done: {type: end}
flows: [start -> x, x -> maybe, maybe -> y, maybe -> merge, y -> merge, merge -> z, z -> done]
""",
}


def _load(text: str):  # type: ignore[no-untyped-def]
    result = load_yaml_text("model.yaml", text)
    (spec,) = result.specs
    return spec


def _traces(labels: list[str], rng: random.Random, count: int) -> list[tuple[str, ...]]:
    return [tuple(rng.choice(labels) for _ in range(rng.randint(1, 7))) for _ in range(count)]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_alignment_costs_match_pm4py(name: str) -> None:
    from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

    spec = _load(MODELS[name])
    net = build_workflow_net(spec)
    semantics = WorkflowSemantics(net)
    replayer = Replayer(semantics)
    rng = random.Random(20261204)
    traces = sorted(set(_traces(sorted(semantics.labels), rng, 120)))
    pn, initial, final = to_pm4py(net)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = alignments.apply_log(pm4py_log(traces), pn, initial, final)
    assert len(theirs) == len(traces)
    for trace, their in zip(traces, theirs, strict=True):
        ours = align(semantics, trace)
        assert ours is not None, trace
        their_cost = their["cost"] // 10000  # pm4py: 10000 per log/model move, 1 per tau
        assert ours.cost == their_cost, (trace, ours, their["alignment"])
        assert (replayer.replay(trace) is None) == (ours.cost == 0), trace
