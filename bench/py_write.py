"""Write speed from Python, used by `bench/bench.py` (section `python`): what a
Python program pays per write through the `cfgsafe` package, in its own
process, against the same write made by spawning the `cfg` binary.

    python py_write.py LIB_ROOT CLI_ROOT FILE CFG SRC...

Runs in the venv that holds `cfgsafe` (built from `python/`). Reads every SRC
into memory, opens LIB_ROOT once (as a long-running program would), then for
each SRC in turn: `Store.write(FILE, content)` in LIB_ROOT, and
`subprocess.run([CFG, "write", FILE], input=content)` in CLI_ROOT, alternating
which goes first. One untimed write of each comes first (the first SRC with a
comment added, as `examples/lib_write.rs` warms up). Each timed write
prints `KIND<TAB>NANOSECONDS`, KIND being `python` or `subprocess`. A failed
or unchanged write stops the run with exit code 1.
"""

import subprocess
import sys
import time

import cfgsafe


def main() -> None:
    lib_root, cli_root, name, cfg, *srcs = sys.argv[1:]
    contents = [open(src, "rb").read() for src in srcs]
    store = cfgsafe.Store(lib_root)

    def python(content: bytes) -> None:
        if not store.write(name, content).changed:
            sys.exit("py_write: a write changed nothing")

    def spawned(content: bytes) -> None:
        run = subprocess.run([cfg, "write", name], input=content, cwd=cli_root, capture_output=True)
        if run.returncode != 0:
            sys.exit(f"py_write: cfg write exited {run.returncode}: {run.stderr.decode(errors='replace')}")

    warm = contents[0] + b"\n# warm-up\n"
    python(warm)
    spawned(warm)
    for i, content in enumerate(contents):
        pair = [("python", python), ("subprocess", spawned)]
        for kind, write in pair if i % 2 else reversed(pair):
            start = time.perf_counter_ns()
            write(content)
            print(f"{kind}\t{time.perf_counter_ns() - start}", flush=True)


if __name__ == "__main__":
    main()
