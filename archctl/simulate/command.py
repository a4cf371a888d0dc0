"""`archctl simulate`: choose the spec and the mode, run it, print timeline or summary.

The CLI only parses options and renders load diagnostics; this module does the rest and
returns an exit code: 0 when the simulation ran (whatever its instances did), 2 when the
request cannot be carried out (unknown spec, event not enabled, a trace that does not replay).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from archctl.diagnostics import Severity
from archctl.load.loader import load_paths
from archctl.load.values import parse_duration
from archctl.model.spec import LoadResult, Spec
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.simulate import live
from archctl.simulate.engine import DEFAULT_MAX_STEPS
from archctl.simulate.eventlog import EventLogWriter, workflow_activities
from archctl.simulate.events import plain_json, record_line
from archctl.simulate.parallel import Job, instance_seed, run_many
from archctl.simulate.replay import TraceInput, read_trace, replay
from archctl.simulate.replay_workflow import enabled_nodes, replay_workflow
from archctl.simulate.statemachine import (
    NotEnabled,
    Step,
    compile_machine,
    describe_enabled,
    enabled,
    feed,
    walk,
)
from archctl.simulate.stats import Totals, summary
from archctl.simulate.workflow import Program, SimulationError, compile_workflow

DEFAULT_WALK = 100
EXIT_OK, EXIT_USAGE = 0, 2


@dataclass(frozen=True)
class SimOptions:
    paths: tuple[str, ...]
    spec: str | None = None
    instances: int = 1
    seed: int = 0
    workers: int = 1
    until: str | None = None
    max_steps: int = DEFAULT_MAX_STEPS
    events: str | None = None
    steps: int | None = None
    replay: str | None = None
    finding: str | None = None
    output: str = "text"
    events_out: str | None = None
    trace_out: str | None = None
    cluster: str | None = None


def load(paths: Sequence[str]) -> LoadResult:
    return load_paths(list(paths))


def load_errors(result: LoadResult) -> bool:
    return any(d.severity is Severity.ERROR for d in result.diagnostics)


def _choose(specs: Sequence[Spec], name: str | None) -> Workflow | StateMachine | System:
    runnable = [s for s in specs if isinstance(s, (Workflow, StateMachine, System))]
    names = ", ".join(sorted(s.name for s in runnable)) or "none"
    if name is not None:
        for spec in runnable:
            if spec.name == name:
                return spec
        raise SimulationError(f"no workflow or state machine named '{name}'; loaded: {names}")
    if len(runnable) == 1:
        return runnable[0]
    if not runnable:
        raise SimulationError("no workflow or state machine to simulate in the given files")
    raise SimulationError(f"{len(runnable)} specs loaded; choose one with --spec: {names}")


def load_program(paths: tuple[str, ...], name: str) -> Program:
    """Load and compile a workflow (what each worker process does once)."""
    result = load(paths)
    workflows = {s.name: s for s in result.specs if isinstance(s, Workflow)}
    return compile_workflow(workflows[name], workflows)


def simulate(result: LoadResult, options: SimOptions, out: Console, err: Console) -> int:
    try:
        return _simulate(result, options, out, err)
    except SimulationError as error:
        err.print(
            f"[bold red]error[/bold red]: {escape(str(error))}", highlight=False, soft_wrap=True
        )
        return EXIT_USAGE


def _simulate(result: LoadResult, options: SimOptions, out: Console, err: Console) -> int:
    trace = read_trace(options.replay, options.finding) if options.replay else None
    spec = _choose(result.specs, options.spec or (trace.spec if trace else None))
    if options.instances < 1 or options.workers < 1 or options.max_steps < 1:
        raise SimulationError("--instances, --workers and --max-steps must be at least 1")
    if isinstance(spec, System):
        if options.events is not None or options.until is not None or options.steps is not None:
            raise SimulationError(f"'{spec.name}' is a system: use --max-steps and --instances")
        from archctl.simulate.system_command import simulate_system

        steps = None if options.max_steps == DEFAULT_MAX_STEPS else options.max_steps
        return simulate_system(
            spec,
            result.specs,
            seed=options.seed,
            instances=options.instances,
            max_steps=steps,
            trace=trace,
            output=options.output,
            out=out,
        )
    if isinstance(spec, StateMachine):
        if options.instances != 1 or options.until is not None:
            raise SimulationError("--instances and --until apply to workflows; see --steps")
        return _machine(spec, options, trace, out)
    if options.events is not None or options.steps is not None:
        raise SimulationError(
            f"'{spec.name}' is a workflow: --events and --steps apply to state machines"
        )
    workflows = {s.name: s for s in result.specs if isinstance(s, Workflow)}
    if trace is not None:
        if not trace.fires_nodes:
            raise SimulationError(f"the trace is a state machine's; '{spec.name}' is a workflow")
        return _replay_workflow(compile_workflow(spec, workflows), trace, options, out)
    until = math.inf
    if options.until is not None:
        try:
            until = float(parse_duration(options.until))
        except ValueError as error:
            raise SimulationError(f"--until: {error}") from None
    program = compile_workflow(spec, workflows)
    job = Job(
        partial(load_program, options.paths, spec.name),
        options.seed,
        until,
        options.max_steps,
        record=options.events_out is not None
        or options.trace_out is not None
        or options.instances == 1,
    )
    totals = Totals()
    records: list[Any] = []
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(_open(options.trace_out)) if options.trace_out else None
        log = _event_log(stack, options.events_out)
        if options.cluster is not None:
            from archctl.simulate.cluster import run_on_cluster, shippable

            texts = {path: source.text for path, source in result.sources.items()}
            job = shippable(job, texts, spec.name)
            chunks = run_on_cluster(job, options.instances, options.cluster)
        else:
            chunks = run_many(program, job, options.instances, options.workers)
        # the first chunk starts the worker processes: fork before the progress bar's thread
        first = next(chunks)
        advance = stack.enter_context(live.progress(err, options.instances))
        for chunk in itertools.chain([first], chunks):
            totals.merge(chunk.totals)
            if sink is not None:
                sink.writelines(record_line(i, r) + "\n" for i, r in chunk.records)
            if log is not None:
                for instance, group in itertools.groupby(chunk.records, key=lambda ir: ir[0]):
                    log.write(workflow_activities(instance, [r for _i, r in group]))
            if options.instances == 1:
                records = [r for _i, r in chunk.records]
            advance(chunk.totals.instances)
    report = summary(program, totals, options.seed, until, options.max_steps, spec.sla_ms)
    if options.output == "json":
        out.file.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    elif options.instances == 1:
        live.timeline(out, f"{spec.name}: instance 0, seed {options.seed}", records)
        if "sla" in report:
            live.print_sla(out, report["sla"])
    else:
        live.summary_tables(out, report)
    return EXIT_OK


def _machine(
    spec: StateMachine, options: SimOptions, trace: TraceInput | None, out: Console
) -> int:
    machine = compile_machine(spec)
    rng = random.Random(instance_seed(options.seed, 0))
    if trace is not None:
        if trace.fires_nodes:
            raise SimulationError(
                f"the trace fires workflow nodes; '{spec.name}' is a state machine"
            )
        steps, mode, ending = replay(machine, trace), "replay", "replayed"
        if trace.code:
            ending = f"replayed {trace.code}: {trace.message}"
        now = enabled(machine, steps[-1].target, steps[-1].values)
        ending += f"; enabled here: {describe_enabled(now)}"
    elif options.events is not None:
        events = [e.strip() for e in options.events.split(",") if e.strip()]
        mode, ending = "events", "events fed"
        try:
            steps = feed(machine, events, rng)
        except NotEnabled as error:
            _emit_machine(spec, options, error.steps, "events", f"stopped: {error}", out)
            raise
    else:
        mode = "walk"
        steps, ending = walk(machine, DEFAULT_WALK if options.steps is None else options.steps, rng)
    if options.trace_out:
        with _open(options.trace_out) as sink:
            _lines(sink, steps)
    if options.events_out:
        with contextlib.ExitStack() as stack:
            log = _event_log(stack, options.events_out)
            assert log is not None
            log.write(
                (
                    "0",
                    s.event,
                    float(s.number),
                    (("from", s.source), ("to", s.target), *plain_json(s.values).items()),
                )
                for s in steps
                if s.event is not None and s.source is not None
            )
    _emit_machine(spec, options, steps, mode, ending, out)
    return EXIT_OK


def _replay_workflow(program: Program, trace: TraceInput, options: SimOptions, out: Console) -> int:
    steps = replay_workflow(program, trace)
    last = steps[-1]
    reason = f"replayed {trace.code}: {trace.message}" if trace.code else "replayed"
    ready = enabled_nodes(program, Counter(last.tokens), last.values)
    reason += f"; enabled here: {', '.join(ready) or 'none'}"
    if options.output == "json":
        document = {
            "spec": program.name,
            "seed": options.seed,
            "mode": "replay",
            "steps": [
                {
                    "step": s.number,
                    "node": s.node,
                    "tokens": list(s.tokens),
                    "values": plain_json(s.values),
                }
                for s in steps
            ],
            "end": {"tokens": list(last.tokens), "reason": reason},
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    live.workflow_steps(out, f"{program.name}: replay", steps)
    alive = ", ".join(last.tokens) or "none"
    out.print(f"{escape(reason)}; tokens left: {escape(alive)}", highlight=False)
    return EXIT_OK


def _event_log(stack: contextlib.ExitStack[Any], path: str | None) -> EventLogWriter | None:
    """The ``--events-out`` writer, closed (XES footer written) when the stack unwinds."""
    if path is None:
        return None
    writer = EventLogWriter(stack.enter_context(_open(path)), path)
    stack.callback(writer.close)
    return writer


def _open(path: str) -> IO[str]:
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as error:
        raise SimulationError(f"cannot write {path}: {error.strerror or error}") from None


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "step": step.number,
        "event": step.event,
        "from": step.source,
        "to": step.target,
        "values": plain_json(step.values),
    }


def _lines(sink: IO[str], steps: Sequence[Step]) -> None:
    for step in steps:
        sink.write(json.dumps(_step_json(step), ensure_ascii=False, separators=(",", ":")) + "\n")


def _emit_machine(
    spec: StateMachine,
    options: SimOptions,
    steps: Sequence[Step],
    mode: str,
    ending: str,
    out: Console,
) -> None:
    last = steps[-1].target
    if options.output == "json":
        document = {
            "spec": spec.name,
            "seed": options.seed,
            "mode": mode,
            "steps": [_step_json(step) for step in steps],
            "end": {"state": last, "final": last in spec.final, "reason": ending},
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    live.machine_steps(out, f"{spec.name}: {mode}, seed {options.seed}", steps)
    final = " (final)" if last in spec.final else ""
    out.print(f"ended in '{escape(last)}'{final}: {escape(ending)}", highlight=False)
