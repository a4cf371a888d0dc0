"""The pygls wiring: LSP requests and notifications to the pure modules of this package.

Timing follows what users of ruff and rust-analyzer expect: load errors on every change
(after a 50 ms debounce: they cost milliseconds), proofs after a pause of ``PROOF_DELAY``
seconds or at once on save, run one at a time on a worker thread and dropped when the text
changed meanwhile. Every handler answers on any text: a failure inside one is logged and
answered with an empty result, and the server keeps running.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer

from archctl.lsp import actions, completion, symbols
from archctl.lsp.analysis import Analysis, analyse
from archctl.lsp.convert import to_lsp, to_range
from archctl.model.spec import Spec
from archctl.source import Span

LOAD_DELAY = 0.05
PROOF_DELAY = 0.6
LANGUAGES = (".yaml", ".yml", ".arch", ".bpmn", ".scxml")
F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("archctl.lsp")


class ArchctlServer(LanguageServer):
    def __init__(self) -> None:
        from archctl import __version__

        super().__init__("archctl", __version__)
        self.latest: dict[str, Analysis] = {}
        #: the last specs that loaded, per document: completion works while a line is broken
        self.good_specs: dict[str, list[Spec]] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.prover = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archctl-proofs")

    def path_of(self, uri: str) -> str:
        return uris.to_fs_path(uri) or uri

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def version_of(self, uri: str) -> int:
        return self.workspace.get_text_document(uri).version or 0

    def publish(self, uri: str, analysis: Analysis) -> None:
        declared = {
            symbol.name: symbol.span
            for spec in analysis.specs
            for symbol in symbols.symbols_of(spec)
            if symbol.kind != "spec"
        }
        path = self.path_of(uri)
        shown = [d for d in analysis.diagnostics if d.span is None or d.span.file == path]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=analysis.version,
                diagnostics=[to_lsp(d, uri, declared) for d in shown],
            )
        )

    def remember(self, uri: str, analysis: Analysis) -> None:
        self.latest[uri] = analysis
        if analysis.specs:
            self.good_specs[uri] = list(analysis.specs)

    async def refresh(self, uri: str, delay: float, deep: bool) -> None:
        """Analyse after ``delay`` unless a newer edit cancels this task first."""
        await asyncio.sleep(delay)
        try:
            await self._refresh(uri, deep)
        except Exception as error:  # a bug: say so in the editor's log, keep serving
            log.exception("archctl lsp: analysing %s failed", uri)
            self.window_log_message(
                types.LogMessageParams(
                    types.MessageType.Error, f"archctl: analysing {uri} failed: {error!r}"
                )
            )

    async def _refresh(self, uri: str, deep: bool) -> None:
        version, text, path = self.version_of(uri), self.text_of(uri), self.path_of(uri)
        if deep:
            loop = asyncio.get_running_loop()
            job = functools.partial(analyse, path, text, version, deep=True)
            result = await loop.run_in_executor(self.prover, job)
        else:
            result = analyse(path, text, version, deep=False)
        if self.version_of(uri) != version:
            return  # the text changed meanwhile: a newer task will publish
        self.remember(uri, result)
        self.publish(uri, result)

    def schedule(self, uri: str, delay: float, deep: bool) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self.refresh(uri, delay, deep))
        self.pending[uri] = task
        if not deep:
            task.add_done_callback(lambda _t: self._then_prove(uri, _t))

    def _then_prove(self, uri: str, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self.pending.get(uri) is not task:
            return
        self.schedule(uri, PROOF_DELAY, deep=True)


server = ArchctlServer()


def guarded(default: Callable[[], object]) -> Callable[[F], F]:
    """Answer with ``default()`` instead of failing: half-typed text must never hurt."""

    def wrap(handler: F) -> F:
        @functools.wraps(handler)
        def run(*args: Any) -> Any:
            try:
                return handler(*args)
            except Exception:  # a bug must not take the editor's server down
                log.exception("archctl lsp: %s failed", handler.__name__)
                return default()

        return cast(F, run)

    return wrap


def _ours(uri: str) -> bool:
    return uri.lower().endswith(LANGUAGES)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: ArchctlServer, params: types.DidOpenTextDocumentParams) -> None:
    if _ours(params.text_document.uri):
        ls.schedule(params.text_document.uri, 0.0, deep=False)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: ArchctlServer, params: types.DidChangeTextDocumentParams) -> None:
    if _ours(params.text_document.uri):
        ls.schedule(params.text_document.uri, LOAD_DELAY, deep=False)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: ArchctlServer, params: types.DidSaveTextDocumentParams) -> None:
    if _ours(params.text_document.uri):
        ls.schedule(params.text_document.uri, 0.0, deep=True)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: ArchctlServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.latest.pop(uri, None)
    ls.good_specs.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _specs(ls: ArchctlServer, uri: str) -> list[Spec]:
    return ls.good_specs.get(uri, [])


def _project_texts(ls: ArchctlServer, uri: str) -> dict[str, str]:
    """Open buffers win over files on disk; the folder of the document is the project."""
    path = ls.path_of(uri)
    folder = os.path.dirname(os.path.abspath(path)) or "."
    texts: dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(LANGUAGES):
            full = os.path.join(folder, name)
            try:
                with open(full, encoding="utf-8") as handle:
                    texts[full] = handle.read()
            except (OSError, UnicodeDecodeError):
                continue
    for open_uri, document in ls.workspace.text_documents.items():
        texts[ls.path_of(open_uri)] = document.source
    return texts


def _location(ls: ArchctlServer, span: Span) -> types.Location:
    return types.Location(
        uris.from_fs_path(os.path.abspath(span.file)) or span.file, to_range(span)
    )


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded(lambda: None)
def hover(ls: ArchctlServer, params: types.HoverParams) -> types.Hover | None:
    uri, position = params.text_document.uri, params.position
    text = ls.text_of(uri)
    lines = text.splitlines()
    line_text = lines[position.line] if position.line < len(lines) else ""
    code = symbols.suppressed_code_at(line_text, position.character)
    analysis = ls.latest.get(uri)
    if code is None and analysis is not None:
        for diagnostic in analysis.diagnostics:
            r = to_range(diagnostic.span)
            if r.start.line <= position.line <= r.end.line and (
                r.start.line != position.line or r.start.character <= position.character
            ):
                code = diagnostic.code
                break
    if code is not None:
        markdown = symbols.explain_markdown(code)
        if markdown is not None:
            return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, markdown))
    found = symbols.word_at(text, position.line, position.character)
    if found is None:
        return None
    symbol = symbols.declaration(found[0], _specs(ls, uri))
    if symbol is None:
        return None
    return types.Hover(
        types.MarkupContent(types.MarkupKind.Markdown, symbols.hover_markdown(symbol))
    )


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@guarded(lambda: None)
def definition(ls: ArchctlServer, params: types.DefinitionParams) -> types.Location | None:
    uri, position = params.text_document.uri, params.position
    found = symbols.word_at(ls.text_of(uri), position.line, position.character)
    if found is None:
        return None
    specs = list(_specs(ls, uri))
    symbol = symbols.declaration(found[0], specs)
    if symbol is None:
        from archctl.lsp.analysis import sibling_specs

        symbol = symbols.declaration(found[0], sibling_specs(ls.path_of(uri)))
    return _location(ls, symbol.span) if symbol is not None else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
@guarded(list)
def references(ls: ArchctlServer, params: types.ReferenceParams) -> list[types.Location]:
    uri, position = params.text_document.uri, params.position
    found = symbols.word_at(ls.text_of(uri), position.line, position.character)
    if found is None:
        return []
    return [_location(ls, span) for span in symbols.references(found[0], _project_texts(ls, uri))]


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[" ", '"', "{", ",", ">"]),
)
@guarded(lambda: types.CompletionList(is_incomplete=False, items=[]))
def complete(ls: ArchctlServer, params: types.CompletionParams) -> types.CompletionList:
    uri, position = params.text_document.uri, params.position
    kinds = {
        "key": types.CompletionItemKind.Property,
        "name": types.CompletionItemKind.Reference,
        "variable": types.CompletionItemKind.Variable,
        "value": types.CompletionItemKind.EnumMember,
    }
    offers = completion.complete(
        ls.text_of(uri), position.line, position.character, _specs(ls, uri)
    )
    items = [
        types.CompletionItem(
            label=offer.label,
            kind=kinds[offer.kind],
            detail=offer.detail or None,
            insert_text=offer.insert,
        )
        for offer in offers
    ]
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
@guarded(list)
def code_action(ls: ArchctlServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    lines = ls.text_of(uri).splitlines()
    out: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != "archctl":
            continue
        start, end = diagnostic.range.start, diagnostic.range.end
        line_text = lines[start.line] if start.line < len(lines) else ""
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        stop = end.character if end.line == start.line else len(line_text)
        edits = actions.fixes(data.get("help"), line_text, start.line, start.character, stop)
        if diagnostic.code is not None:
            edits.append(actions.suppression(str(diagnostic.code), line_text, start.line))
        for edit in edits:
            change = types.TextEdit(
                types.Range(
                    types.Position(edit.line, edit.start), types.Position(edit.line, edit.end)
                ),
                edit.text,
            )
            out.append(
                types.CodeAction(
                    title=edit.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [change]}),
                )
            )
    return out


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@guarded(list)
def document_symbols(
    ls: ArchctlServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol]:
    kinds = {
        "state": types.SymbolKind.EnumMember,
        "node": types.SymbolKind.Function,
        "variable": types.SymbolKind.Variable,
        "attribute": types.SymbolKind.Field,
        "plugin": types.SymbolKind.Package,
        "rule": types.SymbolKind.Event,
        "band": types.SymbolKind.Enum,
        "property": types.SymbolKind.Boolean,
        "component": types.SymbolKind.Class,
        "channel": types.SymbolKind.Interface,
    }
    out: list[types.DocumentSymbol] = []
    for spec in _specs(ls, params.text_document.uri):
        children = [
            types.DocumentSymbol(
                name=s.name,
                kind=kinds.get(s.kind, types.SymbolKind.Object),
                range=to_range(s.span),
                selection_range=to_range(s.span),
                detail=s.detail or None,
            )
            for s in symbols.symbols_of(spec)
            if s.kind != "spec"
        ]
        out.append(
            types.DocumentSymbol(
                name=spec.name,
                kind=types.SymbolKind.Module,
                range=to_range(spec.span),
                selection_range=to_range(spec.span),
                detail=spec.kind,
                children=children,
            )
        )
    return out


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
@guarded(list)
def formatting(ls: ArchctlServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    uri = params.text_document.uri
    if not uri.endswith(".arch"):
        return []
    from archctl.conversion import format_text

    text = ls.text_of(uri)
    formatted = format_text(ls.path_of(uri), text)
    if formatted is None or formatted == text:
        return []
    end = types.Position(len(text.splitlines()) + 1, 0)
    return [types.TextEdit(types.Range(types.Position(0, 0), end), formatted)]


def run() -> int:
    """Serve over standard input and output until the client says exit."""
    server.start_io()
    return 0
