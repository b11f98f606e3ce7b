"""Round trips: what a write puts in, a read, `get` and the side repository
give back, through every operation of the API."""

from __future__ import annotations

import datetime
import json
import os
import pwd
import subprocess
from pathlib import Path

import pytest

import cfgsafe
from conftest import AUTHOR, no_strays, run_git

SCHEDULE = "version: 1\njobs:\n  - name: backup\n    schedule: '0 3 * * *'\n"


def test_write_then_read_gives_the_content_and_the_commit(store: cfgsafe.Store, root: Path, git: str) -> None:
    written = store.write("schedule.yml", SCHEDULE, message="first schedule")
    assert written.changed and written.path == "schedule.yml" and written.merged is None
    assert (root / "schedule.yml").read_text() == SCHEDULE
    content, rev = store.read("schedule.yml")
    assert (content, rev) == (SCHEDULE.encode(), written.rev)
    assert store.read("schedule.yml").text == SCHEDULE
    assert run_git(git, root, "rev-parse", "main").strip() == written.rev
    assert run_git(git, root, "show", f"{written.rev}:schedule.yml") == SCHEDULE
    assert run_git(git, root, "log", "-1", "--format=%an <%ae>|%s").strip() == f"{AUTHOR}|first schedule"
    no_strays(root)


def test_bytes_are_written_as_they_are_and_the_same_content_makes_no_commit(store: cfgsafe.Store) -> None:
    first = store.write("a.json", b'{"a": 1}\n')
    again = store.write("a.json", '{"a": 1}\n')
    assert not again.changed and again.rev == first.rev
    assert len(store.log()) == 1


def test_read_at_an_older_revision(store: cfgsafe.Store) -> None:
    old = store.write("a.yml", "a: 1\n").rev
    store.write("a.yml", "a: 2\n")
    assert store.read("a.yml", old) == cfgsafe.Versioned(b"a: 1\n", old)
    assert store.read("a.yml").content == b"a: 2\n"


def test_write_with_expect_merges_a_change_made_since(store: cfgsafe.Store, root: Path) -> None:
    base = store.write("s.yml", "a: 1\nb: 1\nc: 1\n").rev
    latest = store.write("s.yml", "a: 2\nb: 1\nc: 1\n").rev
    merged = store.write("s.yml", "a: 1\nb: 1\nc: 3\n", expect=base)
    assert merged.merged == (base, latest)
    assert (root / "s.yml").read_text() == "a: 2\nb: 1\nc: 3\n"


def test_set_unset_append_get(store: cfgsafe.Store, root: Path) -> None:
    store.write("tasks.json", '{\n  "tasks": [\n    {"id": 1, "title": "backup"}\n  ]\n}\n')
    store.append("tasks.json", "tasks", {"id": 2, "title": "sync"})
    store.set("tasks.json", "settings.retries", 3)
    store.set("tasks.json", "tasks[0].title", "nightly backup")
    store.append("tasks.json", "owners", "ops")
    assert store.get("tasks.json", "tasks") == [{"id": 1, "title": "nightly backup"}, {"id": 2, "title": "sync"}]
    assert store.get("tasks.json", "settings") == {"retries": 3}
    store.unset("tasks.json", "tasks[1]")
    assert json.loads((root / "tasks.json").read_text()) == {
        "tasks": [{"id": 1, "title": "nightly backup"}],
        "settings": {"retries": 3},
        "owners": ["ops"],
    }
    assert store.get("tasks.json", ".") == json.loads((root / "tasks.json").read_text())
    first = store.log("tasks.json")[-1].rev
    assert store.get("tasks.json", "tasks[0].title", rev=first) == "backup"
    messages = [entry.message for entry in store.log()]
    assert messages[:2] == ["unset tasks[1] in tasks.json", "append to owners in tasks.json"]


def test_values_of_every_json_type_round_trip_through_set_and_get(store: cfgsafe.Store) -> None:
    store.write("v.yml", "x: 0\n")
    for value in ["text", "with: colon", "", 7, -1.5, True, None, [1, "a"], {"k": {"n": [True]}}]:
        store.set("v.yml", "x", value)
        assert store.get("v.yml", "x") == value


def test_restore_brings_an_old_version_back_as_a_new_commit(store: cfgsafe.Store, root: Path) -> None:
    old = store.write("a.yml", "a: 1\n").rev
    store.write("a.yml", "a: 2\n")
    restored = store.restore(old, ["a.yml"], message="back to 1")
    assert restored.changed and restored.from_rev == old and restored.files == ("a.yml",)
    assert (root / "a.yml").read_text() == "a: 1\n"
    assert store.log(limit=1)[0].message == "back to 1"
    assert len(store.log()) == 3


def test_log_entries(store: cfgsafe.Store) -> None:
    first = store.write("a.yml", "a: 1\n")
    second = store.write("b.yml", "b: 1\n", author="Someone Else <else@example.org>")
    entries = store.log()
    assert [e.rev for e in entries] == [second.rev, first.rev]
    newest = entries[0]
    assert newest.parent == first.rev and entries[1].parent is None
    assert newest.author == "Someone Else <else@example.org>" and entries[1].author == AUTHOR
    assert newest.files == (cfgsafe.FileChange("b.yml", "added"),)
    assert newest.message == "write b.yml"
    assert newest.host and newest.command and newest.command.startswith("python ")
    assert newest.time.tzinfo is not None
    assert abs(newest.time - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=5)
    assert [e.rev for e in store.log("a.yml")] == [first.rev]


def test_log_of_one_value_equals_the_clis(store: cfgsafe.Store, root: Path, cfg_bin: Path) -> None:
    first = store.write("s.yml", "retries: 1\nname: a\n").rev
    store.set("s.yml", "name", "b")
    raised = store.set("s.yml", "retries", 2).rev
    removed = store.unset("s.yml", "retries").rev
    entries = store.log("s.yml", path="retries")
    assert [(e.rev, e.value) for e in entries] == [
        (removed, ("2", None)),
        (raised, ("1", "2")),
        (first, (None, "1")),
    ]
    assert [e.rev for e in store.log("s.yml", path="retries", limit=1)] == [removed]
    cli = subprocess.run([str(cfg_bin), "log", "s.yml", "--path", "retries", "--format", "json"], cwd=root,
                         capture_output=True, text=True, check=True)
    assert [json.loads(line)["rev"] for line in cli.stdout.splitlines()] == [e.rev for e in entries]
    assert all(e.value is None for e in store.log("s.yml"))
    with pytest.raises(cfgsafe.UsageError, match="needs its `file`"):
        store.log(path="retries")


def test_the_author_is_found_as_the_binary_finds_it(root: Path, monkeypatch: pytest.MonkeyPatch, git: str) -> None:
    monkeypatch.delenv("CFG_AUTHOR")
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("SUDO_USER", "bob")
    store = cfgsafe.Store.init(root)
    store.write("a.yml", "a: 1\n")
    monkeypatch.delenv("SUDO_USER")
    cfgsafe.Store(root).write("a.yml", "a: 2\n")
    store.write("a.yml", "a: 3\n", author="Carol <carol@example.org>")
    authors = run_git(git, root, "log", "--format=%an|%(trailers:key=Cfg-Sudo,valueonly,separator=)").splitlines()
    assert authors == ["Carol|", "alice|", "bob|" + pwd.getpwuid(os.geteuid()).pw_name]


def test_open_walks_up_from_a_file_or_folder_and_root_is_exact(store: cfgsafe.Store, root: Path) -> None:
    (root / "conf").mkdir()
    assert cfgsafe.Store.open(root / "conf").root == root
    assert cfgsafe.Store.open(root / "conf" / "not-yet.yml").root == root
    assert cfgsafe.Store(root).root == root
    cwd = os.getcwd()
    os.chdir(root / "conf")
    try:
        opened = cfgsafe.Store.open()
        # Paths are relative to the root, whatever the current folder.
        opened.write("conf/x.yml", "x: 1\n")
    finally:
        os.chdir(cwd)
    assert (root / "conf" / "x.yml").read_text() == "x: 1\n"
    with pytest.raises(cfgsafe.UsageError, match="no cfg store"):
        cfgsafe.Store(root / "conf")


def test_init_is_idempotent(root: Path) -> None:
    first = cfgsafe.Store.init(root)
    first.write("a.yml", "a: 1\n")
    again = cfgsafe.Store.init(root)
    assert again.root == root and again.read("a.yml").content == b"a: 1\n"


def test_write_warnings_are_findings(store: cfgsafe.Store) -> None:
    written = store.write("w.yml", "enabled: yes\n")
    assert [(w.rule, w.severity, w.pointer) for w in written.warnings] == [("yaml11", "warning", "/enabled")]


def test_check_text_with_a_builtin_schema() -> None:
    findings = cfgsafe.check_text("version: 1\n", "s.yml", schema="builtin:schedule")
    assert findings and all(f.file == "s.yml" for f in findings)
    assert cfgsafe.check_text(SCHEDULE, "plain.yml") == []
