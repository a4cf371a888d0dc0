"""The archctl command line: parse options, call the layers, map results to exit codes.

Kept thin on purpose: every command delegates to load/, check/, report/ (and friends), so
the same behaviour is reachable from Python and tested there.
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
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


class TextOrJson(str, enum.Enum):
    """Formats of the commands whose output is not a list of findings (plan, diff)."""

    text = "text"
    json = "json"


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """archctl: prove, simulate and draw architecture specs."""


@app.command()
def verify(
    paths: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Argument(help="Spec files or folders (recursive); default: `paths` from config."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", "-o", help="Write the report to FILE; the terminal keeps text."),
    ] = None,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
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
        Optional[str],  # noqa: UP045
        typer.Option("--select", help="Only these codes or prefixes, comma-separated."),
    ] = None,
    ignore: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--ignore", help="Skip these codes or prefixes, comma-separated."),
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
            "--specs-only", help="Skip YAML files without a top-level `kind:` (pre-commit)."
        ),
    ] = False,
) -> None:
    """Load and check specs; exit 0 clean, 1 findings, 2 unloadable input, 3 internal error."""
    from archctl.verify_command import VerifyRequest, run_verify

    request = VerifyRequest(
        paths=tuple(paths or ()),
        output_format=output_format.value,
        output=output,
        fail_on=fail_on.value if fail_on else None,
        timeout_ms=timeout_ms,
        max_states=max_states,
        config=config_file,
        select=_codes(select),
        ignore=_codes(ignore),
        baseline=baseline,
        write_baseline=write_baseline,
        specs_only=specs_only,
    )
    raise typer.Exit(run_verify(request, _console()))


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in (text or "").split(",") if part.strip())


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A finding code such as SM102.")]) -> None:
    """Print what a finding code means."""
    from archctl.codes import CODES, lookup

    info = lookup(code)
    if info is None:
        typer.echo(f"error: unknown code '{code}'", err=True)
        typer.echo("known codes: " + ", ".join(sorted(CODES)), err=True)
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{info.code} {info.name} ({info.severity.value})")
    typer.echo(f"  {info.summary}")
    typer.echo("")
    typer.echo(info.doc)


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
    from archctl.check import CheckOptions
    from archctl.plan import plan_file

    outcome = plan_file(path, spec, CheckOptions(timeout_ms=timeout_ms))
    if outcome.error is not None:
        typer.echo(f"error: {outcome.error}", err=True)
        raise typer.Exit(outcome.exit_code)
    code = outcome.exit_code
    json_out = output_format is TextOrJson.json
    if code == EXIT_OK and outcome.plan is not None:
        from archctl.report.plan import plan_json, plan_text

        chosen = outcome.plan
        render = plan_json if json_out else plan_text
        sys.stdout.write(render(chosen.spec.name, chosen.selected or {}, chosen.stages or []))
    elif json_out:
        from archctl.report.json import render_json

        sys.stdout.write(render_json(outcome.diagnostics, 1, 1))
    else:
        from archctl.report.text import render_text

        render_text(_console(), outcome.diagnostics, outcome.sources, 1, 1)
    raise typer.Exit(code)


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
) -> None:
    """Draw specs as diagrams; exit 0 drawn, 2 bad input or unloadable spec."""
    from rich.console import Console as RichConsole

    from archctl.render.output import (
        GraphError,
        plan_outputs,
        read_highlight,
        render_spec,
        select_specs,
        write_output,
    )
    from archctl.report.text import render_text
    from archctl.verify import verify_paths

    if check:
        outcome = verify_paths([path])
        specs, diagnostics, failed = outcome.loaded, outcome.diagnostics, outcome.load_failed
        sources, files = outcome.sources, outcome.files
    else:
        from archctl.diagnostics import Severity, sort_diagnostics
        from archctl.load.loader import load_paths

        loaded = load_paths([path])
        specs, sources, files = loaded.specs, loaded.sources, len(loaded.files)
        diagnostics = sort_diagnostics(loaded.diagnostics)
        failed = any(d.severity is Severity.ERROR for d in diagnostics)
    if failed:
        errors = [d for d in diagnostics if d.code.startswith("LD")]
        render_text(RichConsole(stderr=True, highlight=False), errors, sources, files, len(specs))
        typer.echo("error: the spec cannot be drawn until it loads cleanly", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        chosen = select_specs(specs, spec, path)
        if highlight is not None and len(chosen) > 1:
            raise GraphError("--highlight draws on one spec: pass --spec NAME")
        trace_text = read_highlight(highlight) if highlight is not None else None
        targets = plan_outputs(chosen, out, graph_format.value, sys.stdout.isatty(), path)
        for target in targets:
            findings = diagnostics if check else None
            data = render_spec(target.spec, graph_format.value, findings, trace_text, specs)
            write_output(target, data, sys.stdout.buffer)
            if target.path is not None:
                typer.echo(f"wrote {target.path}", err=True)
    except GraphError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


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
    from archctl.simulate.command import SimOptions, load, load_errors
    from archctl.simulate.command import simulate as run_simulation

    if output_format not in ("text", "json"):
        typer.echo(f"error: --format is text or json, not '{output_format}'", err=True)
        raise typer.Exit(EXIT_USAGE)
    loaded = load(paths)
    if load_errors(loaded):
        from archctl.diagnostics import sort_diagnostics

        shown = sort_diagnostics(loaded.diagnostics)
        if output_format == "json":
            from archctl.report.json import render_json

            sys.stdout.write(render_json(shown, len(loaded.files), len(loaded.specs)))
        else:
            from archctl.report.text import render_text

            render_text(_console(), shown, loaded.sources, len(loaded.files), len(loaded.specs))
        typer.echo("error: the spec cannot be simulated until it loads cleanly", err=True)
        raise typer.Exit(EXIT_USAGE)
    from rich.console import Console as RichConsole

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
    err = RichConsole(stderr=True, highlight=False)
    raise typer.Exit(run_simulation(loaded, options, _console(), err))


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
    """Check an event log against a workflow or state machine (see docs/conform.md)."""
    from archctl.conform.command import ConformRequest
    from archctl.conform.command import run as run_conform
    from archctl.conform.readers import Columns
    from archctl.conform.run import FORMATS
    from archctl.simulate.command import load, load_errors

    if output_format not in ("text", "json"):
        typer.echo(f"error: --format is text or json, not '{output_format}'", err=True)
        raise typer.Exit(EXIT_USAGE)
    if log_format is not None and log_format not in FORMATS:
        typer.echo(f"error: --log-format is one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(EXIT_USAGE)
    loaded = load([spec_file])
    if load_errors(loaded):
        from archctl.diagnostics import sort_diagnostics
        from archctl.report.text import render_text

        shown = sort_diagnostics(loaded.diagnostics)
        render_text(_console(), shown, loaded.sources, len(loaded.files), len(loaded.specs))
        typer.echo("error: the spec must load cleanly before a log is checked against it", err=True)
        raise typer.Exit(EXIT_USAGE)
    request = ConformRequest(
        log=log,
        spec_name=spec,
        output=output_format,
        align=align,
        log_format=log_format,
        columns=Columns(case, activity, time),
    )
    from rich.console import Console as RichConsole

    code = run_conform(loaded.specs, request, _console(), RichConsole(stderr=True, highlight=False))
    raise typer.Exit(code)


@app.command()
def lsp() -> None:
    """Run the language server over standard input/output (see docs/editors.md)."""
    try:
        from archctl.lsp.server import run
    except ImportError as error:
        typer.echo(
            f"error: the language server needs pygls ({error.name} is missing): "
            'pip install "archctl[lsp]"',
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from None
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
    from archctl.convert.command import convert_file

    outcome = convert_file(file, to.value, spec)
    if outcome.text is None:
        _refuse(outcome.refused)
        raise typer.Exit(EXIT_USAGE)
    if output is None:
        sys.stdout.write(outcome.text)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(outcome.text)
    except OSError as error:
        typer.echo(f"error: cannot write {output}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(f"wrote {output}", err=True)


@app.command()
def fmt(
    files: Annotated[list[str], typer.Argument(help="DSL files (.arch) or folders.")],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 and show a diff if unformatted.")
    ] = False,
) -> None:
    """Rewrite DSL files in the canonical layout (idempotent; comments kept)."""
    from archctl.convert.command import dsl_files, format_file, unified_diff

    paths, problems = dsl_files(files)
    code = EXIT_OK
    if problems:
        from archctl.model.spec import LoadResult

        _refuse(LoadResult(diagnostics=problems, files=list(files)))
        code = EXIT_USAGE
    for path in paths:
        outcome = format_file(path)
        if outcome.text is None:
            _refuse(outcome.refused)
            code = EXIT_USAGE
            continue
        if outcome.text == outcome.original:
            continue
        if check:
            sys.stdout.write(unified_diff(path, outcome.original, outcome.text))
            code = max(code, EXIT_FINDINGS)
            continue
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(outcome.text)
        except OSError as error:
            typer.echo(f"error: cannot write {path}: {error.strerror}", err=True)
            code = EXIT_USAGE
            continue
        typer.echo(f"formatted {path}", err=True)
    raise typer.Exit(code)


def _refuse(loaded: object) -> None:
    """Show why input cannot be converted: its load diagnostics, rendered as by verify."""
    from rich.console import Console as RichConsole

    from archctl.diagnostics import sort_diagnostics
    from archctl.model.spec import LoadResult
    from archctl.report.text import render_text

    assert isinstance(loaded, LoadResult)
    shown = sort_diagnostics(loaded.diagnostics)
    err = RichConsole(stderr=True, highlight=False)
    render_text(err, shown, loaded.sources, len(loaded.files), len(loaded.specs))


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
    from archctl.check.policy.diff import diff_files
    from archctl.report.diff import render_diff_json, render_diff_text

    outcome = diff_files(old, new, spec, timeout_ms)
    if outcome.problems:
        from archctl.model.spec import LoadResult

        _refuse(LoadResult(diagnostics=outcome.problems, sources=outcome.sources, files=[old, new]))
        raise typer.Exit(EXIT_USAGE)
    render = render_diff_json if output_format is TextOrJson.json else render_diff_text
    sys.stdout.write(render(outcome))
    raise typer.Exit(EXIT_OK if outcome.equivalent else EXIT_FINDINGS)


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


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
