"""Each exception: raised where the binary fails with the same exit code,
carrying the fields a caller needs to act on it, and leaving nothing written."""

from __future__ import annotations

import pickle
import subprocess
from pathlib import Path

import pytest

import cfgsafe
from conftest import no_strays

SCHEMA = '{"type": "object", "properties": {"retries": {"type": "integer", "minimum": 0}}}\n'


def cli(cfg_bin: Path, root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(cfg_bin), *args], cwd=root, input=stdin, capture_output=True, text=True)


def test_the_classes_mirror_the_exit_codes() -> None:
    assert {code: cls.__name__ for code, cls in cfgsafe._types.BY_EXIT_CODE.items()} == {
        1: "Invalid",
        2: "UsageError",
        3: "Conflict",
        4: "LockTimeout",
        5: "NotFound",
        6: "StoreError",
        8: "NoValue",
    }
    for cls in (cfgsafe.UnknownRevision, cfgsafe.UnknownFile):
        assert issubclass(cls, cfgsafe.NotFound) and cls.exit_code == 5
    assert issubclass(cfgsafe.LockTimeout, TimeoutError) and issubclass(cfgsafe.UsageError, ValueError)


def test_invalid_carries_the_findings(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    (root / "retries.schema.json").write_text(SCHEMA)
    (root / ".cfg.yaml").write_text("schemas:\n  'conf/*.yml': retries.schema.json\n")
    (root / "conf").mkdir()
    store.write("conf/a.yml", "retries: 1\n")
    bad = "# tuned\nretries: -1\n"
    with pytest.raises(cfgsafe.Invalid) as caught:
        store.write("conf/a.yml", bad)
    error = caught.value
    assert error.exit_code == 1 == cli(cfg_bin, root, "write", "conf/a.yml", stdin=bad).returncode
    [finding] = error.findings
    assert (finding.file, finding.line, finding.column, finding.pointer, finding.rule, finding.severity) == (
        "conf/a.yml", 2, 10, "/retries", "minimum", "error"
    )
    assert "conf/a.yml:2:10" in str(error) and "minimum" in str(error)
    assert (root / "conf" / "a.yml").read_text() == "retries: 1\n"
    with pytest.raises(cfgsafe.Invalid) as syntax:
        store.write("conf/a.yml", "retries: [1\n")
    assert [f.rule for f in syntax.value.findings] == ["syntax"]
    assert len(store.log()) == 1
    no_strays(root)


def test_conflict_carries_the_diff3_text_and_both_revisions(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    base = store.write("a.yml", "a: 1\nb: 1\n").rev
    latest = store.write("a.yml", "a: 2\nb: 1\n").rev
    with pytest.raises(cfgsafe.Conflict) as caught:
        store.write("a.yml", "a: 3\nb: 1\n", expect=base)
    error = caught.value
    assert (error.kind, error.path, error.base_rev, error.latest_rev) == ("merge", "a.yml", base, latest)
    assert error.text is not None
    assert error.text.splitlines() == [
        f"<<<<<<< latest {latest[:7]}",
        "a: 2",
        f"||||||| base {base[:7]}",
        "a: 1",
        "=======",
        "a: 3",
        ">>>>>>> new",
        "b: 1",
    ]
    code = cli(cfg_bin, root, "write", "a.yml", "--expect", base, stdin="a: 3\nb: 1\n").returncode
    assert error.exit_code == 3 == code
    assert (root / "a.yml").read_text() == "a: 2\nb: 1\n"


def test_conflict_kinds_exists_and_changed(store: cfgsafe.Store) -> None:
    base = store.write("a.yml", "a: 1\nb: 1\n").rev
    with pytest.raises(cfgsafe.Conflict) as exists:
        store.write("a.yml", "a: 9\n", expect=cfgsafe.ABSENT)
    assert (exists.value.kind, exists.value.base_rev, exists.value.text) == ("exists", None, None)
    latest = store.write("a.yml", "a: 2\nb: 1\n").rev
    with pytest.raises(cfgsafe.Conflict) as changed:
        store.write("a.yml", "a: 1\nb: 2\n", expect=base, merge=False)
    assert (changed.value.kind, changed.value.base_rev, changed.value.latest_rev) == ("changed", base, latest)
    created = store.write("new.yml", "n: 1\n", expect=cfgsafe.ABSENT)
    assert created.changed


def test_conflict_of_a_clean_but_invalid_merge_carries_its_findings(store: cfgsafe.Store, root: Path) -> None:
    (root / "retries.schema.json").write_text(
        '{"type": "object", "properties": {"low": {"type": "integer"}, "high": {"type": "integer"}},'
        ' "not": {"required": ["low", "high"]}}\n'
    )
    (root / ".cfg.yaml").write_text("schemas:\n  'r.yml': retries.schema.json\n")
    base = store.write("r.yml", "name: r\n").rev
    store.write("r.yml", "low: 1\nname: r\n")
    with pytest.raises(cfgsafe.Conflict) as caught:
        store.write("r.yml", "name: r\nhigh: 2\n", expect=base)
    error = caught.value
    assert error.kind == "invalid"
    assert error.text == "low: 1\nname: r\nhigh: 2\n"
    assert [f.rule for f in error.findings] == ["not"]


def test_lock_timeout_names_the_holder(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    # Another writer holds the lock: a cfg that records itself, paused by a
    # `flock` wrapper so the record stays. `cfg` writes its pid, host and
    # command into `.cfg/lock`; here a Python process plays that holder.
    holder = subprocess.Popen(
        [
            "python3",
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'r+'); fcntl.flock(f, fcntl.LOCK_EX); "
            "f.truncate(0); f.write('pid 4242\\nhost elsewhere\\ncommand deploy.sh\\n'); f.flush(); "
            "print('held', flush=True); sys.stdin.read()",
            str(root / ".cfg" / "lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        quick = cfgsafe.Store(root, lock_timeout=0.2)
        with pytest.raises(cfgsafe.LockTimeout) as caught:
            quick.write("a.yml", "a: 1\n")
        error = caught.value
        assert error.holder == "pid 4242, host elsewhere, command deploy.sh"
        assert error.lock_path == str(root / ".cfg" / "lock") and error.waited >= 0.2
        assert "deploy.sh" in str(error)
        code = cli(cfg_bin, root, "--lock-timeout", "200ms", "write", "a.yml", stdin="a: 1\n").returncode
        assert error.exit_code == 4 == code
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert not (root / "a.yml").exists()
    store.write("a.yml", "a: 1\n")


def test_unknown_revision_and_unknown_file(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    with pytest.raises(cfgsafe.UnknownRevision) as empty:
        store.read("a.yml")
    assert empty.value.spec is None
    store.write("a.yml", "a: 1\n")
    with pytest.raises(cfgsafe.UnknownRevision) as caught:
        store.read("a.yml", "0123456789abcdef")
    assert caught.value.spec == "0123456789abcdef"
    assert caught.value.exit_code == 5 == cli(cfg_bin, root, "cat", "a.yml", "--rev", "0123456789abcdef").returncode
    with pytest.raises(cfgsafe.UnknownFile) as missing:
        store.read("b.yml")
    assert missing.value.path == "b.yml" and missing.value.rev == store.log()[0].rev
    assert cli(cfg_bin, root, "cat", "b.yml").returncode == 5
    with pytest.raises(cfgsafe.UnknownFile) as on_disk:
        store.get("nowhere.yml", "a")
    assert on_disk.value.path == "nowhere.yml"


def test_no_value(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    store.write("a.yml", "a: {b: null}\n")
    assert store.get("a.yml", "a.b") is None
    with pytest.raises(cfgsafe.NoValue) as caught:
        store.get("a.yml", "a.c")
    assert (caught.value.file, caught.value.path) == ("a.yml", "a.c")
    assert caught.value.exit_code == 8 == cli(cfg_bin, root, "get", "a.yml", "a.c").returncode


def test_usage_errors(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    with pytest.raises(cfgsafe.UsageError) as outside:
        store.write("../escape.yml", "a: 1\n")
    assert outside.value.exit_code == 2 == cli(cfg_bin, root, "write", "../escape.yml", stdin="a: 1\n").returncode
    with pytest.raises(cfgsafe.UsageError):
        store.write(".cfg/config", "x")
    with pytest.raises(cfgsafe.UsageError, match="invalid author"):
        store.write("a.yml", "a: 1\n", author="nobody")
    store.write("a.yml", "a: [1]\n")
    with pytest.raises(cfgsafe.UsageError):
        store.append("a.yml", "a[0]", 2)
    with pytest.raises(TypeError, match="str or bytes"):
        store.write("a.yml", 3)  # type: ignore[arg-type]
    assert not (root.parent / "escape.yml").exists()


def test_store_error_names_the_failing_file(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    (root / ".cfg.yaml").mkdir()
    with pytest.raises(cfgsafe.StoreError) as caught:
        store.write("a.yml", "a: 1\n")
    assert ".cfg.yaml" in str(caught.value)
    assert caught.value.exit_code == 6 == cli(cfg_bin, root, "write", "a.yml", stdin="a: 1\n").returncode


def test_exceptions_survive_pickling(store: cfgsafe.Store) -> None:
    base = store.write("a.yml", "a: 1\n").rev
    store.write("a.yml", "a: 2\n")
    with pytest.raises(cfgsafe.Conflict) as caught:
        store.write("a.yml", "a: 3\n", expect=base)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.kind, copy.text, copy.base_rev, str(copy)) == (
        "merge", caught.value.text, base, str(caught.value)
    )
