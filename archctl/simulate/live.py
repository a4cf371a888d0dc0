"""Rich output: a step-by-step timeline for one run, summary tables for many.

Everything printed to stdout is a pure function of the results, so the same seed gives the
same bytes; the progress bar goes to stderr and only when it is a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from archctl.evidence import json_value
from archctl.simulate.gateways import Record
from archctl.simulate.replay_workflow import NodeStep
from archctl.simulate.statemachine import Step

_OUTCOME_STYLE = {"ok": "green", "failed": "red", "timeout": "yellow", "exhausted": "red"}


def show(value: Any) -> str:
    shown = json_value(value)
    if isinstance(shown, bool):
        return "true" if shown else "false"
    if isinstance(shown, str):
        return f'"{shown}"'
    if isinstance(shown, float):
        return f"{shown:g}"
    return str(shown)


def _values(values: dict[str, Any]) -> str:
    return "  ".join(f"{name}={show(values[name])}" for name in values)


def _what(record: Record) -> tuple[str, str]:
    _t, event, _node, _attempt, outcome, data, _tokens = record
    if event == "attempt":
        return outcome, f"took {data:.3f} ms"
    if event == "complete":
        return "done", _values(data)
    if event == "error":
        return "on_error", f"-> {data} (retries exhausted)"
    if event == "route":
        return "route", "-> " + ", ".join(data)
    if event == "wait":
        return "wait", "join waits for its subprocess" if data else "join waits for more tokens"
    if event == "terminate":
        return "terminate", f"takes the tokens at {', '.join(data)}" if data else "takes no other"
    if event == "start":
        return "start", _values(data)
    if event == "finish":
        where = f" at {', '.join(data)}" if data else ""
        return "finish", f"outcome {outcome}{where}"
    return event, ""


def timeline(console: Console, title: str, records: Sequence[Record]) -> None:
    """One workflow instance, one row per event, in virtual-time order."""
    table = Table(title=escape(title), title_justify="left", show_edge=False, pad_edge=False)
    for name, justify in (("t (ms)", "right"), ("node", "left"), ("try", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("what")
    table.add_column("details", overflow="fold")
    table.add_column("tokens", justify="right")
    for record in records:
        what, details = _what(record)
        style = _OUTCOME_STYLE.get(record[4], "")
        shown = f"[{style}]{escape(what)}[/{style}]" if style else escape(what)
        table.add_row(
            f"{record[0]:.3f}",
            escape(record[2]),
            str(record[3]) if record[3] else "",
            shown,
            escape(details),
            str(record[6]),
        )
    console.print(table)


def machine_steps(console: Console, title: str, steps: Sequence[Step]) -> None:
    """A state machine run: step, event, state reached, variables changed."""
    table = Table(title=escape(title), title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("step", justify="right")
    table.add_column("event")
    table.add_column("state")
    table.add_column("values", overflow="fold")
    for step in steps:
        if step.number == 0:
            values = _values(step.values)
        else:
            values = _values(step.changes) if step.changes else "(unchanged)"
        event = "" if step.number == 0 else (step.event or "(no event)")
        table.add_row(str(step.number), escape(event), escape(step.target), escape(values))
    console.print(table)


def workflow_steps(console: Console, title: str, steps: Sequence[NodeStep]) -> None:
    """A replayed workflow trace: node fired, tokens after it, variables changed, note."""
    table = Table(title=escape(title), title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("step", justify="right")
    table.add_column("fired")
    table.add_column("tokens after", overflow="fold")
    table.add_column("values", overflow="fold")
    for step in steps:
        values = _values(step.values) if step.number == 1 else _values(step.changes)
        tokens = ", ".join(step.tokens) or "(none)"
        note = f"  ({step.note})" if step.note else ""
        table.add_row(str(step.number), escape(step.node), escape(tokens), escape(values + note))
    console.print(table)


def readable_ms(value: float | None) -> str:
    """A virtual-time figure in the unit a reader thinks in: ``850.5ms``, ``2.217s``,
    ``4m03.5s``, ``1h02m`` (the JSON summary keeps exact milliseconds)."""
    if value is None:
        return "-"
    if value < 1000:
        return f"{value:.1f}ms"
    if value < 60_000:
        return f"{value / 1000:.3f}s"
    if value < 3_600_000:
        minutes, rest = divmod(value, 60_000)
        return f"{int(minutes)}m{rest / 1000:04.1f}s"
    hours, rest = divmod(value, 3_600_000)
    return f"{int(hours)}h{int(rest // 60_000):02d}m"


def summary_tables(console: Console, summary: dict[str, Any]) -> None:
    """Outcomes, latency and per-node figures of many instances."""
    total = summary["instances"]
    console.print(
        f"[bold]{escape(summary['spec'])}[/bold]: {total} instance(s), seed {summary['seed']}"
    )
    outcomes = Table(title="outcomes", title_justify="left", show_edge=False, pad_edge=False)
    outcomes.add_column("outcome")
    outcomes.add_column("instances", justify="right")
    outcomes.add_column("share", justify="right")
    for name, count in summary["outcomes"].items():
        share = f"{100.0 * count / total:.2f}%" if total else "-"
        outcomes.add_row(escape(name), str(count), share)
    console.print(outcomes)
    latency = Table(title="latency", title_justify="left", show_edge=False, pad_edge=False)
    for key in ("mean", "p50", "p95", "p99", "max"):
        latency.add_column(key, justify="right")
    latency.add_row(
        *(readable_ms(summary["latency_ms"][k]) for k in ("mean", "p50", "p95", "p99", "max"))
    )
    console.print(latency)
    nodes = Table(title="nodes", title_justify="left", show_edge=False, pad_edge=False)
    nodes.add_column("node")
    for key in ("visits", "attempts", "failures", "timeouts", "time"):
        nodes.add_column(key, justify="right")
    for name, row in summary["nodes"].items():
        if "attempts" in row:
            cells = [str(row[k]) for k in ("visits", "attempts", "failures", "timeouts")]
            cells.append(readable_ms(row["time_ms"]))
        else:
            cells = [str(row["visits"]), "", "", "", ""]
        nodes.add_row(escape(name), *cells)
    console.print(nodes)
    sla = summary.get("sla")
    if sla:
        print_sla(console, sla)
    cut = summary.get("cut")
    if cut:
        limit = f"--until {cut['until_ms']} ms or " if cut["until_ms"] is not None else ""
        console.print(
            f"[yellow]cut:[/yellow] {cut['instances']} instance(s) were still running at "
            f"{limit}--max-steps {cut['max_steps']}; they count as (cut), not in the latency"
        )


@contextmanager
def progress(console: Console, total: int) -> Iterator[Any]:
    """A progress bar over instances on a terminal; a no-op updater otherwise."""
    if not console.is_terminal:
        yield lambda advance: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task("instances", total=total)
        yield lambda advance: bar.update(task, advance=advance)


def print_sla(console: Console, sla: dict[str, Any]) -> None:
    """``sla 30000 ms: 12 instance(s) over it (0.12%)``."""
    console.print(
        f"[bold]sla[/bold] {sla['sla_ms']} ms: {sla['over']} instance(s) over it "
        f"({100.0 * sla['share']:.2f}%)",
        highlight=False,
    )
