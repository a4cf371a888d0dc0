"""Read PNML into a small element tree that remembers where every element starts.

PNML comes from other tools, so the reader is hardened the way defusedxml hardens expat:
a DOCTYPE is refused outright (PNML never needs one; entity-expansion bombs and external
entities (XXE) can only hide in a DTD), entity declarations and parameter entities are
refused, the document is bounded in size and nesting depth. Every failure is a located
LD001, never an exception.

Real exports are not always well-formed: the SAP reference models carry ``--`` inside XML
comments, which XML forbids. A comment is never part of the net, so before parsing the
dashes inside such a comment are blanked (same length, so every line and column stays
where it was); anything else that is not well-formed stays an LD001 at its position.

expat is driven directly (``pyexpat``) rather than through SAX: the corpus of 1,386 nets is
read in one process and the SAX layer's per-event indirection is most of the parse time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from archctl import codes
from archctl.diagnostics import Diagnostic
from archctl.load.errors import located, tag_span
from archctl.source import SourceFile, Span

PNML_NAMESPACE = "http://www.pnml.org/version-2009/grammar/pnml"
#: larger documents are refused: the biggest industrial nets are ~150 kB
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 256
#: subtrees that carry layout or tool data, never the net's meaning: not kept
SKIPPED = frozenset({"graphics", "toolspecific"})
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)


@dataclass
class XElement:
    """One element: local name, attributes, start position, children and text."""

    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[XElement] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def child(self, tag: str) -> XElement | None:
        for item in self.children:
            if item.tag == tag:
                return item
        return None

    def label(self, tag: str) -> str | None:
        """The ``<tag><text>...</text></tag>`` annotation (name, initialMarking, inscription)."""
        holder = self.child(tag)
        text = holder.child("text") if holder is not None else None
        return text.text.strip() if text is not None else None


class _Refused(Exception):
    def __init__(self, message: str, help_text: str) -> None:
        super().__init__(message)
        self.help_text = help_text


class _Builder:
    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.root: XElement | None = None
        self.stack: list[XElement] = []
        self.skipping = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.skipping:
            self.skipping += 1
            return
        namespace, _, tag = name.rpartition(" ")
        if tag in SKIPPED or (namespace and namespace != PNML_NAMESPACE and self.stack):
            self.skipping = 1
            return
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(
                f"elements nest deeper than {MAX_DEPTH} levels", "PNML nets nest a few levels"
            )
        parser = self.parser
        element = XElement(
            tag,
            {key.rpartition(" ")[2]: value for key, value in attrs.items()},
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
        )
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, name: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack and not self.skipping:
            self.stack[-1].text_parts.append(content)


def _doctype(name: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
    kind = "an external DTD" if sysid or pubid else "a DTD"
    raise _Refused(
        f"refused: the document declares {kind} (<!DOCTYPE {name}>); DTDs can hide "
        "entity-expansion bombs and external entities (XXE)",
        "PNML files never need a DOCTYPE; remove it",
    )


def _entity(name: str, *_: object) -> None:
    raise _Refused(f"refused: the document declares the entity '{name}'", "remove it")


def blank_bad_comments(text: str) -> str:
    """``text`` with the dashes inside comments that XML forbids blanked (same length)."""

    def fix(match: re.Match[str]) -> str:
        body = match.group(1)
        if "--" not in body and not body.endswith("-"):
            return match.group(0)
        return "<!--" + body.replace("-", " ") + "-->"

    return _COMMENT.sub(fix, text) if "<!--" in text else text


def _error(path: str, message: str, line: int, column: int, help_text: str | None) -> Diagnostic:
    return located(codes.LD001, message, Span.point(path, max(1, line), max(1, column)), help_text)


def parse_xml(source: SourceFile) -> tuple[XElement | None, list[Diagnostic]]:
    """Parse the whole document; on any failure return None and one located LD001."""
    path, text = source.path, source.text
    if len(text) > MAX_BYTES:
        return None, [_error(path, f"the file is larger than {MAX_BYTES} bytes", 1, 1, None)]
    parser = expat.ParserCreate("utf-8", " ")
    builder = _Builder(parser)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.characters
    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    try:
        # the loader decoded the file already: ParserCreate's encoding overrides the declaration
        parser.Parse(blank_bad_comments(text).encode("utf-8"), True)
    except _Refused as refused:
        return None, [
            _error(
                path,
                str(refused),
                parser.CurrentLineNumber,
                parser.CurrentColumnNumber + 1,
                refused.help_text,
            )
        ]
    except expat.ExpatError as error:
        return None, [
            _error(
                path,
                f"XML syntax error: {expat.ErrorString(error.code)}",
                error.lineno,
                error.offset + 1,
                "the file is not well-formed XML (truncated or hand-edited?)",
            )
        ]
    except RecursionError as error:  # pragma: no cover - the depth bound comes first
        return None, [_error(path, f"XML error: {error}", 1, 1, None)]
    if builder.root is None:
        return None, [_error(path, "the file holds no XML element", 1, 1, None)]
    return builder.root, []


def element_span(source: SourceFile, element: XElement) -> Span:
    """The element's start tag (``load.errors.tag_span``)."""
    return tag_span(source, element.line, element.column)
