"""The archctl command line: parse options into a request, hand it to ``archctl.commands``.

Kept thin on purpose: every command's behaviour lives in ``archctl/commands/<name>.py`` as
``run(request, console) -> exit code``, so it is reachable from Python and tested there.
Imports are deferred into each command so ``archctl verify`` starts fast in pre-commit.
"""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn, Optional

import typer

from archctl import __version__
from archctl.cli_options import (
    COLOR,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    Color,
    ConvertTarget,
    GraphFormat,
    TextOrJson,
    console,
)
from archctl.cli_verify import verify

app = typer.Typer(
    name="archctl",
    help="Model architecture specs (workflows, state machines, plugin graphs, access "
    "policies) and prove properties about them.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(verify)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    color: Annotated[
        Color, typer.Option("--color", help="Colour the output: auto (a terminal), always, never.")
    ] = Color.auto,
) -> None:
    """archctl: prove, simulate and draw architecture specs."""
    COLOR["mode"] = color.value


@app.command()
def explain(
    code: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(help="A code (SM102) or a name or part of one (deadlock)."),
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List every code.")] = False,
) -> None:
    """Print what a finding code means."""
    from archctl.commands.explain import ExplainRequest, run

    raise typer.Exit(run(ExplainRequest(code, list_all), console()))


@app.command()
def schema(
    kind: Annotated[
        str, typer.Argument(help="workflow, statemachine, plugins, policy, or all (one schema)")
    ],
) -> None:
    """Print the JSON Schema of one spec kind, or of all kinds chosen by `kind` (editors)."""
    from archctl.commands.schema import run

    raise typer.Exit(run(kind, console()))


@app.command()
def init(
    folder: Annotated[str, typer.Argument(help="The project folder.")] = ".",
) -> None:
    """Write archctl.toml, an example spec and a pre-commit config; never overwrites."""
    from archctl.commands.init import InitRequest, run

    raise typer.Exit(run(InitRequest(folder), console()))


@app.command()
def plan(
    path: Annotated[str, typer.Argument(help="A spec file holding a `kind: plugins` spec.")],
    spec: Annotated[
        str | None, typer.Option("--spec", help="Which plugin spec, when the file has several.")
    ] = None,
    output_format: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="Plan format.")
    ] = TextOrJson.text,
    timeout_ms: Annotated[
        int, typer.Option("--timeout", help="Solver timeout per query, in milliseconds.")
    ] = 10_000,
) -> None:
    """Select plugin versions and print the load stages; exit 1 with findings, 2 bad input."""
    from archctl.commands.plan import PlanRequest, run

    raise typer.Exit(run(PlanRequest(path, spec, output_format.value, timeout_ms), console()))


@app.command()
def graph(
    path: Annotated[str, typer.Argument(help="A spec file (or folder) to draw.")],
    spec: Annotated[
        str | None, typer.Option("--spec", help="Which spec, when the file holds several.")
    ] = None,
    graph_format: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="dot, mermaid (text), svg, png.")
    ] = GraphFormat.dot,
    out: Annotated[
        str | None,
        typer.Option("--output", "-o", help="File, or folder (one file per spec); else stdout."),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Run verify, draw its findings.")] = False,
    highlight: Annotated[
        str | None, typer.Option("--highlight", help="Draw a trace (verify/simulate JSON).")
    ] = None,
    config_file: Annotated[
        str | None, typer.Option("--config", help="Config file for --check (default: nearest).")
    ] = None,
) -> None:
    """Draw specs as diagrams; exit 0 drawn, 2 bad input or unloadable spec."""
    from archctl.commands.graph import GraphRequest, run

    request = GraphRequest(path, spec, graph_format.value, out, check, highlight, config_file)
    raise typer.Exit(run(request, console()))


@app.command()
def simulate(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="FILE", help="Spec file(s); subprocess workflows may be in others."),
    ],
    spec: Annotated[str | None, typer.Option("--spec", help="Which spec to run.")] = None,
    instances: Annotated[int, typer.Option("--instances", "-n", help="Workflow instances.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed: same seed, same output.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Processes to spread over.")] = 1,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Run chunks on a Dask cluster: tcp://HOST:8786, or local:N (N worker processes).",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Cut instances at this virtual time (5m).")
    ] = None,
    max_steps: Annotated[
        int, typer.Option("--max-steps", help="Cut an instance after this many steps.")
    ] = 100_000,
    events: Annotated[
        str | None, typer.Option("--events", help="State machine: feed events a,b,c.")
    ] = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="State machine: random walk of N steps.")
    ] = None,
    replay: Annotated[
        str | None, typer.Option("--replay", help="Replay a trace (verify --format json).")
    ] = None,
    finding: Annotated[
        str | None, typer.Option("--finding", help="With --replay: finding number or code.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text (timeline/tables) or json (summary).")
    ] = "text",
    events_out: Annotated[
        str | None,
        typer.Option(
            "--events-out", help="Write the activity log (.jsonl, .csv or .xes) for conform."
        ),
    ] = None,
    trace_out: Annotated[
        str | None,
        typer.Option("--trace-out", help="Write every simulation step as JSON lines."),
    ] = None,
) -> None:
    """Run workflow or state machine instances on a virtual clock (see docs/simulate.md)."""
    from archctl.commands.simulate import run
    from archctl.simulate.command import SimOptions

    options = SimOptions(
        paths=tuple(paths),
        spec=spec,
        instances=instances,
        seed=seed,
        workers=workers,
        until=until,
        max_steps=max_steps,
        events=events,
        steps=steps,
        replay=replay,
        finding=finding,
        output=output_format,
        events_out=events_out,
        trace_out=trace_out,
        cluster=cluster,
    )
    raise typer.Exit(run(options, console()))


@app.command()
def conform(
    spec_file: Annotated[str, typer.Argument(metavar="SPEC", help="The spec file.")],
    log: Annotated[str, typer.Argument(metavar="LOG", help="Event log: .jsonl, .csv or .xes.")],
    spec: Annotated[str | None, typer.Option("--spec", help="Which spec of the file.")] = None,
    align: Annotated[
        bool, typer.Option("--align", help="Optimal alignments (cost, moves) per deviation.")
    ] = False,
    log_format: Annotated[
        str | None, typer.Option("--log-format", help="jsonl, csv or xes (default: extension).")
    ] = None,
    case: Annotated[str, typer.Option("--case", help="Column/field of the case id.")] = "case",
    activity: Annotated[
        str, typer.Option("--activity", help="Column/field of the activity.")
    ] = "activity",
    time: Annotated[str, typer.Option("--time", help="Column/field of the time.")] = "time",
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text or json (see docs/conform.md).")
    ] = "text",
) -> None:
    """Check an event log against a workflow, state machine or system (see docs/conform.md)."""
    from archctl.commands.conform import ConformOptions, run

    request = ConformOptions(
        spec_file, log, spec, align, log_format, case, activity, time, output_format
    )
    raise typer.Exit(run(request, console()))


@app.command()
def lsp() -> None:
    """Run the language server over standard input/output (see docs/editors.md)."""
    from archctl.commands.lsp import run

    raise typer.Exit(run())


@app.command()
def convert(
    file: Annotated[str, typer.Argument(help="A spec file (.yaml, .yml or .arch).")],
    to: Annotated[ConvertTarget, typer.Option("--to", help="Output format.")],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    spec: Annotated[str | None, typer.Option("--spec", help="Only the spec of this name.")] = None,
) -> None:
    """Translate a spec between YAML and the DSL (same model; comments kept by line)."""
    from archctl.commands.convert import ConvertRequest, convert

    raise typer.Exit(convert(ConvertRequest(file, to.value, output, spec), console()))


@app.command()
def fmt(
    files: Annotated[list[str], typer.Argument(help="DSL files (.arch) or folders.")],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 and show a diff if unformatted.")
    ] = False,
) -> None:
    """Rewrite DSL files in the canonical layout (idempotent; comments kept)."""
    from archctl.commands.convert import FmtRequest, fmt

    raise typer.Exit(fmt(FmtRequest(tuple(files), check), console()))


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The old version of the policy file.")],
    new: Annotated[str, typer.Argument(help="The new version of the policy file.")],
    spec: Annotated[
        str | None, typer.Option("--spec", help="The policy to compare when a file has several.")
    ] = None,
    output_format: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="Report format.")
    ] = TextOrJson.text,
    timeout_ms: Annotated[
        int, typer.Option("--timeout", help="Solver timeout per query, in milliseconds.")
    ] = 10_000,
) -> None:
    """Compare two versions of a policy; exit 0 equivalent, 1 changed, 2 unloadable input."""
    from archctl.commands.diff import DiffRequest, run

    request = DiffRequest(old, new, spec, output_format.value, timeout_ms)
    raise typer.Exit(run(request, console()))


def main() -> NoReturn:
    """Console entry point: one place maps unexpected exceptions to exit code 3."""
    try:
        code = app(standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        if isinstance(error, typer.Abort):
            sys.exit(130)
        show = getattr(error, "show", None)
        if isinstance(error, typer.TyperException) and callable(show):
            show()  # a usage error: typer already says what is wrong and how to fix it
            sys.exit(EXIT_USAGE)
        from archctl.crash import report

        typer.echo(report(error), err=True)
        typer.echo("please report this with the log and the input that caused it", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
