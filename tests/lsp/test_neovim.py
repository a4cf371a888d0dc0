"""docs/editors.md followed once in a real Neovim: headless, it opens a broken example with
the documented setup (editors/neovim/archctl.lua) and the diagnostics must arrive."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CASES, ROOT

NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (apt-get install neovim)")
def test_neovim_receives_archctl_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    shutil.copy(CASES / "workflow" / "xor-split-into-and-join.yaml", broken)
    out = tmp_path / "diagnostics.txt"
    env = {
        **os.environ,
        "ARCHCTL_NVIM_OUT": str(out),
        "ARCHCTL_LSP_CMD": f"{sys.executable} -m archctl lsp",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    script = ROOT / "editors" / "neovim" / "check_diagnostics.lua"
    assert NVIM is not None
    done = subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {script}", str(broken)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.exists(), done.stderr
    lines = out.read_text().splitlines()
    assert "TIMEOUT" not in lines
    assert any(line.startswith("11:3 WF103 deadlock") for line in lines), lines
