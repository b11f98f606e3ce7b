"""`check` and `check_text` find what `cfg check --format json` finds, field
for field, in the same order: the same validator, called the same way."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import cfgsafe
from conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "schedule"


def as_cli_prints(findings: list[cfgsafe.Finding]) -> list[dict[str, object]]:
    """A finding as a `--format json` line: `help` only when there is one."""
    out = []
    for finding in findings:
        fields = dataclasses.asdict(finding)
        if fields["help"] is None:
            del fields["help"]
        out.append(fields)
    return out


def cli_json(cfg_bin: Path, cwd: Path, *args: str, stdin: str = "") -> list[dict[str, object]]:
    run = subprocess.run(
        [str(cfg_bin), "check", "--format", "json", *args], cwd=cwd, input=stdin, capture_output=True, text=True
    )
    assert run.returncode in (0, 1), run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.fixture
def fixtures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The repository's schedule fixtures, valid and invalid, copied to a
    folder of their own (so no `.cfg.yaml` above them applies)."""
    work = tmp_path / "check"
    shutil.copytree(FIXTURES, work / "schedule")
    monkeypatch.chdir(work)
    files = sorted(str(p.relative_to(work)) for p in (work / "schedule").rglob("*") if p.suffix in {".yaml", ".yml", ".json"})
    assert len(files) > 20
    return files


def test_findings_equal_the_clis_with_a_schema(fixtures: list[str], cfg_bin: Path) -> None:
    ours = as_cli_prints(cfgsafe.check(*fixtures, schema="builtin:schedule"))
    theirs = cli_json(cfg_bin, Path.cwd(), "--schema", "builtin:schedule", *fixtures)
    assert ours == theirs
    rules = {f["rule"] for f in ours}
    assert {"syntax", "duplicate-key", "format", "additionalProperties"} <= rules, rules


def test_findings_equal_the_clis_with_the_projects_globs_and_strict(fixtures: list[str], cfg_bin: Path) -> None:
    Path(".cfg.yaml").write_text("schemas:\n  'schedule/invalid/*.yaml': builtin:schedule\n")
    # YAML 1.1 scalars: warnings, errors under `strict`.
    Path("loose.yml").write_text("enabled: yes\nmode: 0755\n")
    files = [*fixtures, "loose.yml"]
    ours = as_cli_prints(cfgsafe.check(*files, strict=True))
    theirs = cli_json(cfg_bin, Path.cwd(), "--strict", *files)
    assert ours == theirs
    assert [(f["pointer"], f["severity"]) for f in ours if f["file"] == "loose.yml"] == [
        ("/enabled", "error"),
        ("/mode", "error"),
    ]
    assert any(f["file"].startswith("schedule/invalid/") and f["rule"] == "additionalProperties" for f in ours)
    assert not any(f["file"].startswith("schedule/valid/") and f["rule"] == "additionalProperties" for f in ours)


def test_check_text_equals_the_cli_on_standard_input(fixtures: list[str], cfg_bin: Path) -> None:
    for name in ("schedule/invalid/cron-out-of-range.yaml", "schedule/invalid/duplicate-key.json"):
        text = Path(name).read_text()
        piped = "piped" + Path(name).suffix
        ours = as_cli_prints(cfgsafe.check_text(text, piped, schema="builtin:schedule"))
        theirs = cli_json(cfg_bin, Path.cwd(), "--schema", "builtin:schedule", "--stdin-filename", piped, "-", stdin=text)
        assert ours == theirs and ours, name


def test_a_missing_file_raises_as_the_cli_fails(fixtures: list[str], cfg_bin: Path) -> None:
    with pytest.raises(cfgsafe.UnknownFile) as caught:
        cfgsafe.check("nowhere.yaml", *fixtures)
    assert caught.value.path == "nowhere.yaml"
    code = subprocess.run([str(cfg_bin), "check", "nowhere.yaml"], capture_output=True).returncode
    assert caught.value.exit_code == code == 5
