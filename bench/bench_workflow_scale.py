"""Workflow verification at scale and with data, whole process, next to pm4py's WOFLAN.

Run:  python bench/bench_workflow_scale.py                 (about three minutes)
      python bench/bench_workflow_scale.py --base DIR      (also time an older archctl tree)

Inputs (bench/gen_workflow.py), each written to a file and verified by a fresh
``python -m archctl verify --format json`` process, start-up and loading included:

* generated sound workflows of about 1,000, 5,000 and 10,000 nodes (the SHAPE of
  bench_workflow.py: parallel blocks of up to 3 branches of up to 4 nodes, free choices,
  rework loops), #19's near-linear growth target (10,000 nodes under 3 s);
* ``free_choice_writes(14)``: 14 parallel branches, each a free choice between setting and
  clearing a flag that no later condition reads (#19: under 2 s);
* ``bpmn_flag_branches(8)``: an 8-branch parallel BPMN model, in each branch a task sets
  its flag (a Zeebe output mapping) and an exclusive gateway branches on it (#18: under 2 s);
  and ``bpmn_flag_branches(8, outputs=False)``, where BPMN lets every task write every flag
  (#18: under 2 s where sound: each flag is a fresh variable, docs/workflows.md).

pm4py's WOFLAN (``pm4py.check_soundness``) checks the same control flow as a Petri net (it
ignores data; bench_workflow.py's translation), in a child process with a timeout. With
``--base DIR`` (a checkout of an older archctl, e.g. ``git archive <commit> | tar -x -C
DIR``) the older verify runs on the same files, and the findings (code, subject) of both
must be identical wherever both finished. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_workflow import SHAPE, fmt, load, pm4py_verdict
from gen_workflow import bpmn_flag_branches, free_choice_writes, workflow

ROOT = Path(__file__).resolve().parent.parent


def inputs() -> list[tuple[str, str, str]]:
    """(label, file name, text)."""
    out = [
        (f"generated sound, {size:,} nodes", f"gen{size}.yaml", workflow(size, 1, None, **SHAPE))
        for size in (1_400, 7_000, 14_000)  # the generator's budget: about 1k, 5k, 10k nodes
    ]
    out.append(
        ("14 branches, free choices writing dead flags", "writes14.yaml", free_choice_writes(14))
    )
    out.append(("8-branch BPMN, a flag gateway per branch", "flags8.bpmn", bpmn_flag_branches(8)))
    out.append(
        (
            "the same without output mappings (every task may write every flag)",
            "flags8-any.bpmn",
            bpmn_flag_branches(8, outputs=False),
        )
    )
    return out


Run = tuple[float, float, list[tuple[str, str]]] | None


def verify(tree: Path, path: Path, timeout: float) -> Run:
    """CPU seconds (user + system) and wall seconds of a whole ``archctl verify`` process,
    and its findings; None when it did not finish in ``timeout``. The machine is shared, so
    CPU time is the figure that compares; wall time shows what the load added."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "archctl", "verify", "--format", "json", str(path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        done = subprocess.run(  # cwd: ``-m`` puts the working folder first on the path
            command, env=env, cwd=tree, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    report = json.loads(done.stdout)
    found = sorted((d["code"], d.get("subject") or "") for d in report["diagnostics"])
    return cpu, wall, found


def shown(run: Run, timeout: float) -> str:
    if run is None:
        return f"> {timeout:.0f} s"
    return f"{fmt(run[0])} ({fmt(run[1])})"


def _bpmn_nodes(text: str) -> int:
    from archctl.load.bpmn.frontend import load_bpmn_text
    from archctl.model.workflow import Workflow

    specs = load_bpmn_text("b.bpmn", text).specs
    return sum(len(spec.nodes) for spec in specs if isinstance(spec, Workflow))


def woflan(name: str, text: str, timeout: float) -> tuple[str, float | None]:
    if name.endswith(".bpmn"):
        return "not run", None  # a BPMN file: pm4py's BPMN import has no conditions either
    return pm4py_verdict(text, timeout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, help="an older archctl tree to compare with")
    parser.add_argument("--timeout", type=float, default=120.0, help="per archctl process")
    parser.add_argument("--pm4py-timeout", type=float, default=60.0, help="per net")
    args = parser.parse_args()
    print(
        "| input | nodes | findings | archctl CPU (wall) | archctl before CPU (wall) "
        "| same findings | pm4py woflan | pm4py time |"
    )
    print("| --- | ---: | --- | ---: | ---: | --- | --- | ---: |")
    same = True
    with tempfile.TemporaryDirectory() as folder:
        for label, name, text in inputs():
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            nodes = len(load(text).nodes) if name.endswith(".yaml") else _bpmn_nodes(text)
            mine = verify(ROOT, path, args.timeout)
            old: Run = None
            agree = "-"
            if args.base is not None:
                old = verify(args.base, path, args.timeout)
                if old is not None and mine is not None:
                    # an inconclusive run (WF901, e.g. its time budget ran out) did not finish
                    if any(code == "WF901" for code, _ in old[2] + mine[2]):
                        agree = "- (WF901)"
                    else:
                        agree = "yes" if old[2] == mine[2] else "NO"
                        same &= old[2] == mine[2]
            theirs, theirs_s = woflan(name, text, args.pm4py_timeout)
            codes = ", ".join(sorted({code for code, _ in mine[2]})) if mine else "-"
            before = shown(old, args.timeout) if args.base is not None else "-"
            print(
                f"| {label} | {nodes} | {codes or 'none'} | {shown(mine, args.timeout)} "
                f"| {before} | {agree} | {theirs} | {fmt(theirs_s)} |"
            )
    print()
    print("findings identical where both finished" if same else "FINDINGS DIFFER")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
