"""The pre-commit hook, run for real: `pre-commit try-repo` against this checkout.

pre-commit builds the hook's own virtual environment by installing this repository with pip,
so the test proves that .pre-commit-hooks.yaml, packaging and the console script all work
together, the way a team adopting the hook would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BROKEN_DOOR, ORDER_WORKFLOW, PAYMENT_WORKFLOW, ROOT

BROKEN = BROKEN_DOOR
FIXED = BROKEN + "  - stuck -> open on unjam\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: building it is the slow part."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(
    repo: Path, home: Path, hook: str = "archctl-verify", *extra: str
) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("pre-commit")
    if executable is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    env.pop("GITHUB_STEP_SUMMARY", None)
    options = list(extra) or ["--all-files"]
    return subprocess.run(
        [executable, "try-repo", str(ROOT), hook, *options, "--verbose"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )


def test_hook_fails_on_broken_spec_and_passes_on_fixed(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this project to be a git checkout")
    repo = tmp_path / "team-repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    git("config", "user.email", "ci@example.invalid", cwd=repo)
    git("config", "user.name", "CI", cwd=repo)
    (repo / "door.yaml").write_text(BROKEN)
    (repo / "ci.yml").write_text("on: push\njobs: {}\n")  # not a spec: must be skipped
    git("add", ".", cwd=repo)

    failed = try_repo(repo, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "error[SM102]" in failed.stdout
    assert "door.yaml" in failed.stdout

    (repo / "door.yaml").write_text(FIXED)
    git("add", ".", cwd=repo)
    passed = try_repo(repo, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template: {spec: {containers: [{name: web, image: nginx}]}}
"""
COMPOSE = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n"
GITHUB_WORKFLOW = "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: []\n"
ORDER, PAYMENT = ORDER_WORKFLOW, PAYMENT_WORKFLOW


def make_repo(path: Path) -> Path:
    path.mkdir()
    git("init", "-q", cwd=path)
    git("config", "user.email", "ci@example.invalid", cwd=path)
    git("config", "user.name", "CI", cwd=path)
    return path


def test_only_the_broken_spec_blocks_a_realistic_commit(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    """Staged: a Deployment, a Compose file, a GitHub workflow, a good and a broken spec, and
    a workflow whose subprocess lives in a file that is not staged. One failure: the broken
    spec."""
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this project to be a git checkout")
    repo = make_repo(tmp_path / "team-repo")
    (repo / "k8s").mkdir()
    (repo / "k8s" / "deployment.yaml").write_text(DEPLOYMENT)
    (repo / "docker-compose.yml").write_text(COMPOSE)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(GITHUB_WORKFLOW)
    (repo / "specs").mkdir()
    (repo / "specs" / "good.yaml").write_text(FIXED.replace("name: door", "name: good"))
    (repo / "specs" / "broken.yaml").write_text(BROKEN)
    (repo / "specs" / "order.yaml").write_text(ORDER)
    (repo / "specs" / "payment.yaml").write_text(PAYMENT)  # on disk, never staged
    for staged in (
        "k8s/deployment.yaml",
        "docker-compose.yml",
        ".github/workflows/ci.yml",
        "specs/good.yaml",
        "specs/broken.yaml",
        "specs/order.yaml",
    ):
        git("add", staged, cwd=repo)

    result = try_repo(repo, pre_commit_home, "archctl-verify", "--files", *staged_files(repo))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    located = sorted(
        {
            line.split("-->")[1].split(":")[0].strip()
            for line in output.splitlines()
            if line.lstrip().startswith("-->")
        }
    )
    assert located == ["specs/broken.yaml"], output
    assert output.count("error[") == 1, output
    assert "error[SM102]" in output
    assert "checked 3 files, 3 specs: 1 error(s)" in output


def staged_files(repo: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "diff", "--cached", "--name-only"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return listing.stdout.split()


def test_fmt_hook_flags_an_unformatted_dsl_file(tmp_path: Path, pre_commit_home: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs this project to be a git checkout")
    repo = make_repo(tmp_path / "dsl-repo")
    source = ROOT / "examples-dsl"
    sample = sorted(source.glob("*.arch"))[0]
    text = sample.read_text(encoding="utf-8")
    (repo / "ok.arch").write_text(text)
    (repo / "messy.arch").write_text(text.replace("\n", "\n\n", 3))
    git("add", ".", cwd=repo)
    result = try_repo(repo, pre_commit_home, "archctl-fmt")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "messy.arch" in output and "+++ ok.arch" not in output
