"""Read YAML with exact positions, safely.

We compose (not construct) documents: composed nodes keep start and end marks, which is how
every later diagnostic can point at the user's line and column. libyaml's ``CSafeLoader``
composes several times faster than the pure-Python loader with identical marks, so it is used
when available. Scalars stay strings until a reader asks for a type, so YAML 1.1 booleans
(`on:`, states named `yes`/`no`/`off`) never turn into booleans behind the user's back.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.source import SourceFile, Span

try:
    _LOADER: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _LOADER = yaml.SafeLoader

#: Largest number of nodes a document may expand to through aliases before it is refused.
MAX_EXPANDED_NODES = 5_000_000


@dataclass
class ComposedFile:
    source: SourceFile
    documents: list[yaml.Node]


def decode(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 (BOM allowed); a bad byte is a located LD001."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8", errors="replace")
        source = SourceFile(path, good + "?")
        line, column = source.position(len(good))
        return None, [
            Diagnostic(
                codes.LD001,
                default_severity(codes.LD001),
                f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                Span.point(path, line, column),
                help="save the file as UTF-8",
            )
        ]
    return text, []


def compose(source: SourceFile) -> tuple[list[yaml.Node], list[Diagnostic]]:
    """Compose every document of a file; syntax errors become LD001 at the parser's mark."""
    try:
        documents = [doc for doc in yaml.compose_all(source.text, Loader=_LOADER) if doc]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        return [], [
            Diagnostic(
                codes.LD001,
                default_severity(codes.LD001),
                f"YAML syntax error: {problem}{context}",
                Span.point(source.path, line, column),
            )
        ]
    except yaml.YAMLError as error:
        return [], [
            Diagnostic(
                codes.LD001,
                default_severity(codes.LD001),
                f"YAML error: {error}",
                Span.point(source.path, 1, 1),
            )
        ]
    problems: list[Diagnostic] = []
    kept: list[yaml.Node] = []
    for document in documents:
        # without an anchor there is no alias: skip the walk (it costs seconds on big files)
        refused = _alias_problem(source, document) if "&" in source.text else None
        if refused is None:
            kept.append(document)
        else:
            problems.append(refused)
    return kept, problems


def _alias_problem(source: SourceFile, root: yaml.Node) -> Diagnostic | None:
    """Refuse alias graphs that are recursive or expand past MAX_EXPANDED_NODES.

    Composed documents share aliased nodes, so they are small in memory; but every reader
    walks them as trees, and a "billion laughs" graph would take forever. Expanded sizes are
    computed bottom-up once per distinct node, so this check itself is linear.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[key] = total
            if total > MAX_EXPANDED_NODES:
                return _bomb(source, node, "expands to more than 5,000,000 nodes through aliases")
            continue
        if key in sizes:
            continue
        if key in on_path:
            return _bomb(source, node, "refers to itself through an alias (a recursive structure)")
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in sizes:
                if id(child) in on_path:
                    return _bomb(source, child, "refers to itself through an alias")
                stack.append((child, False))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _bomb(source: SourceFile, node: yaml.Node, what: str) -> Diagnostic:
    return Diagnostic(
        codes.LD001,
        default_severity(codes.LD001),
        f"refused: this YAML node {what}",
        node_span(source, node),
        help="use aliases only for small reusable pieces",
    )


def node_span(source: SourceFile, node: yaml.Node) -> Span:
    """The span of a node, from its start mark to the last character before its end mark."""
    start = node.start_mark.index
    end = node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        end = start + 1
    return source.span(start, max(start + 1, _trim_end(source.text, start, end)))


#: Characters after which libyaml's line/column marks and :meth:`SourceFile.position` could
#: disagree: line breaks other than ``\n`` (libyaml also breaks lines at ``\r``, NEL, LS
#: and PS) and a byte order mark (which libyaml skips).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029", "\ufeff")


def marks_agree(text: str) -> bool:
    """Whether the composed marks' line and column equal ``SourceFile.position`` of their
    index everywhere in ``text``; then :func:`mark_span` may be used instead of
    :func:`node_span` (marks count characters, as Python strings do)."""
    return not any(other in text for other in _OTHER_BREAKS)


def mark_span(source: SourceFile, node: yaml.Node) -> Span:
    """:func:`node_span`, byte for byte, read off the composed marks instead of bisecting
    the line table twice per node (a 100,000-plugin file has a million spans).

    Only valid when :func:`marks_agree` holds for the file. Block scalars and ends that need
    trailing blanks trimmed take the general path.
    """
    start_mark = node.start_mark
    line, column = start_mark.line + 1, start_mark.column + 1
    end_line, end_column = _mark_end(source, node, line, column)
    return Span(source.path, line, column, end_line, end_column)


def mark_span_across(source: SourceFile, first: yaml.Node, last: yaml.Node) -> Span:
    """From the start of ``first`` to the end of ``last``, both as :func:`mark_span` has
    them (e.g. a ``key: value`` entry); same precondition."""
    head = first.start_mark
    end_mark = last.end_mark
    end = end_mark.index
    if (
        end > last.start_mark.index + 1
        and source.text[end - 1] not in " \t\r\n"
        and not (isinstance(last, yaml.ScalarNode) and last.style in ("|", ">"))
    ):
        # the common case of _mark_end, inlined: a requirement entry per call adds up
        return Span(source.path, head.line + 1, head.column + 1, end_mark.line + 1, end_mark.column)
    line, column = last.start_mark.line + 1, last.start_mark.column + 1
    end_line, end_column = _mark_end(source, last, line, column)
    return Span(source.path, head.line + 1, head.column + 1, end_line, end_column)


def _mark_end(source: SourceFile, node: yaml.Node, line: int, column: int) -> tuple[int, int]:
    """The (line, column) of the last character of ``node``'s span (see :func:`node_span`);
    ``line``/``column`` are those of its start."""
    start = node.start_mark.index
    end_mark = node.end_mark
    end = end_mark.index
    if end <= start + 1:
        return line, column
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return line, column
    if source.text[end - 1] not in " \t\r\n":
        # the last character sits on the end mark's line, just before it
        return end_mark.line + 1, end_mark.column
    return source.position(max(start, _trim_end(source.text, start, end) - 1))


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start + 1 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def scalar_offsets(source: SourceFile, node: yaml.ScalarNode) -> list[int]:
    """For each character of a scalar's value, its offset in the file.

    Plain single-line scalars map one to one. Quoted scalars have quotes and escapes, and
    block scalars indentation, between their characters; a greedy alignment of the value
    against the raw text recovers the positions, so a caret inside ``guard: "x >= \\"a\\""``
    still lands under the right character.
    """
    value: str = node.value
    start = node.start_mark.index
    end = node.end_mark.index
    raw = source.text[start:end]
    if raw == value:
        return list(range(start, start + len(value)))
    offsets = []
    position = 1 if node.style in ('"', "'") else 0
    if node.style in ("|", ">"):
        position = raw.find("\n") + 1 if "\n" in raw else 0
    last = start + position
    for char in value:
        found = raw.find(char, position) if char not in "\n" else -1
        if found == -1 or found - position > 8:
            offsets.append(last)
            continue
        offsets.append(start + found)
        last = start + found
        position = found + 1
    return offsets
