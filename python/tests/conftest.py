"""Shared fixtures: a fresh store in a temp folder, the `cfg` binary built
from this checkout (to compare with), and git to look into `.cfg/`.

Every test runs with a fixed author and without the user's git config, so
what it sees does not depend on the machine. A tool that is missing fails the
test with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import cfgsafe

REPO = Path(__file__).resolve().parents[2]
AUTHOR = "Test Author <test@example.org>"


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("CFG_AUTHOR", AUTHOR)
    monkeypatch.delenv("CFG_ROOT", raising=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


@pytest.fixture
def store(root: Path) -> cfgsafe.Store:
    return cfgsafe.Store.init(root)


@pytest.fixture(scope="session")
def cfg_bin() -> Path:
    """`CFG_BIN`, else the debug build `cargo test` leaves in target/."""
    path = Path(os.environ.get("CFG_BIN", REPO / "target" / "debug" / "cfg"))
    if not path.is_file():
        pytest.fail(f"the cfg binary is missing at {path}: build it with `cargo build --locked` in {REPO}")
    return path


@pytest.fixture(scope="session")
def git() -> str:
    found = shutil.which("git")
    if found is None:
        pytest.fail("git is missing: install it with `apt-get install -y git`")
    return found


def run_git(git: str, root: Path, *args: str) -> str:
    return subprocess.run(
        [git, "--git-dir", str(root / ".cfg"), *args], check=True, capture_output=True, text=True
    ).stdout


def no_strays(root: Path) -> None:
    """No temp file of cfg's left beside the managed files, no unfinished write."""
    strays = [p for p in root.rglob("*") if ".cfg" not in p.parts and ".cfg-" in p.name]
    assert strays == []
    assert not (root / ".cfg" / "pending").exists()
