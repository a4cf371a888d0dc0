"""``archctl verify``'s options (the command with the most), parsed into a ``VerifyRequest``.

Its own module keeps ``cli.py`` short; ``cli.py`` registers it like any other command.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from archctl.cli_options import COLOR, Color, Level, OutputFormat, codes, console


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
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", help="Load and check files on N local processes.", min=1),
    ] = 1,
    cluster: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--cluster",
            help="Load and check files on a Dask cluster: tcp://HOST:8786, or local:N.",
        ),
    ] = None,
    color: Annotated[
        Optional[Color],  # noqa: UP045
        typer.Option("--color", help="auto, always, never (as `archctl --color`)."),
    ] = None,
) -> None:
    """Load and check specs; exit 0 clean, 1 findings, 2 unloadable input, 3 internal error."""
    from archctl.commands.verify import VerifyRequest, run

    if color is not None:
        COLOR["mode"] = color.value
    request = VerifyRequest(
        paths=tuple(paths or ()),
        output_format=output_format.value,
        output=output,
        fail_on=fail_on.value if fail_on else None,
        timeout_ms=timeout_ms,
        max_states=max_states,
        config=config_file,
        select=codes(select),
        extend_select=codes(extend_select),
        ignore=codes(ignore),
        severity=codes(severity),
        baseline=baseline,
        write_baseline=write_baseline,
        specs_only=specs_only,
        exit_zero=exit_zero,
        quiet=quiet,
        statistics=statistics,
        stdin_filename=stdin_filename,
        respect_gitignore=not no_gitignore,
        jobs=jobs,
        cluster=cluster,
    )
    raise typer.Exit(run(request, console()))
