"""Packaging: the metadata an index shows, and an sdist whose own tests run (#15)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_project_metadata() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and (ROOT / "LICENSE").is_file()
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert any(
        c.startswith("Programming Language :: Python :: 3.1") for c in project["classifiers"]
    )
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    typer = next(d for d in project["dependencies"] if d.startswith("typer"))
    assert "<" not in typer, "typer must not be pinned to one minor series"
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "archctl").rglob("__init__.py")
    }
    assert on_disk <= set(packages), on_disk - set(packages)


def test_sdist_ships_its_tests_and_they_run(tmp_path: Path) -> None:
    pytest.importorskip("build")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "-o", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (archive,) = tmp_path.glob("archctl-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path, filter="data")
    top = names[0].split("/")[0]
    for needed in ("tests/cases/statemachine", "tests/golden/report", "LICENSE", "examples"):
        assert any(name.startswith(f"{top}/{needed}") for name in names), needed
    unpacked = tmp_path / top
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            "tests/report/test_report.py",
            "tests/cli/test_cli.py",
            "tests/schemas/test_schemas.py",
        ],
        cwd=unpacked,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
