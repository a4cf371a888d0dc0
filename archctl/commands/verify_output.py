"""Where verify's report goes: the chosen format to stdout or ``--output``, the human
report on the terminal, the GitHub job summary when ``$GITHUB_STEP_SUMMARY`` is set.

Split from the command so the choice of reporter is one readable function and each
reporter module stays a pure ``findings -> str``.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from archctl.commands import write_text
from archctl.verify import VerifyOutcome

if TYPE_CHECKING:
    from rich.console import Console


class _Request(Protocol):
    @property
    def output_format(self) -> str: ...
    @property
    def output(self) -> str | None: ...
    @property
    def quiet(self) -> bool: ...
    @property
    def statistics(self) -> bool: ...


def proof_summary(outcome: VerifyOutcome) -> str:
    from archctl.report.text import proof_line

    inconclusive = sum(1 for d in outcome.unbaselined if d.code.endswith("901"))
    return proof_line(len(outcome.proved), len(outcome.seconds), inconclusive)


def render(outcome: VerifyOutcome, output_format: str, fail_on: str, root: str) -> str:
    """The report in a machine format (everything but text)."""
    return "".join(render_chunks(outcome, output_format, fail_on, root))


def render_chunks(
    outcome: VerifyOutcome, output_format: str, fail_on: str, root: str
) -> Iterable[str]:
    """The report in pieces to write as they come (JSON and SARIF: a batch of findings at
    a time; a large report is never one string)."""
    if output_format == "json":
        from archctl.report.json import json_chunks

        return json_chunks(outcome.diagnostics, outcome.files, outcome.specs, outcome.proved)
    if output_format == "sarif":
        from archctl.report.sarif import sarif_chunks

        return sarif_chunks(outcome.diagnostics, root, outcome.loaded)
    return (_render_whole(outcome, output_format, fail_on, root),)


def _render_whole(outcome: VerifyOutcome, output_format: str, fail_on: str, root: str) -> str:
    if output_format == "junit":
        from archctl.report.junit import JUnitRun, render_junit

        run = JUnitRun(
            outcome.loaded,
            outcome.file_names,
            fail_on,
            frozenset(outcome.broken_files),
            outcome.active,
            outcome.proved,
            outcome.seconds,
        )
        return render_junit(outcome.diagnostics, outcome.loaded, outcome.file_names, run=run)
    if output_format == "gitlab":
        from archctl.report.gitlab import render_gitlab

        return render_gitlab(outcome.diagnostics, root)
    if output_format == "concise":
        from archctl.report.text import render_concise

        return render_concise(outcome.diagnostics)
    from archctl.report.github import render_github

    return render_github(outcome.diagnostics)


def statistics(outcome: VerifyOutcome) -> str:
    """ruff's ``--statistics``: one line per code, most frequent first."""
    from archctl.codes import code_name

    counts = Counter(diagnostic.code for diagnostic in outcome.diagnostics)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for _, count in ordered), default=1)
    return "".join(
        f"{str(count).rjust(width)}  {code}  {code_name(code)}\n" for code, count in ordered
    )


def emit(
    request: _Request, outcome: VerifyOutcome, fail_on: str, console: Console, root: str
) -> str | None:
    """Write every output the request asks for; a problem message, or None."""
    proof = proof_summary(outcome)
    fmt = request.output_format
    if request.statistics:
        sys.stdout.write(statistics(outcome))
    elif fmt != "text":
        report = render_chunks(outcome, fmt, fail_on, root)
        if request.output:
            problem = write_text(request.output, report)
            if problem is not None:
                return problem
        else:
            sys.stdout.writelines(report)
    elif request.output:
        from archctl.report.text import render_plain

        text = render_plain(
            outcome.diagnostics, outcome.sources, outcome.files, outcome.specs, proof
        )
        problem = write_text(request.output, text)
        if problem is not None:
            return problem
    on_terminal = fmt == "text" or (request.output is not None and fmt != "concise")
    if on_terminal and not request.statistics:
        from archctl.report.text import render_text

        shown = outcome.diagnostics
        if request.quiet:
            from archctl.report.text import render_findings

            render_findings(console, shown, outcome.sources)
        else:
            render_text(console, shown, outcome.sources, outcome.files, outcome.specs, proof)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from archctl.report.github import render_step_summary

        markdown = render_step_summary(
            outcome.diagnostics, outcome.files, outcome.specs, outcome.proved, proof
        )
        return write_text(summary_file, markdown, "a")
    return None
