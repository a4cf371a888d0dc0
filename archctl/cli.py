"""The archctl command line: parse options into a request, hand it to ``archctl.commands``.

Kept thin on purpose: every command's behaviour lives in ``archctl/commands/<name>.py`` as
``run(request, console) -> exit code``, so it is reachable from Python and tested there.
Imports are deferred into each command so ``archctl verify`` starts fast in pre-commit.
"""

from __future__ import annotations

import enum
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from archctl import __version__

if TYPE_CHECKING:
    from rich.console import Console

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

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
_COLOR = {"mode": "auto"}


class OutputFormat(str, enum.Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    gitlab = "gitlab"


class TextOrJson(str, enum.Enum):
    """Formats of the commands whose output is not a list of findings (plan, diff)."""

    text = "text"
    json = "json"


class Level(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


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
    _COLOR["mode"] = color.value


def _console() -> Console:
    """The output console: user text is never read as markup or emoji codes."""
    from rich.console import Console

    mode = _COLOR["mode"]
    if mode == "always":
        return Console(highlight=False, emoji=False, force_terminal=True)
    if mode == "never":
        return Console(highlight=False, emoji=False, no_color=True, color_system=None)
    return Console(highlight=False, emoji=False)


def _codes(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable, comma-separated codes (``--select SM,WF --select PL``)."""
    parts = (part.strip() for value in values or () for part in value.split(","))
    return tuple(part for part in parts if part)


@app.command()
def verify(
    paths: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Argument(help="Spec files or folders; `-` reads standard input. Default: config."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", "-o", help="Write the report to FILE; the terminal keeps text."),
    ] = None,
    fail_on: Annotated[
        Optional[Level],  # noqa: UP045
        typer.Option("--fail-on", help="Lowest severity that makes the exit code 1 [error]."),
    ] = None,
    timeout_ms: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--timeout", help="Time budget of each spec, in ms [10000].", min=1),
    ] = None,
    max_states: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--max-states", help="Configuration budget of explicit searches [2000000].", min=1
        ),
    ] = None,
    config_file: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--config", help="Config file (default: nearest archctl.toml/pyproject)."),
    ] = None,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--select", help="Only these codes or prefixes (replaces the config's)."),
    ] = None,
    extend_select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--extend-select", help="Add codes or prefixes to the selection."),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--ignore", help="Skip these codes or prefixes, comma-separated."),
    ] = None,
    severity: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--severity", help="CODE=LEVEL, e.g. SM901=warning (codes or prefixes)."),
    ] = None,
    baseline: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--baseline", help="Report only findings not recorded in this baseline."),
    ] = None,
    write_baseline: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--write-baseline", help="Record the current findings as a baseline."),
    ] = None,
    specs_only: Annotated[
        bool,
        typer.Option(
            "--specs-only",
            help="Hook mode: skip files that are not archctl specs; honour `exclude` "
            "for named files (pre-commit).",
        ),
    ] = False,
    stdin_filename: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--stdin-filename", help="The file name `-` stands for, in locations."),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even with findings (2 stays 2).")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print findings only, no summary lines.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print the count of findings per code.")
    ] = False,
    no_gitignore: Annotated[
        bool, typer.Option("--no-respect-gitignore", help="Walk folders ignoring .gitignore.")
    ] = False,
    color: Annotated[
        Optional[Color],  # noqa: UP045
        typer.Option("--color", help="auto, always, never (as `archctl --color`)."),
    ] = None,
) -> None:
    """Load and check specs; exit 0 clean, 1 findings, 2 unloadable input, 3 internal error."""
    from archctl.commands.verify import VerifyRequest, run

    if color is not None:
        _COLOR["mode"] = color.value
    request = VerifyRequest(
        paths=tuple(paths or ()),
        output_format=output_format.value,
        output=output,
        fail_on=fail_on.value if fail_on else None,
        timeout_ms=timeout_ms,
        max_states=max_states,
        config=config_file,
        select=_codes(select),
        extend_select=_codes(extend_select),
        ignore=_codes(ignore),
        severity=_codes(severity),
        baseline=baseline,
        write_baseline=write_baseline,
        specs_only=specs_only,
        exit_zero=exit_zero,
        quiet=quiet,
        statistics=statistics,
        stdin_filename=stdin_filename,
        respect_gitignore=not no_gitignore,
    )
    raise typer.Exit(run(request, _console()))


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

    raise typer.Exit(run(ExplainRequest(code, list_all), _console()))


@app.command()
def schema(
    kind: Annotated[
        str, typer.Argument(help="workflow, statemachine, plugins, policy, or all (one schema)")
    ],
) -> None:
    """Print the JSON Schema of one spec kind, or of all kinds chosen by `kind` (editors)."""
    from archctl.schemas import KINDS, combined_json, schema_json

    if kind == "all":
        sys.stdout.write(combined_json())
        return
    if kind not in KINDS:
        expected = ", ".join([*KINDS, "all"])
        typer.echo(f"error: unknown kind '{kind}'; expected one of {expected}", err=True)
        raise typer.Exit(EXIT_USAGE)
    sys.stdout.write(schema_json(kind))


@app.command()
def init(
    folder: Annotated[str, typer.Argument(help="The project folder.")] = ".",
) -> None:
    """Write archctl.toml, an example spec and a pre-commit config; never overwrites."""
    from archctl.commands.init import InitRequest, run

    raise typer.Exit(run(InitRequest(folder), _console()))


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

    raise typer.Exit(run(PlanRequest(path, spec, output_format.value, timeout_ms), _console()))


class GraphFormat(str, enum.Enum):
    dot = "dot"
    svg = "svg"
    png = "png"
    mermaid = "mermaid"


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
    raise typer.Exit(run(request, _console()))


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
    raise typer.Exit(run(options, _console()))


class ConvertTarget(str, enum.Enum):
    yaml = "yaml"
    dsl = "dsl"


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
    raise typer.Exit(run(request, _console()))


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

    raise typer.Exit(convert(ConvertRequest(file, to.value, output, spec), _console()))


@app.command()
def fmt(
    files: Annotated[list[str], typer.Argument(help="DSL files (.arch) or folders.")],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 and show a diff if unformatted.")
    ] = False,
) -> None:
    """Rewrite DSL files in the canonical layout (idempotent; comments kept)."""
    from archctl.commands.convert import FmtRequest, fmt

    raise typer.Exit(fmt(FmtRequest(tuple(files), check), _console()))


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
    raise typer.Exit(run(request, _console()))


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
