"""`archctl conform SPEC LOG`: load the spec, read the log, replay, print, exit code.

Exit 0 when every case is a run of the spec and every record was readable, 1 when some
case deviates or some record could not be read (each is reported), 2 when the spec or the
log cannot be used at all (with the location and what would be right).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from rich.console import Console
from rich.text import Text

from archctl.conform.events import LogError, LogEvent, LogProblem
from archctl.conform.machine import UnsupportedMachine
from archctl.conform.readers import Columns
from archctl.conform.render import describe, render_json, summary_line
from archctl.conform.run import ConformResult, conform, log_format, read_log, watched_fields
from archctl.model.spec import Spec
from archctl.model.statemachine import StateMachine
from archctl.model.system import System
from archctl.model.workflow import Workflow
from archctl.source import Span

EXIT_OK, EXIT_DEVIATIONS, EXIT_USAGE = 0, 1, 2


class ConformUsageError(Exception):
    """The request cannot be carried out; the message says why and what would be right."""


@dataclass(frozen=True)
class ConformRequest:
    log: str
    spec_name: str | None = None
    output: str = "text"
    align: bool = False
    log_format: str | None = None
    columns: Columns = field(default_factory=Columns)


def choose_spec(specs: Sequence[Spec], name: str | None) -> StateMachine | Workflow | System:
    """The spec to replay: named, or the only workflow, system or non-component machine."""
    usable = [
        s
        for s in specs
        if isinstance(s, (Workflow, System))
        or (isinstance(s, StateMachine) and (name is not None or not s.is_component))
    ]
    names = ", ".join(sorted(s.name for s in usable)) or "none"
    if name is not None:
        for spec in usable:
            if spec.name == name:
                return spec
        raise ConformUsageError(
            f"no workflow, state machine or system named '{name}'; loaded: {names}"
        )
    if len(usable) == 1:
        return usable[0]
    if not usable:
        raise ConformUsageError("conform needs a workflow, state machine or system spec")
    raise ConformUsageError(f"{len(usable)} specs loaded; choose one with --spec: {names}")


def run(specs: Sequence[Spec], request: ConformRequest, out: Console, err: Console) -> int:
    try:
        spec = choose_spec(specs, request.spec_name)
        fmt = log_format(request.log, request.log_format)
        problems: list[LogProblem] = []
        columns = replace(request.columns, watched=watched_fields(spec))
        machines = {s.name: s for s in specs if isinstance(s, StateMachine)}

        def events() -> Iterator[LogEvent]:
            # a second read (out-of-order cases) reports nothing new: problems come once
            sink = problems if not opened else []
            opened.append(True)
            with open(request.log, "rb") as stream:
                yield from read_log(stream, fmt, columns, sink)

        opened: list[bool] = []
        result = conform(spec, events, problems, with_alignments=request.align, machines=machines)
        result.problems = problems
    except LogError as error:
        where = error.problem
        err.print(
            Text(f"error: {request.log}:{where.line}:{where.column}: {where.message}"),
            soft_wrap=True,
        )
        return EXIT_USAGE
    except OSError as error:
        err.print(Text(f"error: cannot read the log {request.log}: {error.strerror}"))
        return EXIT_USAGE
    except (ConformUsageError, UnsupportedMachine, ValueError) as error:
        err.print(Text(f"error: {error}"), soft_wrap=True)
        return EXIT_USAGE
    if request.output == "json":
        out.file.write(render_json(result))
    else:
        _text(result, spec, request.log, out)
    return EXIT_OK if result.fitting == result.cases and not result.problems else EXIT_DEVIATIONS


def _text(
    result: ConformResult, spec: StateMachine | Workflow | System, log: str, out: Console
) -> None:
    for problem in result.problems:
        out.print(
            Text(f"{log}:{problem.line}:{problem.column}: unreadable record: {problem.message}")
        )
    for item in result.deviations:
        text = Text()
        text.append(f"deviation[{item.deviation.kind}]", style="bold red")
        text.append(f": case {item.case}: {describe(item)}\n")
        if item.line is not None:
            text.append(f"  --> {log}:{item.line} (event {item.deviation.index} of the case)\n")
        span = _spec_span(spec, item.activity)
        text.append(f"  --> {span.file}:{span.line}:{span.column} (spec)\n")
        if item.alignment is not None:
            moves = ", ".join(f"({a}, {b})" for a, b in item.alignment.moves)
            text.append(f"  = alignment (cost {item.alignment.cost}): {moves}\n")
        out.print(text, end="", soft_wrap=True, highlight=False)
    if result.aligned and result.unaligned:
        out.print(Text(f"{result.unaligned} case(s) not aligned: the search bound was hit"))
    out.print(Text(summary_line(result)), highlight=False, soft_wrap=True)


def _spec_span(spec: StateMachine | Workflow | System, activity: str | None) -> Span:
    """Where in the spec the deviating activity lives (its task, or a transition on it)."""
    if activity is not None:
        if isinstance(spec, Workflow):
            node = spec.node(activity)
            if node is not None:
                return node.span
        elif isinstance(spec, StateMachine):
            for transition in spec.transitions:
                if transition.event == activity:
                    return transition.span
        else:
            for component in spec.components:
                if activity.split(".", 1)[0].split("[", 1)[0] == component.name:
                    return component.span
    return spec.span
