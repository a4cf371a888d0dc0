"""`archctl explain`: what a finding code means, looked up by code or by name.

``explain deadlock`` finds SM102, WF103 and SY102; ``explain --list`` prints every code
with its default severity and one-line summary, so the codes can be found without the docs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archctl.commands import EXIT_OK, say, usage_error

if TYPE_CHECKING:
    from rich.console import Console

    from archctl.codes import CodeInfo


@dataclass(frozen=True)
class ExplainRequest:
    code: str | None = None
    list_all: bool = False


def matches(query: str) -> list[CodeInfo]:
    """Codes whose code is ``query``, or whose name is it or contains it."""
    from archctl.codes import CODES, lookup

    found = lookup(query)
    if found is not None:
        return [found]
    wanted = query.strip().lower().replace(" ", "-").replace("_", "-")
    exact = [info for info in CODES.values() if info.name == wanted]
    return exact or [info for info in CODES.values() if wanted and wanted in info.name]


def example_of(code: str) -> tuple[str, str] | None:
    """A minimal spec that gets ``code`` (shipped in archctl/code_examples), with its name."""
    from importlib.resources import files

    folder = files("archctl") / "code_examples"
    for extension in (".yaml", ".arch"):
        resource = folder / f"{code}{extension}"
        if resource.is_file():
            return f"{code}{extension}", resource.read_text(encoding="utf-8")
    return None


def run(request: ExplainRequest, console: Console) -> int:
    from archctl.codes import CODES

    if request.list_all:
        for info in CODES.values():
            line = f"{info.code}  {info.name:<24} {info.severity.value:<7}  {info.summary}"
            say(console, line)
        return EXIT_OK
    if not request.code:
        return usage_error(console, "name a code (SM102) or a name (deadlock), or pass --list")
    found = matches(request.code)
    if not found:
        names = [*CODES, *(info.name for info in CODES.values())]
        close = difflib.get_close_matches(request.code, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `archctl explain --list`"
        return usage_error(console, f"unknown code or name '{request.code}'{hint}")
    from archctl.code_fixes import FIXES

    for number, info in enumerate(found):
        if number:
            say(console, "")
        text = f"{info.code} {info.name} ({info.severity.value})\n  {info.summary}\n\n{info.doc}"
        example = example_of(info.code)
        if example is not None:
            text += f"\n\nexample ({example[0]}):\n\n{example[1].rstrip()}"
        if info.code in FIXES:
            text += f"\n\nusual fix: {FIXES[info.code]}."
        say(console, text)
    return EXIT_OK
