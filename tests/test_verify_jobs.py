"""verify --jobs N and --cluster: the same bytes as a sequential run, in every format.

Real worker processes and a real Dask LocalCluster (no mocks). The inputs exercise what must
stay global: LD006 across files, a subprocess in another file, a baseline, an inline
suppression, a config with select/ignore/severity/per-file-ignores, and the proved list.
JUnit's ``time`` attributes are measured, so they differ between any two runs (sequential
ones too) and are blanked before comparing; every other byte must match.
"""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from archctl.commands.verify import VerifyRequest, run
from tests.conftest import EXAMPLES, ROOT, run_archctl

sys.path.insert(0, str(ROOT / "bench"))

from gen_monorepo import generate

FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "gitlab")
_TIME = re.compile(rb'time="[0-9.]+"')


def _verify(out: Path, paths: tuple[str, ...], fmt: str, **options: object) -> tuple[int, bytes]:
    """Exit code and everything written: the report file, then the terminal."""
    terminal = io.StringIO()
    console = Console(file=terminal, width=120, no_color=True, highlight=False, emoji=False)
    request = VerifyRequest(paths=paths, output_format=fmt, output=str(out), **options)  # type: ignore[arg-type]
    code = run(request, console)
    report = _TIME.sub(b'time=""', out.read_bytes()) if out.exists() else b""
    return code, report + b"\n--terminal--\n" + terminal.getvalue().encode()


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """40 generated specs with a config, a baseline and a suppression (see gen_monorepo)."""
    folder = tmp_path_factory.mktemp("mono")
    paths = generate(str(folder / "specs"), 40, seed=3)
    first = Path(paths[0])
    lines = first.read_text().splitlines()
    lines[lines.index("  - orphan")] += "  # archctl: ignore[SM101]"
    first.write_text("\n".join(lines) + "\n")
    (folder / "archctl.toml").write_text(
        'paths = ["specs"]\nseverity = {"PO103" = "info"}\nignore = ["WF106"]\n'
        '[per-file-ignores]\n"specs/orders/*" = ["PO101"]\n'
    )
    baseline = folder / "baseline.json"
    request = VerifyRequest(
        paths=(str(folder / "specs"),),
        config=str(folder / "archctl.toml"),
        write_baseline=str(baseline),
        select=("SM", "WF"),
        quiet=True,
    )
    run(request, Console(file=io.StringIO()))
    return str(folder / "archctl.toml"), baseline


def _same(
    tmp_path: Path,
    paths: tuple[str, ...],
    parallel: dict[str, object],
    formats: tuple[str, ...] = FORMATS,
    **options: object,
) -> bytes:
    """Assert every format reads the same both ways; the JSON report (for more checks)."""
    reports = {}
    for fmt in formats:
        sequential = _verify(tmp_path / f"seq.{fmt}", paths, fmt, **options)
        spread = _verify(tmp_path / f"par.{fmt}", paths, fmt, **parallel, **options)
        assert spread == sequential, fmt
        reports[fmt] = sequential[1]
    return reports.get("json", b"")


def test_jobs_on_the_examples_is_byte_identical(tmp_path: Path) -> None:
    _same(tmp_path, (str(EXAMPLES),), {"jobs": 2})


def test_jobs_on_a_monorepo_is_byte_identical(tmp_path: Path, monorepo: tuple[str, Path]) -> None:
    config, baseline = monorepo
    specs = str(Path(config).parent / "specs")
    report = _same(tmp_path, (specs,), {"jobs": 2}, config=config)
    assert b'"LD006"' in report and b'"WF111"' not in report  # the subprocess was found
    assert b'"SM101"' in report and b'"proved": [\n    {' in report
    few = ("text", "json")
    _same(tmp_path, (specs,), {"jobs": 3}, few, config=config, baseline=str(baseline))
    _same(tmp_path, (specs,), {"jobs": 2}, few, config=config, select=("PO",), ignore=("PO104",))


def test_pre_commit_style_subset_finds_context_in_the_project(
    tmp_path: Path, monorepo: tuple[str, Path]
) -> None:
    """Only the parent is named; its subprocess is loaded from the project as context."""
    config, _ = monorepo
    parent = str(Path(config).parent / "specs" / "search" / "spec-0003.yaml")
    report = _same(tmp_path, (parent,), {"jobs": 2}, ("text", "json"), config=config)
    assert b'"WF111"' not in report and b'"files": 1' in report


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


def test_cluster_is_byte_identical(
    tmp_path: Path, monorepo: tuple[str, Path], scheduler: str
) -> None:
    config, baseline = monorepo
    specs = str(Path(config).parent / "specs")
    _same(tmp_path, (str(EXAMPLES),), {"cluster": scheduler})
    few = ("json", "sarif")
    _same(tmp_path, (specs,), {"cluster": scheduler}, few, config=config, baseline=str(baseline))


def test_cluster_local_from_the_command_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    args = ("verify", str(EXAMPLES), "--format", "sarif")
    local = run_archctl(*args)
    remote = run_archctl(*args, "--cluster", "local:2")
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr("archctl.simulate.cluster.CONNECT_TIMEOUT", "1s")
    started = time.monotonic()
    code, output = _verify(
        tmp_path / "x.json", (str(EXAMPLES),), "json", cluster="tcp://127.0.0.1:9"
    )
    assert code == 2
    assert b"cannot reach the Dask scheduler at tcp://127.0.0.1:9" in output
    assert time.monotonic() - started < 30


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    code, output = _verify(tmp_path / "a", (str(EXAMPLES),), "json", jobs=2, cluster="local:2")
    assert code == 2 and b"exclude each other" in output
    code, output = _verify(tmp_path / "b", (str(EXAMPLES),), "json", jobs=0)
    assert code == 2 and b"--jobs" in output
    if _has_dask():
        code, output = _verify(tmp_path / "c", (str(EXAMPLES),), "json", cluster="local:none")
        assert code == 2 and b"local:N" in output


def _has_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def test_without_dask_the_option_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    code, output = _verify(tmp_path / "d", (str(EXAMPLES),), "json", cluster="local:2")
    assert code == 2
    assert b'pip install "archctl[dask]"' in output
