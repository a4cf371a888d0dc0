"""archctl lsp: how fast findings reach the editor, and whether memory stays flat.

A real client (pygls) starts `archctl lsp` over stdio, opens each example, then measures:

* load diagnostics: from a `didChange` that breaks the file (an unknown key) to the
  `publishDiagnostics` that reports it (target: under 100 ms, the 50 ms debounce included);
* proof diagnostics: from `didSave` of the restored file to the published proof result
  (target: under 1 s);
* the peer a user has without the server: `archctl verify FILE` run on save, whole process;
* memory: the server's resident set after 100, 500 and 1,000 edits (target: flat).

Run: python bench/bench_lsp.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Probe:
    def __init__(self, client: LanguageClient) -> None:
        self.events: dict[str, asyncio.Event] = {}
        self.latest: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            self.latest[params.uri] = (params.version, params.diagnostics)
            self.events.setdefault(params.uri, asyncio.Event()).set()

    async def until(self, uri: str, predicate, timeout: float = 30.0) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        while True:
            version, found = self.latest.get(uri, (None, []))
            if predicate(version, found):
                return time.perf_counter() - started
            event = self.events.setdefault(uri, asyncio.Event())
            event.clear()
            await asyncio.wait_for(event.wait(), timeout)


async def main() -> None:
    client = LanguageClient("bench", "1")
    probe = Probe(client)
    await client.start_io(sys.executable, "-m", "archctl", "lsp")
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=ROOT.as_uri())
    )
    client.initialized(types.InitializedParams())
    pid = client._server.pid  # type: ignore[attr-defined]
    load_times: list[float] = []
    proof_times: list[float] = []
    cli_times: list[float] = []
    version = 0
    for path in EXAMPLES:
        uri, text = path.as_uri(), path.read_text()
        version += 1
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="yaml", version=version, text=text)
            )
        )
        await probe.until(uri, lambda v, d, want=version: v == want)
        broken = text.replace("\nname:", "\ncolour: red\nname:", 1)
        version += 1
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(broken)],
            )
        )
        await probe.until(uri, lambda v, d: any(x.code == "LD002" for x in d))
        load_times.append(time.perf_counter() - started)
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        await probe.until(uri, lambda v, d, want=version: v == want and not d)
        started = time.perf_counter()
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
        )
        # the proof result is the publication after the save (examples verify clean)
        probe.latest.pop(uri, None)
        await probe.until(uri, lambda v, d: v is not None)
        proof_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "archctl", "verify", str(path)], capture_output=True, check=False
        )
        cli_times.append(time.perf_counter() - started)
    print("| measure (wall, examples) | median | worst |")
    print("| --- | ---: | ---: |")
    for label, values in (
        ("load diagnostics after a change (server)", load_times),
        ("proof diagnostics after a save (server)", proof_times),
        ("`archctl verify FILE` on save (no server)", cli_times),
    ):
        print(
            f"| {label} | {statistics.median(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |"
        )
    path = ROOT / "examples" / "order-workflow.yaml"
    uri, text = path.as_uri(), path.read_text()
    samples = []
    for edit in range(1, 1001):
        version += 1
        changed = text + f"\n# edit {edit}\n"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(changed)],
            )
        )
        if edit % 10 == 0:
            await probe.until(uri, lambda v, d, want=version: v == want)
        if edit in (100, 500, 1000):
            await asyncio.sleep(1.0)  # let the pending proof finish
            samples.append((edit, rss_mb(pid)))
    print("| edits | server RSS (MB) |")
    print("| ---: | ---: |")
    for edit, mb in samples:
        print(f"| {edit} | {mb:.1f} |")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


if __name__ == "__main__":
    asyncio.run(main())
