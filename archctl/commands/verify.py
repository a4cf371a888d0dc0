"""`archctl verify` as a function: options in, report out, exit code back.

Lives outside cli.py so the CLI stays a thin option parser, and so the pre-commit hook, the
CI formats and the baseline logic are tested without a subprocess. Every code the user
names (``--select``, ``--ignore``, ``--severity``) is checked first: a typo must be a usage
error with a suggestion, never a run that selects nothing and passes.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.check import CheckOptions
from archctl.commands import EXIT_OK, EXIT_USAGE, say, usage_error
from archctl.commands.verify_output import emit
from archctl.config import ConfigError, check_code, load_config
from archctl.diagnostics import Severity
from archctl.findings import BaselineError, write_baseline
from archctl.verify import STDIN, Selection, VerifyOutcome, exit_code, verify_paths
from archctl.verify_jobs import WorkersError, workers_for

if TYPE_CHECKING:
    from rich.console import Console

LEVELS = ("error", "warning", "info")


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
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: ``CODE=LEVEL`` overrides (codes or prefixes), after the config's.
    severity: tuple[str, ...] = ()
    baseline: str | None = None
    write_baseline: str | None = None
    specs_only: bool = False
    exit_zero: bool = False
    quiet: bool = False
    statistics: bool = False
    stdin_filename: str | None = None
    respect_gitignore: bool = True
    #: local worker processes that load and check files (1: this process only)
    jobs: int = 1
    #: a Dask scheduler (``tcp://HOST:PORT``) or ``local:N`` to load and check files on
    cluster: str | None = None


def _selection(request: VerifyRequest) -> Selection:
    """The command line's codes, each checked (ConfigError names the option and a fix)."""

    def checked(option: str, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_code(code, option) for code in codes)

    severity: dict[str, Severity] = {}
    for item in request.severity:
        code, sep, level = item.partition("=")
        if not sep or level.strip().lower() not in LEVELS:
            raise ConfigError(
                f"--severity: '{item}' is not CODE=LEVEL with LEVEL one of {', '.join(LEVELS)}"
                " (e.g. --severity SM901=warning)"
            )
        severity[check_code(code, "--severity")] = Severity(level.strip().lower())
    return Selection(
        checked("--select", request.select),
        checked("--extend-select", request.extend_select),
        checked("--ignore", request.ignore),
        severity,
    )


def _stdin(request: VerifyRequest) -> tuple[str, bytes] | None:
    if STDIN not in request.paths:
        return None
    return (request.stdin_filename or "<stdin>", sys.stdin.buffer.read())


def run(request: VerifyRequest, console: Console) -> int:
    try:
        config = load_config(request.config)
        selection = _selection(request)
    except ConfigError as error:
        return usage_error(console, str(error))
    paths = list(request.paths)
    if not paths and config.paths:
        paths = [
            os.path.relpath(os.path.join(config.root, path)).replace(os.sep, "/")
            for path in config.paths
        ]
    if not paths:
        return usage_error(
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
            return usage_error(
                console,
                f"cannot write --output {request.output}: "
                f"folder {folder} is missing or not writable",
            )
    if request.cluster is not None and request.jobs > 1:
        return usage_error(console, "--jobs and --cluster exclude each other; pick one")
    if request.jobs < 1:
        return usage_error(console, f"--jobs needs a number of processes >= 1, not {request.jobs}")
    try:
        workers = workers_for(request.jobs, request.cluster)
    except WorkersError as error:
        return usage_error(console, str(error))
    try:
        outcome = verify_paths(
            paths,
            options,
            config,
            request.baseline,
            specs_only=request.specs_only,
            selection=selection,
            stdin=_stdin(request),
            respect_gitignore=request.respect_gitignore,
            workers=workers,
        )
    except (BaselineError, WorkersError) as error:
        return usage_error(console, str(error))
    finally:
        workers.close()
    if request.write_baseline:
        try:
            write_baseline(request.write_baseline, outcome.unbaselined, str(config.root))
        except OSError as error:
            return usage_error(
                console, f"cannot write baseline {request.write_baseline}: {error.strerror}"
            )
    problem = emit(request, outcome, fail_on, console, str(config.root))
    if problem is not None:
        return usage_error(console, problem)
    _baseline_summary(console, request, outcome)
    if request.write_baseline:
        if not request.quiet:
            count = len(outcome.unbaselined)
            say(console, f"wrote baseline {request.write_baseline} ({count} findings)")
        return EXIT_USAGE if outcome.load_failed else EXIT_OK
    code = exit_code(outcome, fail_on)
    return EXIT_OK if request.exit_zero and code == 1 else code


def _baseline_summary(console: Console, request: VerifyRequest, outcome: VerifyOutcome) -> None:
    if not request.baseline or request.quiet:
        return
    on_terminal = request.output_format in ("text", "concise") or request.output
    lines = [f"baseline: {outcome.baseline_known} known finding(s) skipped"]
    if outcome.baseline_stale:
        lines.append(f"baseline: {len(outcome.baseline_stale)} entr(y/ies) now fixed (stale):")
        lines += [
            f"  {f} {spec} {code} {subject}" for f, spec, code, subject in outcome.baseline_stale
        ]
    for line in lines:
        if on_terminal:
            say(console, line)
        else:
            print(line, file=sys.stderr)
