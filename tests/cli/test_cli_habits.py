"""The conventions ruff and pre-commit users expect, and no false greens (#15)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import BROKEN_DOOR, CASES, ROOT
from tests.conftest import run_archctl as run

UNDECIDED = str(CASES / "statemachine" / "unbounded-undecided.yaml")
MACHINE = BROKEN_DOOR.replace(
    "open -> stuck on jam\n", "open -> stuck on jam   # archctl: ignore[SM102]\n"
)


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def test_unknown_select_is_a_usage_error_with_a_suggestion() -> None:
    for option in ("--select", "--extend-select", "--ignore"):
        result = run("verify", option, "SM1O2", UNDECIDED)
        assert result.returncode == 2, (option, result.stdout)
        assert f"{option}: 'SM1O2' is not a known code or code prefix" in result.stdout
        assert "did you mean 'SM102'" in result.stdout
    assert run("verify", "--select", "XX", UNDECIDED).returncode == 2


def test_select_replaces_the_config_and_extend_select_adds(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(Path(UNDECIDED).read_text())
    (tmp_path / "archctl.toml").write_text('select = ["SM1"]\n')
    assert codes(run("verify", "-f", "json", "m.yaml", cwd=tmp_path)) == []
    extended = run("verify", "-f", "json", "--extend-select", "SM9", "m.yaml", cwd=tmp_path)
    assert codes(extended) == ["SM901", "SM901"]  # one per undecided state
    replaced = run("verify", "-f", "json", "--select", "SM901", "m.yaml", cwd=tmp_path)
    assert codes(replaced) == ["SM901", "SM901"]


def test_unused_suppression_rules(tmp_path: Path) -> None:
    """The suppression sits on a transition line, but SM102 is reported on the state list."""
    (tmp_path / "m.yaml").write_text(MACHINE)
    assert codes(run("verify", "-f", "json", "m.yaml", cwd=tmp_path)) == ["SM102", "LD011"]
    for deselect in (["--ignore", "SM102"], ["--select", "SM901"], ["--ignore", "SM1"]):
        result = run("verify", "-f", "json", *deselect, "m.yaml", cwd=tmp_path)
        assert "LD011" not in codes(result), deselect
    ignored = run("verify", "-f", "json", "--ignore", "LD011", "m.yaml", cwd=tmp_path)
    assert codes(ignored) == ["SM102"]
    regraded = run("verify", "-f", "json", "--severity", "LD011=error", "m.yaml", cwd=tmp_path)
    assert [
        d["severity"] for d in json.loads(regraded.stdout)["diagnostics"] if d["code"] == "LD011"
    ] == ["error"]


def test_quiet_exit_zero_and_statistics() -> None:
    quiet = run("verify", "-q", UNDECIDED)
    assert quiet.returncode == 1
    assert "error[SM901]" in quiet.stdout
    assert not any(line.startswith(("checked ", "proved ")) for line in quiet.stdout.splitlines())
    assert run("verify", "--exit-zero", UNDECIDED).returncode == 0
    assert run("verify", "--exit-zero", "missing.yaml").returncode == 2
    stats = run("verify", "--statistics", "tests/cases/statemachine")
    lines = stats.stdout.splitlines()
    assert lines and all(len(line.split()) >= 3 for line in lines)
    counts = [int(line.split()[0]) for line in lines]
    assert counts == sorted(counts, reverse=True)
    assert any(line.split()[1] == "SM901" for line in lines)


def test_color_help_version_and_completion() -> None:
    coloured = run("--color", "always", "verify", UNDECIDED)
    assert "\x1b[" in coloured.stdout
    plain = run("--color", "never", "verify", UNDECIDED)
    assert "\x1b[" not in plain.stdout
    assert run("-h").returncode == 0 and "verify" in run("-h").stdout
    assert run("verify", "-h").returncode == 0
    version = run("-V")
    assert version.returncode == 0 and version.stdout.startswith("archctl ")
    # typer finds the shell among the process's ancestors (shellingham), as it is for a user
    # typing the command; run it under bash (`; true` keeps bash from exec'ing python) so the
    # test does not depend on whether the suite itself was started from a shell.
    completion = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m archctl --show-completion; true"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"SHELL": "/bin/bash", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completion.returncode == 0, completion.stderr
    assert "COMPLETE=complete_bash" in completion.stdout
    assert "\x1b[" not in run("verify", "--color", "never", UNDECIDED).stdout


def test_read_a_spec_from_stdin_with_a_file_name() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "archctl", "verify", "-", "--stdin-filename", "door.yaml"],
        input=MACHINE.replace("   # archctl: ignore[SM102]", ""),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 1
    assert " --> door.yaml:3:" in result.stdout


def test_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "legacy").mkdir()
    text = MACHINE.replace("   # archctl: ignore[SM102]", "")
    (tmp_path / "legacy" / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text.replace("door", "door2"))
    (tmp_path / "archctl.toml").write_text('[per-file-ignores]\n"legacy/*" = ["SM1"]\n')
    result = run("verify", "-f", "json", ".", cwd=tmp_path)
    assert {(d["file"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]} == {
        ("b.yaml", "SM102")
    }
    (tmp_path / "archctl.toml").write_text('[per-file-ignores]\n"legacy/*" = ["SMX"]\n')
    assert run("verify", ".", cwd=tmp_path).returncode == 2


def test_user_text_is_never_read_as_markup(tmp_path: Path) -> None:
    text = MACHINE.replace("   # archctl: ignore[SM102]", "").replace("stuck", "x[bold]y")
    (tmp_path / "[tool.archctl].yaml").write_text(text.replace("x[bold]y", '"x[bold]y"'))
    result = run("verify", "--color", "never", "[tool.archctl].yaml", cwd=tmp_path)
    assert "[tool.archctl].yaml" in result.stdout
    assert "x[bold]y" in result.stdout


def test_concise_format_is_one_line_per_finding() -> None:
    result = run("verify", "-f", "concise", UNDECIDED)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # one line per finding, nothing else
    for line in lines:
        assert re.match(
            re.escape(UNDECIDED) + r":\d+:\d+: SM901 \[error\] could not decide whether a final "
            r"state stays reachable from '(armed|inner)': ",
            line,
        ), line


def test_init_writes_a_project_and_refuses_to_overwrite(tmp_path: Path) -> None:
    first = run("init", cwd=tmp_path)
    assert first.returncode == 0, first.stdout
    assert (tmp_path / "archctl.toml").is_file()
    assert "id: archctl-verify" in (tmp_path / ".pre-commit-config.yaml").read_text()
    verified = run("verify", cwd=tmp_path)  # the config's paths, the example spec
    assert verified.returncode == 0, verified.stdout
    before = (tmp_path / "archctl.toml").read_text()
    again = run("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "refusing to overwrite" in again.stdout
    assert (tmp_path / "archctl.toml").read_text() == before


def test_explain_list_and_lookup_by_name() -> None:
    listing = run("explain", "--list")
    assert listing.returncode == 0
    assert any(line.startswith("SM102  deadlock") for line in listing.stdout.splitlines())
    by_name = run("explain", "deadlock")
    assert by_name.returncode == 0
    assert "SM102 deadlock" in by_name.stdout and "WF103" in by_name.stdout
    typo = run("explain", "deadlok")
    assert typo.returncode == 2 and "did you mean" in typo.stdout


def test_explain_shows_the_usual_fix() -> None:
    from archctl.code_fixes import FIXES
    from archctl.codes import CODES

    assert set(FIXES) <= set(CODES)
    result = run("explain", "SM102")
    assert "usual fix: add a transition out of the state" in result.stdout


def test_every_shipped_example_gets_its_code() -> None:
    """`archctl explain CODE` shows archctl/code_examples/CODE.*: it must produce CODE."""
    examples = sorted((ROOT / "archctl" / "code_examples").iterdir())
    assert len(examples) >= 40
    result = run("verify", "-f", "json", *(str(path) for path in examples))
    found = {
        (Path(d["file"]).name[:5], d["code"]) for d in json.loads(result.stdout)["diagnostics"]
    }
    for path in examples:
        assert (path.name[:5], path.name[:5]) in found, path.name
    shown = run("explain", "SM102")
    assert "example (SM102.yaml):" in shown.stdout and "open -> stuck on jam" in shown.stdout
