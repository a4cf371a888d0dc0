"""`archctl convert` (YAML <-> DSL) and `archctl fmt` (canonical DSL layout)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.commands import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    refuse,
    say,
    stderr_console,
    usage_error,
    write_text,
)

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class ConvertRequest:
    file: str
    to: str
    output: str | None = None
    spec: str | None = None


@dataclass(frozen=True)
class FmtRequest:
    files: tuple[str, ...]
    check: bool = False


def convert(request: ConvertRequest, console: Console) -> int:
    from archctl.conversion import convert_file

    outcome = convert_file(request.file, request.to, request.spec)
    if outcome.text is None:
        refuse(outcome.refused)
        return EXIT_USAGE
    if request.output is None:
        sys.stdout.write(outcome.text)
        return EXIT_OK
    problem = write_text(request.output, outcome.text)
    if problem is not None:
        return usage_error(stderr_console(), problem)
    say(stderr_console(), f"wrote {request.output}")
    return EXIT_OK


def fmt(request: FmtRequest, console: Console) -> int:
    """Rewrite (or with ``check``, diff) DSL files; exit 1 when ``check`` finds changes."""
    from archctl.conversion import dsl_files, format_file, unified_diff

    err = stderr_console()
    paths, problems = dsl_files(list(request.files))
    code = EXIT_OK
    if problems:
        from archctl.model.spec import LoadResult

        refuse(LoadResult(diagnostics=problems, files=list(request.files)))
        code = EXIT_USAGE
    for path in paths:
        outcome = format_file(path)
        if outcome.text is None:
            refuse(outcome.refused)
            code = EXIT_USAGE
            continue
        if outcome.text == outcome.original:
            continue
        if request.check:
            sys.stdout.write(unified_diff(path, outcome.original, outcome.text))
            code = max(code, EXIT_FINDINGS)
            continue
        problem = write_text(path, outcome.text)
        if problem is not None:
            usage_error(err, problem)
            code = EXIT_USAGE
            continue
        say(err, f"formatted {path}")
    return code
