"""archctl verify on the IBM BIT library (1,386 PNML workflow nets) vs the labels' reference tool,
and vs pm4py's WOFLAN on the nets WOFLAN accepts.

* archctl: ONE `archctl verify --format json <library>` process over every net, timed whole
  (start-up, reading, checking, the JSON report); CPU seconds of the child (user + sys), since
  the machine is shared. Each net's verdict (sound = loaded as a workflow net with no finding)
  is compared with the label (`isGeneralisedSound`, labels.txt).
* reference: the labels' own `time_ms` column summed (the Hadara reduction tool, 2016, per net,
  excluding its start-up).
* WOFLAN (pm4py.algo.analysis.woflan): it needs one sink place with a final marking, so it runs
  on the nets with a single sink (178 of 1,380), in one fresh process; per-net time excludes
  the pm4py import, which is reported on its own. Verdicts are compared with the labels.

Run: python bench/bench_pnml.py [--library DIR] [--woflan 178] [--limit 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared",
)
DEFAULT = Path(os.environ.get("ARCHCTL_CORPUS", _SHARED / "corpus")) / "petri" / "ibm_bit"

WOFLAN = r"""
import json, signal, sys, time
started = time.process_time()
import pm4py
from pm4py.algo.analysis.woflan import algorithm as woflan
from pm4py.objects.petri_net.obj import Marking
imported = time.process_time() - started
out = {"import_s": imported, "nets": {}}
params = {
    woflan.Parameters.RETURN_ASAP_WHEN_NOT_SOUND: True,
    woflan.Parameters.PRINT_DIAGNOSTICS: False,
    woflan.Parameters.RETURN_DIAGNOSTICS: False,
}
limit = float(sys.argv[3])


class OutOfTime(Exception):
    pass


def stop(*_):
    raise OutOfTime


signal.signal(signal.SIGVTALRM, stop)
for path, sink in json.load(open(sys.argv[1])):
    begin = time.process_time()
    net, im, _ = pm4py.read_pnml(path)
    final = Marking({next(p for p in net.places if p.name == sink): 1})
    signal.setitimer(signal.ITIMER_VIRTUAL, limit)
    try:
        sound = bool(woflan.apply(net, im, final, parameters=params))
    except OutOfTime:
        sound = None
    signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    out["nets"][path] = [sound, time.process_time() - begin]
json.dump(out, open(sys.argv[2], "w"))
"""


def labels(library: Path) -> tuple[dict[str, bool], float]:
    verdicts, total_ms = {}, 0.0
    for line in (library / "labels.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        verdicts[fields[0].rsplit("/", 1)[-1].removesuffix(".lola")] = fields[-1] == "1"
        total_ms += float(fields[4])
    return verdicts, total_ms / 1000


def child_cpu(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done


def name_of(path: str) -> str:
    return Path(path).name.removesuffix(".lola.pnml")


def archctl_run(library: Path) -> tuple[float, float, dict[str, bool], dict[str, str]]:
    command = [sys.executable, "-m", "archctl", "verify", "-q", "--format", "json"]
    cpu, wall, done = child_cpu([*command, str(library / "pnml")])
    report = json.loads(done.stdout)
    codes: dict[str, set[str]] = {}
    for diagnostic in report["diagnostics"]:
        codes.setdefault(name_of(diagnostic["file"]), set()).add(diagnostic["code"])
    files = sorted((library / "pnml").glob("*/*.pnml"))
    verdicts = {name_of(str(p)): not codes.get(name_of(str(p))) for p in files}
    return cpu, wall, verdicts, {n: ",".join(sorted(c)) for n, c in codes.items()}


def single_sink_nets(library: Path, limit: int) -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    from archctl.load.loader import load_file
    from archctl.model.petrinet import PetriNet

    out = []
    for path in sorted((library / "pnml").glob("*/*.pnml")):
        loaded = load_file(str(path))
        spec = loaded.specs[0] if loaded.specs and not loaded.diagnostics else None
        if isinstance(spec, PetriNet) and len(spec.sinks) == 1:
            out.append((str(path), spec.sinks[0]))
    return out[:limit]


def unwrapped(path: str, folder: Path) -> str:
    """A copy of the net without the PNAPI ``<module>`` wrapper and its ``<ports>`` and (empty)
    ``<finalmarkings>``: pm4py reads the last child of ``<pnml>`` as the net and sees an empty
    net otherwise."""
    text = Path(path).read_text(encoding="utf-8")
    text = re.sub(
        r"<ports>.*?</ports>|<finalmarkings>.*?</finalmarkings>", "", text, flags=re.DOTALL
    )
    text = text.replace("<module>", "").replace("</module>", "")
    target = folder / Path(path).name
    target.write_text(text, encoding="utf-8")
    return str(target)


def woflan_run(
    nets: list[tuple[str, str]], limit: float
) -> tuple[float, float, dict[str, tuple[bool | None, float]]]:
    with tempfile.TemporaryDirectory() as tmp:
        listing, result, script = (Path(tmp) / n for n in ("nets.json", "out.json", "w.py"))
        copies = [(unwrapped(path, Path(tmp)), sink) for path, sink in nets]
        listing.write_text(json.dumps(copies), encoding="utf-8")
        script.write_text(WOFLAN, encoding="utf-8")
        command = [sys.executable, str(script), str(listing), str(result), str(limit)]
        cpu, _, done = child_cpu(command)
        if done.returncode:
            raise SystemExit(done.stderr)
        data = json.loads(result.read_text(encoding="utf-8"))
    per_net = {
        name_of(path): (None if v[0] is None else bool(v[0]), float(v[1]))
        for path, v in data["nets"].items()
    }
    return cpu, float(data["import_s"]), per_net


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", type=Path, default=DEFAULT)
    parser.add_argument("--woflan", type=int, default=178, help="single-sink nets for WOFLAN")
    parser.add_argument("--limit", type=float, default=10.0, help="WOFLAN CPU s per net")
    args = parser.parse_args()
    expected, reference_s = labels(args.library)
    cpu, wall, verdicts, codes = archctl_run(args.library)
    agree = sum(verdicts[n] == expected[n] for n in expected)
    sound = sum(verdicts.values())
    inconclusive = sum("WF901" in c for c in codes.values())
    print("| tool | nets | same verdict as labels | sound | CPU s (whole process) | wall s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    n = len(expected)
    print(f"| archctl verify (one process) | {n} | {agree} | {sound} | {cpu:.2f} | {wall:.2f} |")
    labelled = sum(expected.values())
    print(
        f"| reference tool (labels' time_ms, sum) | {n} | - | {labelled} | {reference_s:.2f} | - |"
    )
    print(f"\ninconclusive (WF901): {inconclusive}")
    if args.woflan:
        nets = single_sink_nets(args.library, args.woflan)
        woflan_cpu, imported, results = woflan_run(nets, args.limit)
        names = sorted(results)
        w_agree = sum(results[n][0] == expected[n] for n in names)
        a_agree = sum(verdicts[n] == expected[n] for n in names)
        w_time = sum(results[n][1] for n in names)
        subset = [path for path, _ in nets]
        a_cpu, _, _ = child_cpu([sys.executable, "-m", "archctl", "verify", "-q", *subset])
        print(
            "\n| single-sink nets | nets | WOFLAN same as labels | archctl same as labels |"
            " WOFLAN CPU s (nets only) | WOFLAN process CPU s | pm4py import CPU s |"
            " archctl process CPU s |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(
            f"| IBM, one sink | {len(names)} | {w_agree} | {a_agree} | {w_time:.2f} |"
            f" {woflan_cpu:.2f} | {imported:.2f} | {a_cpu:.2f} |"
        )
        timeouts = [n for n in names if results[n][0] is None]
        print(f"WOFLAN out of time ({args.limit:g} CPU s): {len(timeouts)}: {', '.join(timeouts)}")
        differ = [n for n in names if results[n][0] not in (None, expected[n])]
        if differ:
            print("WOFLAN differs from the labels on:", ", ".join(differ))


if __name__ == "__main__":
    main()
