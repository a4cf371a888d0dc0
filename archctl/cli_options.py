"""What the typer commands share: the option enums, the colour mode and the console.

A module of its own so that ``cli.py`` and ``cli_verify.py`` (verify's many options) both
read them without importing each other.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
COLOR = {"mode": "auto"}


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


class GraphFormat(str, enum.Enum):
    dot = "dot"
    svg = "svg"
    png = "png"
    mermaid = "mermaid"


class ConvertTarget(str, enum.Enum):
    yaml = "yaml"
    dsl = "dsl"


def console() -> Console:
    """The output console: user text is never read as markup or emoji codes."""
    from rich.console import Console

    mode = COLOR["mode"]
    if mode == "always":
        return Console(highlight=False, emoji=False, force_terminal=True)
    if mode == "never":
        return Console(highlight=False, emoji=False, no_color=True, color_system=None)
    return Console(highlight=False, emoji=False)


def codes(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable, comma-separated codes (``--select SM,WF --select PL``)."""
    parts = (part.strip() for value in values or () for part in value.split(","))
    return tuple(part for part in parts if part)
