"""The IBM BIT process library (1,386 industrial workflow nets, labels.txt): archctl's
soundness verdict must be the label's, on every net of the library (about 20 s; the timing of
one ``archctl verify`` process over it is bench/bench_pnml.py). Skips without the corpus."""

from __future__ import annotations

from pathlib import Path

from archctl.check import CheckOptions
from archctl.kinds import check_specs
from archctl.load.loader import load_file


def labels(root: Path) -> dict[str, bool]:
    out = {}
    for line in (root / "labels.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        out[fields[0].rsplit("/", 1)[-1].removesuffix(".lola")] = fields[-1] == "1"
    return out


def sound(path: Path) -> bool:
    loaded = load_file(str(path))
    if loaded.diagnostics:
        return False  # not a workflow net: never sound
    findings = check_specs(loaded.specs, CheckOptions(max_states=200_000))
    assert not any(d.code == "WF901" for d in findings), findings
    return not findings


def test_ibm_library_verdicts_match_the_labels(corpus: Path) -> None:
    root = corpus / "petri" / "ibm_bit"
    expected = labels(root)
    files = {p.name.removesuffix(".lola.pnml"): p for p in sorted(root.glob("pnml/*/*.pnml"))}
    assert len(files) == len(expected) == 1386
    assert sum(expected.values()) == 642
    wrong = [name for name in sorted(files) if sound(files[name]) != expected[name]]
    assert wrong == []
