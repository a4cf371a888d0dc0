"""What happens on a real bug: one line for the user, the full story in a log file.

A user's file must never cause an internal error; when one happens anyway, the user needs
to know which file and spec triggered it (to work around it and to report it), and the
maintainers need the traceback with versions. Printing a traceback at the user buries the
first and is useless without the second, so, as pre-commit does, the terminal gets one
line naming the file, the spec and the log, and the log gets everything.

Where archctl is (which file is being loaded, which spec checked) is tracked with
:func:`at`; the location is stamped on the exception as it leaves the innermost block,
because by the time ``main`` catches it every block has been left.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

#: The packages whose versions a bug report needs.
_PACKAGES = ("archctl", "z3-solver", "lark", "networkx", "pyyaml", "typer", "rich")
_WHERE = "_archctl_where"


@contextmanager
def at(file: str | None, spec: str | None = None) -> Iterator[None]:
    """Run the block as "processing ``file`` (spec ``spec``)" for a crash report."""
    try:
        yield
    except Exception as error:
        if getattr(error, _WHERE, None) is None:
            # an exception type with __slots__ cannot carry it: no location then
            with contextlib.suppress(AttributeError):
                setattr(error, _WHERE, (file, spec))
        raise


def where(error: BaseException) -> str:
    """``while checking spec 'x' in file.yaml`` (or less when less is known)."""
    found = getattr(error, _WHERE, None)
    if not found:
        return ""
    file, spec = found
    if spec:
        return f" while checking spec '{spec}' in {file}"
    return f" while loading {file}"


def log_path() -> str:
    """``$ARCHCTL_HOME/archctl.log``, else the user's cache folder (as pre-commit's)."""
    home = os.environ.get("ARCHCTL_HOME")
    if not home:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        home = os.path.join(cache, "archctl")
    return os.path.join(home, "archctl.log")


def _versions() -> list[str]:
    from importlib import metadata  # only a crash needs it: ~10 ms off every start-up

    lines = [f"python: {sys.version.split()[0]} ({platform.platform()})"]
    for package in _PACKAGES:
        try:
            lines.append(f"{package}: {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{package}: not installed")
    return lines


def report(error: BaseException, argv: list[str] | None = None) -> str:
    """Write the crash log; return the one line to show the user."""
    path = log_path()
    body = [
        "### archctl internal error",
        "",
        "command: " + " ".join(argv if argv is not None else sys.argv),
        "processing:" + (where(error) or " (not in a file)"),
        "",
        *_versions(),
        "",
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    ]
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(body))
        saved = f"; details in {path}"
    except OSError as problem:
        saved = f"; could not write {path} ({problem.strerror})"
    summary = f"{type(error).__name__}: {error}"
    if len(summary) > 200:
        summary = summary[:197] + "..."
    return f"archctl: internal error{where(error)}: {summary}{saved}"
