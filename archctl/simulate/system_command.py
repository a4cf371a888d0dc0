"""`archctl simulate` for systems: one run as a timeline, many runs as statistics, a replay.

Per-component statistics are what a reader of a distributed design wants from many seeded
interleavings: how often runs end final or deadlocked or hit the step limit, how many steps,
sends and receives each replica makes, and per channel the messages, the mean delivery delay
and the deepest queue seen.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.simulate.parallel import instance_seed
from archctl.simulate.replay import TraceInput
from archctl.simulate.system import Run, Simulator
from archctl.simulate.workflow import SimulationError

#: steps of one system run when --max-steps is not given (a reactive system never stops)
DEFAULT_SYSTEM_STEPS = 1_000


def simulate_system(
    system: System,
    specs: Sequence[Spec],
    *,
    seed: int,
    instances: int,
    max_steps: int | None,
    trace: TraceInput | None,
    output: str,
    out: Console,
) -> int:
    machines = {spec.name: spec for spec in specs if isinstance(spec, StateMachine)}
    missing = [c.machine for c in system.components if c.machine not in machines]
    if missing:
        raise SimulationError(f"system '{system.name}' uses unknown machine(s): {missing}")
    simulator = Simulator(system, machines)
    limit = DEFAULT_SYSTEM_STEPS if max_steps is None else max_steps
    if trace is not None:
        if instances != 1:
            raise SimulationError("--replay follows one trace: drop --instances")
        run = simulator.replay(trace.steps)
        title = f"{system.name}: replay" + (f" of {trace.code}" if trace.code else "")
        _emit_one(system, run, title, seed, output, out)
        return 0
    runs = [simulator.run(instance_seed(seed, index), limit) for index in range(instances)]
    if instances == 1:
        _emit_one(system, runs[0], f"{system.name}: seed {seed}", seed, output, out)
        return 0
    report = statistics(system, runs, seed)
    if output == "json":
        out.file.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    else:
        _tables(out, report)
    return 0


def _emit_one(system: System, run: Run, title: str, seed: int, output: str, out: Console) -> None:
    if output == "json":
        document = {
            "spec": system.name,
            "seed": seed,
            "events": run.events,
            "end": {"reason": run.ending, "time_ms": round(run.time_ms, 3)},
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(title=escape(title), title_justify="left", show_edge=False, pad_edge=False)
    for column, justify in (("step", "right"), ("t (ms)", "right"), ("component", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    table.add_column("operation", overflow="fold")
    table.add_column("state")
    for number, event in enumerate(run.events, 1):
        operation = event.get("send") or event.get("receive") or event.get("event") or ""
        if "partner" in event:
            operation += f" (with {event['partner']})"
        table.add_row(
            str(number),
            f"{event['time_ms']:.3f}",
            escape(event["component"]),
            escape(operation),
            escape(event["state"]),
        )
    out.print(table)
    out.print(f"ended: {run.ending} at {run.time_ms:.3f} ms", highlight=False)


def statistics(system: System, runs: Sequence[Run], seed: int) -> dict[str, Any]:
    endings = Counter(run.ending for run in runs)
    names = sorted({name for run in runs for name in (*run.steps, *run.received)})
    channels = sorted({name for run in runs for name in run.latency_ms})
    count = len(runs)
    return {
        "spec": system.name,
        "seed": seed,
        "instances": count,
        "endings": {name: endings[name] for name in sorted(endings)},
        "mean_steps": sum(len(run.events) for run in runs) / count,
        "mean_time_ms": round(sum(run.time_ms for run in runs) / count, 3),
        "components": {
            name: {
                "steps": sum(run.steps[name] for run in runs) / count,
                "sent": sum(run.sent[name] for run in runs) / count,
                "received": sum(run.received[name] for run in runs) / count,
            }
            for name in names
        },
        "channels": {
            name: {
                "messages": sum(len(run.latency_ms.get(name, [])) for run in runs) / count,
                "mean_latency_ms": round(
                    _mean([d for r in runs for d in r.latency_ms.get(name, [])]), 3
                ),
                "deepest": max(run.deepest[name] for run in runs),
            }
            for name in channels
        },
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _tables(out: Console, report: dict[str, Any]) -> None:
    out.print(
        f"[bold]{escape(report['spec'])}[/bold]: {report['instances']} run(s), seed "
        f"{report['seed']}, mean {report['mean_steps']:.1f} steps, "
        f"{report['mean_time_ms']:.3f} ms",
        highlight=False,
    )
    endings = Table(title="endings", title_justify="left", show_edge=False, pad_edge=False)
    endings.add_column("ending")
    endings.add_column("runs", justify="right")
    for name, runs in report["endings"].items():
        endings.add_row(escape(name), str(runs))
    out.print(endings)
    parts = Table(title="per component (mean per run)", title_justify="left", show_edge=False)
    for column in ("component", "steps", "sent", "received"):
        parts.add_column(column, justify="left" if column == "component" else "right")
    for name, figures in report["components"].items():
        parts.add_row(
            escape(name), *(f"{figures[key]:.1f}" for key in ("steps", "sent", "received"))
        )
    out.print(parts)
    chans = Table(title="per channel", title_justify="left", show_edge=False)
    for column in ("channel", "messages/run", "mean latency (ms)", "deepest"):
        chans.add_column(column, justify="left" if column == "channel" else "right")
    for name, figures in report["channels"].items():
        chans.add_row(
            escape(name),
            f"{figures['messages']:.1f}",
            f"{figures['mean_latency_ms']:.3f}",
            str(figures["deepest"]),
        )
    out.print(chans)
