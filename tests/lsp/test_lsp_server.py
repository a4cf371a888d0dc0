"""The language server end to end: a real LSP client (pytest-lsp) drives `archctl lsp` over stdio.

No mocks: the server is the installed command in a subprocess, the client speaks JSON-RPC
over its standard input and output, and each test waits for the notifications an editor
would get.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import CASES, EXAMPLES

BROKEN = CASES / "workflow" / "xor-split-into-and-join.yaml"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "archctl", "lsp"]),
)
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("project")
    params = types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root.as_uri())
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def diagnostics_for(
    client: LanguageClient, uri: str, want: set[str], timeout: float = 30.0
) -> list[types.Diagnostic]:
    """Wait until the published diagnostics of ``uri`` carry exactly the codes ``want``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = client.diagnostics.get(uri, [])
        if {str(d.code) for d in found} == want:
            return found
        remaining = deadline - loop.time()
        if remaining <= 0:
            codes = sorted(str(d.code) for d in found)
            raise AssertionError(f"wanted {sorted(want)}, last published {codes}")
        try:
            await asyncio.wait_for(
                client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), remaining
            )
        except asyncio.TimeoutError:
            continue


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="yaml", version=version, text=text)
        )
    )
    return uri


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


@pytest.mark.asyncio
async def test_diagnostics_follow_edits_hover_definition_completion_and_fixes(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "flow.yaml"
    good = BROKEN.read_text()
    typo = good.replace("  email: {type: task}", "  email: {type: task, colour: red}")
    path.write_text(typo)
    uri = open_doc(client, path, typo)

    # a load error at once, with its exact range and a did-you-mean free help
    (unknown,) = await diagnostics_for(client, uri, {"LD002"})
    line = typo.splitlines().index("  email: {type: task, colour: red}")
    assert unknown.range.start == types.Position(line, 22)
    assert unknown.severity == types.DiagnosticSeverity.Error

    # suppress-this-line is always offered; applying the edit is a plain text edit
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=unknown.range,
            context=types.CodeActionContext(diagnostics=[unknown]),
        )
    )
    assert actions and any("suppress LD002" in a.title for a in actions)

    # fix it: the load error goes, the proof finds the deadlock at the parallel join
    change_doc(client, uri, good, 2)
    (deadlock,) = await diagnostics_for(client, uri, {"WF103"})
    join_line = good.splitlines().index("  join: {type: gateway, gateway: parallel}")
    assert deadlock.range.start == types.Position(join_line, 2)
    assert deadlock.range.end == types.Position(join_line, 6)
    assert deadlock.related_information, "the trace steps point into the file"

    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(join_line, 3))
    )
    assert hover is not None and "WF103" in hover.contents.value  # type: ignore[union-attr]

    lines = good.splitlines()
    use_line = lines.index("  - email -> join")
    target = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(use_line, 5))
    )
    email_line = lines.index("  email: {type: task}")
    assert isinstance(target, types.Location)
    assert target.range.start.line == email_line

    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(email_line, 3),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and len(refs) == 3  # declaration + two flows

    lines.append("  - done -> ")
    change_doc(client, uri, "\n".join(lines) + "\n", 3)
    items = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri), types.Position(len(lines) - 1, len(lines[-1]))
        )
    )
    labels = {item.label for item in items.items}  # type: ignore[union-attr]
    assert {"choose", "email", "letter", "join", "done"} <= labels

    # a key position offers the schema's keys
    key_items = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(0, 0))
    )
    assert {"nodes", "flows", "variables"} <= {i.label for i in key_items.items}  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_did_you_mean_fix_and_outline(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "machine.yaml"
    text = (
        "kind: statemachine\nname: m\nvariables:\n  mode: {type: enum, values: [slow, fast]}\n"
        "states: [idle, busy]\ninitial: idle\nfinal: [idle]\n"
        "transitions:\n  - {from: idle, to: bussy, on: go}\n  - {from: busy, to: idle, on: done}\n"
    )
    path.write_text(text)
    uri = open_doc(client, path, text)
    (wrong,) = await diagnostics_for(client, uri, {"LD005"})
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=wrong.range,
            context=types.CodeActionContext(diagnostics=[wrong]),
        )
    )
    fix = next(a for a in actions or [] if a.title == "replace with busy")  # type: ignore[union-attr]
    (edit,) = fix.edit.changes[uri]  # type: ignore[union-attr]
    assert edit.new_text == "busy" and edit.range == wrong.range

    fixed = text.replace("bussy", "busy")
    change_doc(client, uri, fixed, 2)
    await diagnostics_for(client, uri, set())
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
    )
    assert outline is not None
    (spec,) = outline
    assert spec.name == "m"  # type: ignore[union-attr]
    names = {child.name for child in spec.children or []}  # type: ignore[union-attr]
    assert {"idle", "busy", "mode"} <= names


@pytest.mark.asyncio
async def test_half_typed_text_never_breaks_the_server(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "wip.yaml"
    uri = open_doc(client, path, "kind: workflow\nname: w\nnodes:\n  a: {type: ")
    fragments = ["", "{{{", "kind: statemachine\ntransitions: [- ->", "\x00\x01", "a: 'b"]
    for version, text in enumerate(fragments, start=2):
        change_doc(client, uri, text, version)
        for line, character in ((0, 0), (0, 3), (5, 1)):
            position = types.Position(line, character)
            ident = types.TextDocumentIdentifier(uri)
            await client.text_document_hover_async(types.HoverParams(ident, position))
            await client.text_document_completion_async(types.CompletionParams(ident, position))
            await client.text_document_definition_async(types.DefinitionParams(ident, position))
            await client.text_document_document_symbol_async(types.DocumentSymbolParams(ident))
    # still alive and still right
    example = tmp_path / "order.yaml"
    shutil.copy(EXAMPLES / "order-workflow.yaml", example)
    clean_uri = open_doc(client, example, example.read_text())
    assert await diagnostics_for(client, clean_uri, set()) == []
