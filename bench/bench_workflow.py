"""Workflow soundness: archctl's token game against pm4py's WOFLAN, side by side.

Run:  python bench/bench_workflow.py            (about five minutes, mostly pm4py)
      python bench/bench_workflow.py --quick    (smaller, for a smoke run)

Each generated workflow (bench/gen_workflow.py: sound, and broken to deadlock or to be
unsafe; 50, 200 and 1,000 nodes with parallel blocks, free choices and rework loops) is
checked by archctl (``archctl.check.workflow.checker.check``, everything included: structure,
data, exploration) and by ``pm4py.check_soundness`` on the same net as a Petri net (one
place per flow plus source and sink, one transition per node mode). Model construction
is not timed for either. pm4py runs in a child process with a timeout so one slow net
cannot stall the run. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_workflow import parallel_branches, workflow

from archctl.check import CheckContext, CheckOptions
from archctl.check.workflow.checker import check
from archctl.check.workflow.data import build_data
from archctl.check.workflow.graph import build_net
from archctl.check.workflow.net import Explorer
from archctl.load.yaml.loader import load_yaml_text
from archctl.model.workflow import Workflow

UNSOUND = {"WF101", "WF102", "WF103", "WF104", "WF105", "WF106"}
#: generator settings for the side-by-side nets: parallel blocks of up to 3 branches of up to
#: 4 nodes, not nested, plus free choices and rework loops everywhere (WOFLAN's cost grows
#: quickly with the number of reachable markings, so wider parallelism only makes it time out)
SHAPE = {"max_branches": 3, "max_depth": 1, "branch_nodes": 4}


def load(text: str) -> Workflow:
    result = load_yaml_text("generated.yaml", text)
    assert not result.diagnostics, result.diagnostics
    spec = result.specs[0]
    assert isinstance(spec, Workflow)
    return spec


def archctl_verdict(spec: Workflow) -> tuple[str, float]:
    started = time.perf_counter()
    found = check(spec, CheckContext([spec], CheckOptions()))
    elapsed = time.perf_counter() - started
    codes = {d.code for d in found}
    if codes & UNSOUND:
        return "unsound", elapsed
    return ("inconclusive" if "WF901" in codes else "sound"), elapsed


def petri_net(spec: Workflow) -> tuple[Any, Any, Any]:
    """The workflow as a WF-net for pm4py: place per flow, transition per node mode."""
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    net = PetriNet(spec.name)
    source, sink = PetriNet.Place("i"), PetriNet.Place("o")
    places = {flow.index: PetriNet.Place(f"p{flow.index}") for flow in spec.flows}
    for place in [source, sink, *places.values()]:
        net.places.add(place)
    counter = [0]

    def transition(inputs: list[Any], outputs: list[Any]) -> None:
        counter[0] += 1
        t = PetriNet.Transition(f"t{counter[0]}", None)
        net.transitions.add(t)
        for place in inputs:
            add_arc_from_to(place, t, net)
        for place in outputs:
            add_arc_from_to(t, place, net)

    for node in spec.nodes:
        ins = [places[f.index] for f in spec.incoming(node.id)]
        outs = [places[f.index] for f in spec.outgoing(node.id)]
        if node.type == "start":
            transition([source], outs)
        elif node.type == "end":
            for place in ins:
                transition([place], [sink])
        elif node.gateway == "parallel":
            transition(ins, outs)
        elif node.gateway == "exclusive":
            for place in ins:
                for out in outs:
                    transition([place], [out])
        else:
            for place in ins:
                transition([place], outs)
    return net, Marking({source: 1}), Marking({sink: 1})


def _pm4py_child(text: str, conn: Any) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    import warnings

    warnings.simplefilter("ignore")
    import pm4py

    net, im, fm = petri_net(load(text))
    started = time.perf_counter()
    sound = pm4py.check_soundness(net, im, fm)[0]
    conn.send(("sound" if sound else "unsound", time.perf_counter() - started))


def pm4py_verdict(text: str, timeout: float) -> tuple[str, float | None]:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_pm4py_child, args=(text, child))
    process.start()
    if parent.poll(timeout):
        verdict, elapsed = parent.recv()
        process.join()
        return verdict, elapsed
    process.kill()
    process.join()
    return "timeout", None


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def generated_table(plan: list[tuple[int, list[int]]], timeout: float) -> bool:
    print(
        "| nodes | seed | variant | archctl | pm4py woflan | archctl time | pm4py time | speed-up |"
    )
    print("| ---: | ---: | --- | --- | --- | ---: | ---: | ---: |")
    agree = True
    for size, seeds in plan:
        for seed in seeds:
            for defect in (None, "deadlock", "unsafe"):
                text = workflow(size, seed, defect, **SHAPE)
                spec = load(text)
                mine, mine_s = archctl_verdict(spec)
                theirs, theirs_s = pm4py_verdict(text, timeout)
                agree &= mine == theirs or theirs == "timeout"
                ratio = f"{theirs_s / mine_s:.0f}x" if theirs_s is not None else "-"
                print(
                    f"| {len(spec.nodes)} | {seed} | {defect or 'sound'} | {mine} | {theirs} "
                    f"| {fmt(mine_s)} | {fmt(theirs_s)} | {ratio} |"
                )
    return agree


def parallel_table(branches: list[int], timeout: float) -> None:
    print(
        "| branches | archctl | archctl states | no reduction states | no reduction time "
        "| pm4py woflan | pm4py time |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for k in branches:
        text = parallel_branches(k)
        spec = load(text)
        verdict, mine_s = archctl_verdict(spec)
        net, data = build_net(spec), build_data(spec, 10_000)
        reduced = len(Explorer(net, data, 2_000_000).run().keys)
        full_states, full_s = "-", None
        if k <= 17:
            started = time.perf_counter()
            full_states = str(
                len(Explorer(net, data, 2_000_000, reduce=False, live=False).run().keys)
            )
            full_s = time.perf_counter() - started
        theirs, theirs_s = pm4py_verdict(text, timeout) if k <= 8 else ("not run", None)
        print(
            f"| {k} | {fmt(mine_s)} ({verdict}) | {reduced} | {full_states} | {fmt(full_s)} "
            f"| {theirs} | {fmt(theirs_s)} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0, help="pm4py, per net")
    args = parser.parse_args()
    plan = [(50, [1]), (200, [1])] if args.quick else [(50, [1, 2]), (200, [1, 2]), (1000, [1])]
    agree = generated_table(plan, args.timeout)
    print()
    parallel_table([5, 8, 15] if args.quick else [5, 8, 10, 12, 15, 17, 20], args.timeout)
    print()
    print(
        "verdicts agree on every net pm4py finished" if agree else "VERDICTS DIFFER",
        f"(pm4py timeout {args.timeout:.0f} s)",
    )
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
