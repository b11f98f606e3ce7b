"""`push: true` in `.cfg.yaml`: a write from Python is pushed, as the binary's
write commands push it, and a failed push leaves the write standing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import cfgsafe
from conftest import run_git


def bare_remote(git: str, folder: Path) -> Path:
    subprocess.run([git, "init", "--quiet", "--bare", "--initial-branch=main", str(folder)], check=True)
    return folder


def tip(git: str, bare: Path) -> str:
    return subprocess.run([git, "--git-dir", str(bare), "rev-parse", "main"], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_push_true_pushes_every_write(
    store: cfgsafe.Store, root: Path, tmp_path: Path, git: str, cfg_bin: Path
) -> None:
    bare = bare_remote(git, tmp_path / "remote.git")
    subprocess.run([str(cfg_bin), "remote", "add", "origin", str(bare)], cwd=root, check=True)
    (root / ".cfg.yaml").write_text("push: true\nremote: origin\n")
    written = store.write("s.yml", "a: 1\n")
    assert tip(git, bare) == written.rev
    changed = store.set("s.yml", "a", 2)
    assert tip(git, bare) == changed.rev == run_git(git, root, "rev-parse", "main").strip()


def test_a_failed_push_raises_and_the_write_stands(
    store: cfgsafe.Store, root: Path, tmp_path: Path, git: str, cfg_bin: Path
) -> None:
    gone = tmp_path / "gone.git"
    subprocess.run([str(cfg_bin), "remote", "add", "origin", str(gone)], cwd=root, check=True)
    (root / ".cfg.yaml").write_text("push: true\nremote: origin\n")
    with pytest.raises(cfgsafe.StoreError) as caught:
        store.write("s.yml", "a: 1\n")
    assert "gone.git" in str(caught.value)
    assert (root / "s.yml").read_text() == "a: 1\n"
    assert store.read("s.yml").content == b"a: 1\n"
    (root / "s.yml").unlink()
    code = subprocess.run([str(cfg_bin), "write", "s.yml"], cwd=root, input="a: 1\n", text=True,
                          capture_output=True).returncode
    assert caught.value.exit_code == code == 6
