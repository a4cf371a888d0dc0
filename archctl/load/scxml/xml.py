"""Read SCXML into a small element tree that remembers where each element and attribute is.

Charts come from other tools (Qt SCXML, SCION, uSCXML exports, hand edits), so the parser is
hardened: defusedxml's ElementTree parser with DOCTYPEs, entity declarations and external
references refused, because entity-expansion bombs and XXE can only hide there and SCXML never
needs them. Any failure is one located LD001, never an exception. The pure-Python
``XMLParser`` that defusedxml wraps calls its target from inside expat's start-tag handler, so
expat's current line and column at that moment are the start tag's position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defusedxml.common import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from archctl import codes
from archctl.diagnostics import Diagnostic
from archctl.load.errors import located
from archctl.source import SourceFile, Span

SCXML_NS = "http://www.w3.org/2005/07/scxml"
#: elements nested deeper are refused: real charts nest a handful of levels, and the reader
#: and the SCXML algorithm walk the tree recursively
MAX_DEPTH = 200


class _TooDeep(Exception):
    pass


@dataclass
class Element:
    """One element: namespace, local tag, attributes (foreign ones as ``{ns}name``), position."""

    ns: str | None
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[Element] = field(default_factory=list)

    @property
    def is_scxml(self) -> bool:
        return self.ns == SCXML_NS or self.ns is None

    def scxml_children(self, *tags: str) -> list[Element]:
        """Children in the SCXML namespace, optionally only those with the given tags."""
        return [c for c in self.children if c.is_scxml and (not tags or c.tag in tags)]


def _split(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, name


class _Target:
    """The ElementTree parser target: builds :class:`Element` nodes with positions."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.stack: list[Element] = []
        self.root: Element | None = None

    def position(self) -> tuple[int, int]:
        expat = getattr(self.parser, "parser", None)
        if expat is None:
            return 1, 1
        return max(1, expat.CurrentLineNumber), expat.CurrentColumnNumber + 1

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _TooDeep
        ns, local = _split(tag)
        values = {}
        for key, value in attrs.items():
            attr_ns, attr_local = _split(key)
            values[attr_local if attr_ns is None else key] = value
        line, column = self.position()
        element = Element(ns, local, values, line, column)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, tag: str) -> None:
        self.stack.pop()

    def data(self, text: str) -> None:
        """Text content carries no meaning archctl models (``<log>``, ``<script>`` bodies)."""

    def close(self) -> None:
        return None


def _error(path: str, message: str, line: int, column: int, help_text: str | None) -> Diagnostic:
    return located(codes.LD001, message, Span.point(path, max(1, line), max(1, column)), help_text)


def parse_xml(source: SourceFile) -> tuple[Element | None, list[Diagnostic]]:
    """The document's root element, or None and one located LD001."""
    target = _Target()
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    target.parser = parser
    path = source.path
    try:
        parser.feed(source.text)
        parser.close()
    except DTDForbidden as error:
        line, column = target.position()
        return None, [
            _error(
                path,
                f"refused: the document declares a DTD (<!DOCTYPE {error.name}>); DTDs can hide "
                "entity-expansion bombs and external entities (XXE)",
                line,
                column,
                "SCXML files never need a DOCTYPE; remove it",
            )
        ]
    except DefusedXmlException as error:
        line, column = target.position()
        return None, [
            _error(path, f"refused unsafe XML: {error}", line, column, "remove entity declarations")
        ]
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":", 1)[0]
        return None, [
            _error(
                path,
                f"XML syntax error: {reason}",
                line,
                column + 1,
                "the file is not well-formed XML (a fragment, truncated or hand-edited?)",
            )
        ]
    except _TooDeep:
        line, column = target.position()
        message = f"elements nest deeper than {MAX_DEPTH} levels; refused"
        return None, [_error(path, message, line, column, "flatten the chart's hierarchy")]
    except (ValueError, RecursionError) as error:
        line, column = target.position()
        return None, [_error(path, f"XML error: {error}", line, column, None)]
    if target.root is None:
        return None, [_error(path, "the file holds no XML element", 1, 1, None)]
    return target.root, []


def element_span(source: SourceFile, element: Element) -> Span:
    """The element's start tag on its first line, from '<' to its '>' (or the line's end)."""
    text = source.line_text(element.line).rstrip()
    close = text.find(">", element.column - 1)
    end = close + 1 if close != -1 else max(element.column, len(text))
    return Span(source.path, element.line, element.column, element.line, end)


def attribute_start(source: SourceFile, element: Element, name: str) -> tuple[int, int] | None:
    """Line and column of the first character of attribute ``name``'s value, when it can be
    found in the start tag (so errors inside a ``cond`` point at their column)."""
    for line in range(element.line, element.line + 20):
        text = source.line_text(line)
        start = element.column - 1 if line == element.line else 0
        position = _find_attribute(text, name, start)
        if position is not None:
            return line, position + 1
        if ">" in text[start:] and line != element.line:
            break
    return None


def _find_attribute(text: str, name: str, start: int) -> int | None:
    index = start
    while True:
        index = text.find(name, index)
        if index == -1:
            return None
        before = text[index - 1] if index > 0 else " "
        rest = text[index + len(name) :].lstrip()
        if before.isspace() and rest.startswith("="):
            after = rest[1:].lstrip()
            if after[:1] in ('"', "'"):
                return len(text) - len(after) + 1
        index += len(name)
