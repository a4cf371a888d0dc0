"""One module per command: ``run(request, console) -> exit code``.

``cli.py`` only turns options into a request; everything a command decides (which files,
which report, which exit code) lives here, so it is tested without a subprocess and the
same behaviour is reachable from Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def usage_error(console: Console, message: str) -> int:
    """Print ``error: message`` (user text never read as markup) and return exit code 2."""
    from rich.text import Text

    line = Text("error", style="bold red")
    line.append(f": {message}")
    console.print(line, highlight=False, soft_wrap=True, emoji=False)
    return EXIT_USAGE


def say(console: Console, text: str) -> None:
    """Print one message as written: no markup, no highlighting, no wrapping of paths."""
    console.print(text, markup=False, highlight=False, soft_wrap=True, emoji=False)


def stderr_console() -> Console:
    """Where commands whose stdout is data (a diagram, a plan) put their messages."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def refuse(loaded: object) -> None:
    """Show why input cannot be used: its load diagnostics, rendered as by verify, on stderr."""
    from archctl.diagnostics import sort_diagnostics
    from archctl.model.spec import LoadResult
    from archctl.report.text import render_text

    assert isinstance(loaded, LoadResult)
    shown = sort_diagnostics(loaded.diagnostics)
    render_text(stderr_console(), shown, loaded.sources, len(loaded.files), len(loaded.specs))


def write_text(path: str, text: str | Iterable[str], mode: str = "w") -> str | None:
    """Write (``mode="a"``: append) ``text`` (or its pieces, as they come); the problem as a
    message, or None."""
    try:
        with open(path, mode, encoding="utf-8") as handle:
            handle.writelines((text,) if isinstance(text, str) else text)
    except OSError as error:
        return f"cannot write {path}: {error.strerror}"
    return None
