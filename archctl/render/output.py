"""What ``archctl graph`` decides besides drawing: which specs, which format, which file.

Kept out of cli.py so the rules (and their error messages) are plain functions with tests.
Every refusal is a :class:`GraphError` whose message tells the user what to do instead; the
CLI prints it and exits 2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from archctl.evidence import Trace
from archctl.model.spec import Spec
from archctl.model.system import System
from archctl.render.dot import render_dot
from archctl.render.graph import DiagramGraph
from archctl.render.highlight import HighlightError, parse_highlight
from archctl.render.image import IMAGE_FORMATS, ImageError, render_image
from archctl.render.mermaid import render_mermaid
from archctl.render.overlay import apply_highlight

FORMATS = ("dot", "mermaid", "svg", "png")
EXTENSIONS = {"dot": ".dot", "mermaid": ".mmd", "svg": ".svg", "png": ".png"}


class GraphError(Exception):
    """A usage problem of ``archctl graph``; the message is shown to the user as is."""


@dataclass(frozen=True)
class Target:
    spec: Spec
    path: str | None  # None: standard output


def select_specs(specs: Sequence[Spec], name: str | None, source: str) -> list[Spec]:
    """The specs to draw: the one named by ``--spec``, else all of them."""
    if not specs:
        raise GraphError(f"{source} holds no spec to draw")
    if name is None:
        return list(specs)
    chosen = [spec for spec in specs if spec.name == name]
    if not chosen:
        names = ", ".join(sorted({spec.name for spec in specs}))
        raise GraphError(f"no spec named '{name}' in {source}; its specs are: {names}")
    return chosen[:1]


def plan_outputs(
    specs: Sequence[Spec], out: str | None, fmt: str, stdout_is_tty: bool, source: str
) -> list[Target]:
    """Where each diagram goes; one spec may go to stdout, several need an existing folder."""
    ext = EXTENSIONS[fmt]
    if len(specs) > 1:
        names = ", ".join(spec.name for spec in specs)
        if out is None or not os.path.isdir(out):
            where = "" if out is None else f" ('{out}' is not an existing folder)"
            raise GraphError(
                f"{source} holds {len(specs)} specs ({names}){where}: pass --spec NAME to draw "
                f"one, or -o FOLDER (an existing folder) to write each to FOLDER/<name>{ext}"
            )
        paths = [os.path.join(out, spec.name + ext) for spec in specs]
        if len(set(paths)) != len(paths):
            raise GraphError(f"several specs share a name in {source}; pass --spec NAME")
        return [Target(spec, path) for spec, path in zip(specs, paths, strict=True)]
    spec = specs[0]
    if out is None:
        if fmt in IMAGE_FORMATS and stdout_is_tty:
            raise GraphError(
                f"-f {fmt} writes binary data: pass -o FILE{ext}, or redirect standard output"
            )
        return [Target(spec, None)]
    if os.path.isdir(out):
        return [Target(spec, os.path.join(out, spec.name + ext))]
    folder = os.path.dirname(out)
    if folder and not os.path.isdir(folder):
        raise GraphError(f"cannot write {out}: the folder '{folder}' does not exist")
    return [Target(spec, out)]


def render_spec(
    spec: Spec, graph: DiagramGraph, fmt: str, highlight_text: str | None = None
) -> bytes:
    """``graph``, the diagram of ``spec`` (``kinds.build_diagram``), in one format, with a
    trace drawn when given.

    For a system, a trace is drawn as a sequence diagram (Mermaid or Graphviz) instead."""
    if isinstance(spec, System) and highlight_text is not None:
        return _sequence(spec, fmt, highlight_text)
    if highlight_text is not None:
        try:
            evidence = parse_highlight(highlight_text, spec.name)
        except HighlightError as error:
            raise GraphError(f"--highlight: {error}") from None
        if apply_highlight(graph, evidence) == 0:
            raise GraphError(
                f"--highlight: no step of the trace names an element of spec '{spec.name}'"
            )
    if fmt == "mermaid":
        return render_mermaid(graph).encode("utf-8")
    return _dot_output(render_dot(graph), fmt)


def _dot_output(dot_text: str, fmt: str) -> bytes:
    """DOT text as itself or as an image (Graphviz's ``dot`` program)."""
    if fmt == "dot":
        return dot_text.encode("utf-8")
    try:
        return render_image(dot_text, fmt)
    except ImageError as error:
        raise GraphError(str(error)) from None


def _sequence(system: System, fmt: str, highlight_text: str) -> bytes:
    from archctl.render.sequence import sequence_dot, sequence_mermaid

    try:
        evidence = parse_highlight(highlight_text, system.name)
    except HighlightError as error:
        raise GraphError(f"--highlight: {error}") from None
    if not isinstance(evidence, Trace) or not any(s.component for s in evidence.steps):
        raise GraphError(f"--highlight: no system trace of '{system.name}' (steps with components)")
    if fmt == "mermaid":
        return sequence_mermaid(system, evidence).encode("utf-8")
    return _dot_output(sequence_dot(system, evidence), fmt)


def write_output(target: Target, data: bytes, stdout: BinaryIO) -> None:
    """Write one diagram to its file or to ``stdout``; OS errors become a GraphError."""
    if target.path is None:
        stdout.write(data)
        stdout.flush()
        return
    try:
        with open(target.path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise GraphError(f"cannot write {target.path}: {error.strerror or error}") from None


def read_highlight(path: str) -> str:
    """The text of a ``--highlight`` file; unreadable files become a GraphError."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise GraphError(f"--highlight: cannot read {path}: {error}") from None
