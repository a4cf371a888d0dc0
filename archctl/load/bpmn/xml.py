"""Read BPMN XML into a small element tree that remembers where every element starts.

BPMN files come from other tools and other people, so the parser is hardened: defusedxml's
expat reader with DOCTYPEs refused outright (BPMN never needs one, and entity-expansion bombs
and external entities (XXE) can only hide in a DTD). Every failure is a located LD001, never
an exception. ElementTree drops positions, so the tree is built from SAX events, reading the
line and column of each start tag from the parser's locator.
"""

from __future__ import annotations

import io
import xml.sax
import xml.sax.handler
import xml.sax.xmlreader
from dataclasses import dataclass, field

from defusedxml import sax as defused_sax
from defusedxml.common import DefusedXmlException, DTDForbidden

from archctl import codes
from archctl.codes import default_severity
from archctl.diagnostics import Diagnostic
from archctl.source import SourceFile, Span

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: diagram interchange (shapes, edges, bounds): most of a file's bytes, none of its meaning
SKIPPED_NAMESPACES = frozenset(
    {
        "http://www.omg.org/spec/BPMN/20100524/DI",
        "http://www.omg.org/spec/DD/20100524/DC",
        "http://www.omg.org/spec/DD/20100524/DI",
    }
)


@dataclass
class XElement:
    """One XML element: namespace URI, local name, attributes by local name, start position."""

    ns: str | None
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[XElement] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def is_bpmn(self) -> bool:
        return self.ns == BPMN_MODEL

    def bpmn_children(self, *tags: str) -> list[XElement]:
        """Children in the BPMN model namespace, optionally only those with the given tags."""
        return [c for c in self.children if c.is_bpmn and (not tags or c.tag in tags)]

    def child(self, tag: str) -> XElement | None:
        found = self.bpmn_children(tag)
        return found[0] if found else None


class _Builder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.locator: xml.sax.xmlreader.Locator | None = None
        self.root: XElement | None = None
        self.stack: list[XElement] = []
        self.skipping = 0  # depth inside a diagram-interchange subtree

    def setDocumentLocator(self, locator: xml.sax.xmlreader.Locator) -> None:
        self.locator = locator

    def position(self) -> tuple[int, int]:
        if self.locator is None:
            return 1, 1
        return max(1, self.locator.getLineNumber() or 1), (self.locator.getColumnNumber() or 0) + 1

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: object
    ) -> None:
        if self.skipping or name[0] in SKIPPED_NAMESPACES:
            self.skipping += 1
            return
        line, column = self.position()
        values: dict[str, str] = {}
        for (attr_ns, local), value in attrs.items():  # type: ignore[attr-defined]
            # Foreign attributes (camunda:..., xsi:type) keep their namespace; BPMN ones are bare.
            values[local if attr_ns is None else f"{{{attr_ns}}}{local}"] = value
        element = XElement(name[0], name[1], values, line, column)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack and not self.skipping:
            self.stack[-1].text_parts.append(content)


def _error(path: str, message: str, line: int, column: int, help_text: str | None) -> Diagnostic:
    return Diagnostic(
        codes.LD001,
        default_severity(codes.LD001),
        message,
        Span.point(path, max(1, line), max(1, column)),
        help=help_text,
    )


def parse_xml(source: SourceFile) -> tuple[XElement | None, list[Diagnostic]]:
    """Parse the whole document; on any failure return None and one located LD001."""
    builder = _Builder()
    parser = defused_sax.make_parser()
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(builder)
    stream = xml.sax.xmlreader.InputSource(source.path)
    stream.setByteStream(io.BytesIO(source.text.encode("utf-8")))
    # The loader already decoded the file as UTF-8; an encoding declaration must not undo that.
    stream.setEncoding("utf-8")
    path = source.path
    try:
        parser.parse(stream)
    except DTDForbidden as error:
        line, column = builder.position()
        kind = "an external DTD" if error.sysid or error.pubid else "a DTD"
        return None, [
            _error(
                path,
                f"refused: the document declares {kind} (<!DOCTYPE {error.name}>); "
                "DTDs can hide entity-expansion bombs and external entities (XXE)",
                line,
                column,
                "BPMN files never need a DOCTYPE; remove it",
            )
        ]
    except DefusedXmlException as error:
        line, column = builder.position()
        return None, [
            _error(path, f"refused unsafe XML: {error}", line, column, "remove entity declarations")
        ]
    except xml.sax.SAXParseException as error:
        return None, [
            _error(
                path,
                f"XML syntax error: {error.getMessage()}",
                error.getLineNumber() or 1,
                (error.getColumnNumber() or 0) + 1,
                "the file is not well-formed XML (truncated or hand-edited?)",
            )
        ]
    except (xml.sax.SAXException, ValueError, RecursionError) as error:
        line, column = builder.position()
        return None, [_error(path, f"XML error: {error}", line, column, None)]
    if builder.root is None:
        return None, [_error(path, "the file holds no XML element", 1, 1, None)]
    return builder.root, []


def element_span(source: SourceFile, element: XElement) -> Span:
    """The element's start tag on its first line: from '<' to the end of that line's text."""
    text = source.line_text(element.line).rstrip()
    end_column = max(element.column, len(text))
    close = text.find(">", element.column - 1)
    if close != -1:
        end_column = close + 1
    return Span(source.path, element.line, element.column, element.line, end_column)
