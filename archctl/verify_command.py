"""`archctl verify` as a function: options in, report out, exit code back.

Lives outside cli.py so the CLI stays a thin option parser, and so the pre-commit hook, the
CI formats and the baseline logic are tested without a subprocess.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.check import CheckOptions
from archctl.config import ConfigError, load_config
from archctl.findings import BaselineError, write_baseline
from archctl.verify import VerifyOutcome, exit_code, verify_paths

if TYPE_CHECKING:
    from rich.console import Console

EXIT_USAGE = 2


@dataclass(frozen=True)
class VerifyRequest:
    paths: tuple[str, ...] = ()
    output_format: str = "text"
    output: str | None = None
    fail_on: str | None = None
    timeout_ms: int | None = None
    max_states: int | None = None
    config: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    baseline: str | None = None
    write_baseline: str | None = None
    specs_only: bool = False


def _usage(console: Console, message: str) -> int:
    console.print(f"[bold red]error[/bold red]: {message}", highlight=False, soft_wrap=True)
    return EXIT_USAGE


def render(outcome: VerifyOutcome, output_format: str, fail_on: str) -> str:
    """The report in a machine format (everything but text)."""
    if output_format == "json":
        from archctl.report.json import render_json

        return render_json(outcome.diagnostics, outcome.files, outcome.specs)
    if output_format == "sarif":
        from archctl.report.sarif import render_sarif

        return render_sarif(outcome.diagnostics)
    if output_format == "junit":
        from archctl.report.junit import render_junit

        return render_junit(outcome.diagnostics, outcome.loaded, outcome.file_names, fail_on)
    from archctl.report.github import render_github

    return render_github(outcome.diagnostics)


def run_verify(request: VerifyRequest, console: Console) -> int:
    try:
        config = load_config(request.config)
    except ConfigError as error:
        return _usage(console, str(error))
    paths = list(request.paths)
    if not paths and config.paths:
        paths = [
            os.path.relpath(os.path.join(config.root, path)).replace(os.sep, "/")
            for path in config.paths
        ]
    if not paths:
        return _usage(
            console,
            "no paths given; pass spec files or folders, or set `paths` "
            "in [tool.archctl] / archctl.toml",
        )
    fail_on = request.fail_on or config.fail_on or "error"
    options = CheckOptions(
        timeout_ms=request.timeout_ms or config.timeout_ms or CheckOptions.timeout_ms,
        max_states=request.max_states or config.max_states or CheckOptions.max_states,
    )
    if request.output:
        folder = os.path.dirname(os.path.abspath(request.output))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            return _usage(
                console,
                f"cannot write --output {request.output}: "
                f"folder {folder} is missing or not writable",
            )
    try:
        outcome = verify_paths(
            paths,
            options,
            config,
            request.baseline,
            request.select,
            request.ignore,
            request.specs_only,
        )
    except BaselineError as error:
        return _usage(console, str(error))
    if request.write_baseline:
        try:
            write_baseline(request.write_baseline, outcome.diagnostics)
        except OSError as error:
            return _usage(
                console, f"cannot write baseline {request.write_baseline}: {error.strerror}"
            )
    text_on_terminal = request.output_format == "text" or request.output is not None
    if request.output_format != "text":
        report = render(outcome, request.output_format, fail_on)
        if request.output:
            try:
                with open(request.output, "w", encoding="utf-8") as handle:
                    handle.write(report)
            except OSError as error:
                return _usage(console, f"cannot write {request.output}: {error.strerror}")
        else:
            sys.stdout.write(report)
    elif request.output:
        from archctl.report.text import render_plain

        try:
            with open(request.output, "w", encoding="utf-8") as handle:
                handle.write(
                    render_plain(outcome.diagnostics, outcome.sources, outcome.files, outcome.specs)
                )
        except OSError as error:
            return _usage(console, f"cannot write {request.output}: {error.strerror}")
    if text_on_terminal:
        from archctl.report.text import render_text

        render_text(console, outcome.diagnostics, outcome.sources, outcome.files, outcome.specs)
    _baseline_summary(console, request, outcome)
    if request.write_baseline:
        console.print(
            f"wrote baseline {request.write_baseline} ({len(outcome.diagnostics)} findings)",
            highlight=False,
        )
        return EXIT_USAGE if outcome.load_failed else 0
    return exit_code(outcome, fail_on)


def _baseline_summary(console: Console, request: VerifyRequest, outcome: VerifyOutcome) -> None:
    if not request.baseline:
        return
    stream = console if request.output_format == "text" or request.output else None
    lines = [f"baseline: {outcome.baseline_known} known finding(s) skipped"]
    if outcome.baseline_stale:
        lines.append(f"baseline: {len(outcome.baseline_stale)} entr(y/ies) now fixed (stale):")
        lines += [
            f"  {f} {spec} {code} {subject}" for f, spec, code, subject in outcome.baseline_stale
        ]
    for line in lines:
        if stream is not None:
            stream.print(line, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)
