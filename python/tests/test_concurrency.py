"""Many writers at once, in processes and in threads: every write lands,
none is lost, and a thread waiting for the lock lets the others run."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import cfgsafe
from conftest import no_strays, run_git

HERE = Path(__file__).parent


def test_three_processes_ten_writes_each_with_expect_and_retry(store: cfgsafe.Store, root: Path, git: str) -> None:
    # The seed's own test: 3 processes x 10 read-modify-write cycles on one
    # YAML file. With mtimes, 46.7 % of its writes succeeded; with `expect`
    # and a retry on `Conflict`, all do, and none overwrites another.
    store.write("state.yml", "writes: 0\n")
    writers = [
        subprocess.Popen(
            [sys.executable, str(HERE / "seed_writer.py"), str(root), "state.yml", f"p{i}", "10"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    results = [json.loads(w.communicate()[0]) for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0]
    assert sum(r["made"] for r in results) == 30
    lines = (root / "state.yml").read_text().splitlines()
    assert lines[0] == "writes: 0"
    assert sorted(lines[1:]) == sorted(f"p{i}-{n}: {n}" for i in range(3) for n in range(10))
    # One commit per successful write, after the first: no write was lost
    # between the file and the history.
    assert int(run_git(git, root, "rev-list", "--count", "main")) == 31
    no_strays(root)


def test_eight_threads_append_to_one_tasks_json(store: cfgsafe.Store, root: Path) -> None:
    # The `tasks.json` race of the seed's SafeFileManager: threads that each
    # load, add a task and save lose each other's tasks. `append` applies the
    # change under the lock to the latest version.
    store.write("tasks.json", '{"tasks": []}\n')
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            for n in range(5):
                store.append("tasks.json", "tasks", {"id": t * 100 + n, "by": f"thread {t}"})
        except BaseException as e:  # reported below: a thread's exception would be lost
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tasks = json.loads((root / "tasks.json").read_text())["tasks"]
    assert sorted(task["id"] for task in tasks) == sorted(t * 100 + n for t in range(8) for n in range(5))
    assert len(store.log()) == 41
    no_strays(root)


def test_a_thread_waiting_for_the_lock_lets_other_threads_run(store: cfgsafe.Store, root: Path) -> None:
    # A writer blocks on the lock another process holds; the main thread must
    # still run Python code meanwhile, here to release that lock. If the wait
    # kept the GIL, the main thread could not run until the writer gave up
    # with `LockTimeout`.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'r+'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('held', flush=True); sys.stdin.read()",
            str(root / ".cfg" / "lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    outcome: list[object] = []
    waiting = cfgsafe.Store(root, lock_timeout=30)

    def write() -> None:
        try:
            outcome.append(waiting.write("a.yml", "a: 1\n"))
        except cfgsafe.CfgError as e:
            outcome.append(e)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=0.5)
    assert writer.is_alive(), f"the write did not wait for the lock: {outcome}"
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait()
    writer.join()
    [written] = outcome
    assert isinstance(written, cfgsafe.Written) and written.changed
