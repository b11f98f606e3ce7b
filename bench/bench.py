#!/usr/bin/env python3
"""The `cfg` benchmark (issues 7 and 17): how fast `cfg` is next to what people
would use instead, as ratios measured side by side in one run, and how its cost grows.

    python3 bench/bench.py            # everything; about 20 minutes on a busy machine, less when quiet
    python3 bench/bench.py --quick    # a smoke run on small sizes, about two minutes
    python3 bench/bench.py --only write,library,contention --compare-cfg OTHER/cfg
    python3 bench/bench.py --help

Sections (each prints its ratios and goals; `--only` picks some):

  check       the corpus (1,000 files of ~8 KB, 20 entries each) checked by
              `cfg check`, check-jsonschema, yamllint and check-yaml: wall time,
              CPU time, peak memory, ratios, and whether the tools agree.
  write       200 durable writes of an 8 KB file, one process each: `cfg write`
              against the floor (`examples/floor.rs`: temp file, fsync, rename,
              fsync folder; no git) and against `git add` + `git commit`, with
              git's defaults and with `core.fsync=all`; wall time, CPU time and
              page faults per write, fsyncs and flush waits (strace).
  library     the same writes in one process: `cfg::ops::write` in a loop against
              the floor done in-process (`examples/lib_write.rs`).
  python      the same writes from Python: the `cfgsafe` package in-process
              (built from `python/` into `bench/.venv-python`; the first
              release build takes about 8 minutes on 2 cores) against
              `subprocess.run(["cfg", "write", ...])` and the Rust library write.
  contention  1, 2, 4 and 8 writer processes on one file: writes per second,
              none failing, none lost; with `--compare-cfg`, against that build.
  growth      `cfg log -n 20`, `cfg cat --rev`, `cfg write`, `cfg gc --keep-last 10`
              on stores of 100 to 100,000 commits (made with `git fast-import`),
              with an SVG plot of time against history length.
  large       `cfg check` and `cfg write` of a 10 MiB YAML file (1 MiB with --quick).
  remote      1 and 3 hosts writing with `--push` at once through one bare
              repository: commits per second the remote lands; one `cfg sync`
              with nothing to do, against `git fetch` + `git push` doing nothing.

The run ends with a table of every goal: target, measured ratio, met or missed.

Why ratios: this machine is shared and noisy, so absolute times drift from run
to run; every comparison is therefore made inside one run, with the competing
commands interleaved round by round, so that a slow spell hits all of them.

The corpus and its schema are this repository's (`bench/gen_corpus.py`,
`bench/schedule.schema.json`), so a fresh clone runs with nothing beside it.
When the shared reference material is there too (`../shared/bench`, or
wherever CFG_BENCH_SHARED points), the check and write sections add a row on
the reference corpus and schema, so both figures are printed side by side.

Only the standard library is used here. The peer tools (check-jsonschema,
yamllint, pre-commit-hooks' check-yaml) are installed from PyPI at the versions
pinned in `bench/requirements.txt` into `bench/.venv` when the check or large
section runs, and the python section builds `python/` with maturin from PyPI
into `bench/.venv-python`; those pip runs are the only network access. Everything the run
creates goes under `bench/out/` (gitignored): `report.md`, `results.json`,
`growth.svg`, and a scratch folder removed at the end.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT = BENCH / "out"
VENV = BENCH / ".venv"
# The shared reference corpus generator and schema, used beside ours when present:
# ../shared/bench next to the repository, or wherever CFG_BENCH_SHARED points
# (relative paths are taken from the repository).
SHARED = REPO / os.environ.get("CFG_BENCH_SHARED", "../shared/bench")

# Fixed identities and an isolated git configuration: the user's settings must
# not change what is measured.
AUTHOR = "bench <bench@example.invalid>"


# --------------------------------------------------------------------------
# Running and measuring one command


@dataclass
class Run:
    """One finished command: wall and CPU seconds (user + system, the command and
    the children it waited for), minor page faults, peak RSS in KiB, exit code, output."""

    cmd: list[str]
    wall: float
    cpu: float
    faults: int
    rss_kib: int
    rc: int
    out: str
    err: str


TIME = Path("/usr/bin/time")


def run(cmd: list, cwd: Path | None = None, env: dict | None = None, rss: bool = False) -> Run:
    """Runs `cmd` to completion, timing it from spawn to exit.

    With `rss`, the command runs under `/usr/bin/time -f %M` to get its own peak
    memory (the rusage of a child forked from this Python process would report
    Python's own size, which survives the exec). That wrapper costs about a
    millisecond, so memory is taken in separate warm-up runs where times are short."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as mem:
        wrapped = [TIME, "-f", "%M", "-o", mem.name, *cmd] if rss and TIME.exists() else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = mem.read().split()
        return Run(
            cmd=[str(c) for c in cmd],
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            faults=usage.ru_minflt,
            rss_kib=int(peak[-1]) if rss and peak and peak[-1].isdigit() else 0,
            rc=proc.returncode,
            out=out.read().decode(errors="replace"),
            err=err.read().decode(errors="replace"),
        )


def must(r: Run, ok: tuple[int, ...] = (0,)) -> Run:
    if r.rc not in ok:
        sys.exit(f"bench: `{' '.join(r.cmd)}` exited {r.rc}\n{r.out[-2000:]}{r.err[-2000:]}")
    return r


@dataclass
class Sample:
    """Repeated runs of one measurement."""

    runs: list[Run] = field(default_factory=list)
    # Untimed runs made for their peak memory (and to warm caches).
    memory: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max((r.rss_kib for r in self.memory + self.runs), default=0) / 1024

    @property
    def mean(self) -> float:
        return statistics.fmean(r.wall for r in self.runs)

    def rss(self) -> str:
        return f"{self.rss_mib:.1f} MiB" if self.rss_mib else "n/a"

    @property
    def cpu_mean(self) -> float:
        return statistics.fmean(r.cpu for r in self.runs)

    @property
    def faults(self) -> float:
        return statistics.median(r.faults for r in self.runs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def ratio(slow: float, fast: float) -> str:
    return f"{slow / fast:.1f}×" if fast > 0 else "n/a"


# --------------------------------------------------------------------------
# The report: printed as it goes, and kept as Markdown and JSON


class Report:
    def __init__(self) -> None:
        self.md: list[str] = []
        self.data: dict = {}
        self.goals: list[dict] = []

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def section(self, title: str) -> None:
        self.say(f"\n== {title}")
        self.md.append(f"\n## {title}\n")

    def note(self, text: str) -> None:
        self.say(text)
        self.md.append(text + "\n")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        for row in [header, *rows]:
            self.say("  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
        self.md.append("| " + " | ".join(header) + " |")
        self.md.append("|" + "|".join(" --- " for _ in header) + "|")
        for row in rows:
            self.md.append("| " + " | ".join(str(x) for x in row) + " |")
        self.md.append("")

    def goal(self, name: str, target: str, measured: str, met: bool | None, evidence: str = "") -> None:
        """Records a goal: its target, the measured figure (a ratio where the goal is
        one) and whether it is met; `met=None` means it was not measured in this run."""
        self.goals.append({"goal": name, "target": target, "measured": measured, "met": met, "evidence": evidence})
        mark = {True: "met", False: "MISSED", None: "not measured"}[met]
        self.say(f"  goal: {name} ({target}): {measured}: {mark}" + (f" ({evidence})" if evidence else ""))


# --------------------------------------------------------------------------
# Setup: the cfg binary, the floor, the peer tools, the environment


def build(args: argparse.Namespace) -> tuple[Path, Path, Path]:
    """The cfg binary, the floor and the in-process benchmark (`examples/lib_write.rs`)."""
    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "--locked", "--bin", "cfg", "--example", "floor", "--example", "lib_write"],
            cwd=REPO,
            check=True,
        )
    target = REPO / os.environ.get("CARGO_TARGET_DIR", "target")
    cfg = Path(args.cfg) if args.cfg else target / "release" / "cfg"
    floor = target / "release" / "examples" / "floor"
    lib_write = target / "release" / "examples" / "lib_write"
    for binary in (cfg, floor, lib_write):
        if not binary.exists():
            sys.exit(f"bench: {binary} is missing (run without --no-build)")
    return cfg.resolve(), floor.resolve(), lib_write.resolve()


def venv_tools() -> dict[str, Path]:
    """Installs the pinned peer tools into bench/.venv (once) and returns their paths."""
    bin_dir = VENV / "bin"
    tools = {
        "check-jsonschema": bin_dir / "check-jsonschema",
        "yamllint": bin_dir / "yamllint",
        "check-yaml": bin_dir / "check-yaml",
    }
    stamp = VENV / "requirements.installed"
    wanted = (BENCH / "requirements.txt").read_text()
    if not (stamp.exists() and stamp.read_text() == wanted and all(p.exists() for p in tools.values())):
        print("bench: installing the peer tools into bench/.venv (pip, PyPI)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run(
            [bin_dir / "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", BENCH / "requirements.txt"],
            check=True,
        )
        stamp.write_text(wanted)
    return tools


def hermetic_env(home: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "USER": "bench",
        "LC_ALL": "C.UTF-8",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        "CFG_AUTHOR": AUTHOR,
    }
    return env


def has_subcommand(cfg: Path, name: str, env: dict) -> bool:
    return run([cfg, name, "--help"], env=env).rc == 0


def machine() -> dict[str, str]:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": sh("nproc"),
        "cpu": cpu,
        "kernel": platform.release(),
        "free -h": sh("free -h"),
        "disk": disk(sh),
        "cfg": sh(f"git -C {REPO} describe --always --dirty") + " (" + sh(f"git -C {REPO} rev-parse --abbrev-ref HEAD") + ")",
        "git": sh("git --version"),
        "python": platform.python_version(),
    }


def disk(sh) -> str:
    """`df -hT` of the output folder, and whether its block device is rotational."""
    line = " ".join(sh(f"df -hT {OUT} | tail -1").split())
    dev = Path(line.split()[0]).name if line else ""
    kind = ""
    for name in (dev, dev.rstrip("0123456789"), re.sub(r"p\d+$", "", dev)):
        flag = Path(f"/sys/block/{name}/queue/rotational")
        if name and flag.exists():
            kind = f", {name}: queue/rotational={flag.read_text().strip()}"
            break
    return line + kind


# --------------------------------------------------------------------------
# Content


@dataclass
class Corpus:
    """A corpus generator and the schema its files are checked against. Both
    generators, ours and the shared reference, take `OUT N M`, are seeded, and
    break the files whose index ends in 3 (schema), 6 (pattern) and 9 (syntax)."""

    label: str
    generator: Path
    schema: Path
    # Entries in the written file: about 8 KB (the shared generator's entries are smaller).
    write_entries: int

    def generate(self, out: Path, files: int, entries: int) -> list[Path]:
        subprocess.run([sys.executable, self.generator, out, str(files), str(entries)], check=True)
        return sorted(out.glob("*.yaml"))

    def write_base(self, scratch: Path) -> str:
        """The file every write benchmark writes: file 0 (valid) of about 8 KB."""
        return self.generate(scratch / f"write-base-{self.label}", 1, self.write_entries)[0].read_text()


OURS = Corpus("bench", BENCH / "gen_corpus.py", BENCH / "schedule.schema.json", 20)


def shared_corpus() -> Corpus | None:
    """The shared reference material, if it is there."""
    ref = Corpus("shared", (SHARED / "gen_corpus.py").resolve(), (SHARED / "schedule.schema.json").resolve(), 24)
    return ref if ref.generator.exists() and ref.schema.exists() else None


def variant(base: str, i: int) -> str:
    """`base` with one value changed: distinct content for write number `i`."""
    return base.replace('description: "', f'description: "(edit {i}) ', 1)


# --------------------------------------------------------------------------
# Section: checking


# cfg's rules that mean "this is not YAML at all" (what yamllint and check-yaml see).
CFG_SYNTAX_RULES = {"syntax", "encoding", "depth", "alias-budget", "alias", "key", "tag", "size"}


def cfg_check_verdict(r: Run) -> tuple[set[str], set[str]]:
    """(invalid files, files with syntax errors) from `cfg check --format json`:
    one JSON object per finding with `file`, `rule` and `severity`."""
    invalid, syntax = set(), set()
    for line in r.out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        findings = d.get("diagnostics", [d])
        for f in findings:
            if f.get("severity", "error") != "error":
                continue
            name = Path(f.get("file", d.get("file", "?"))).name
            invalid.add(name)
            if f.get("rule") in CFG_SYNTAX_RULES:
                syntax.add(name)
    return invalid, syntax


def cjs_verdict(r: Run) -> tuple[set[str], set[str]]:
    d = json.loads(r.out)
    errors = {Path(e["filename"]).name for e in d.get("errors", [])}
    parse = {Path(e["filename"]).name for e in d.get("parse_errors", [])}
    return errors | parse, parse


def yamllint_syntax(r: Run) -> set[str]:
    # parsable format: `file:line:col: [error] syntax error: ... (syntax)`
    return {Path(m.group(1)).name for m in re.finditer(r"^(.+?):\d+:\d+: \[error\] syntax error", r.out, re.M)}


def check_yaml_syntax(r: Run) -> set[str]:
    # check-yaml prints ruamel's exception, whose marks name the file: `in "f.yaml", line 10`
    return {Path(m.group(1)).name for m in re.finditer(r'in "([^"]+)", line \d+', r.out)}


def section_check(rep: Report, ctx: Context) -> None:
    rep.section("Checking: the corpus")
    if not ctx.has_check:
        rep.note("skipped: cfg has no `check` yet")
        rep.goal("check faster than check-jsonschema (corpus, wall)", "≥ 100×", "—", None, "no `cfg check`")
        rep.goal("one file checked", "< 10 ms", "—", None, "no `cfg check`")
        return
    corpus = ctx.corpus
    names = [p.name for p in corpus]
    schema = str(OURS.schema)
    t = ctx.tools
    commands = {
        "cfg check": [ctx.cfg, "check", "--schema", schema, "--format", "json", *names],
        "check-jsonschema": [t["check-jsonschema"], "--schemafile", schema, "-o", "JSON", *names],
        # yamllint as people run it (default rules); only its syntax errors are compared.
        "yamllint": [t["yamllint"], "-f", "parsable", "-d", "default", *names],
        "check-yaml": [t["check-yaml"], *names],
    }
    cwd = dict.fromkeys(commands, corpus[0].parent)
    reps = {"cfg check": ctx.reps(5), "check-jsonschema": ctx.reps(3), "yamllint": ctx.reps(3), "check-yaml": ctx.reps(3)}
    shared = "cfg check (shared reference corpus)"
    if ctx.shared:  # the cross-check: cfg alone on the shared corpus and schema, same size
        ref = ctx.shared.generate(ctx.scratch / "shared-corpus", len(corpus), ctx.corpus_entries)
        commands[shared] = [ctx.cfg, "check", "--schema", ctx.shared.schema, "--format", "json", *[p.name for p in ref]]
        cwd[shared] = ref[0].parent
        reps[shared] = reps["cfg check"]
    samples = {k: Sample() for k in commands}
    for tool, cmd in commands.items():  # warm-up: peak memory, page cache
        samples[tool].memory.append(run(cmd, cwd=cwd[tool], env=ctx.env, rss=True))
    for i in range(max(reps.values())):  # interleaved rounds
        for tool, cmd in commands.items():
            if i < reps[tool]:
                samples[tool].runs.append(run(cmd, cwd=cwd[tool], env=ctx.env))
    n = len(corpus)
    rep.note(
        f"{n} files of `bench/gen_corpus.py`, {ctx.corpus_entries} entries each, mean "
        f"{statistics.fmean(p.stat().st_size for p in corpus) / 1024:.1f} KiB; schema `bench/{OURS.schema.name}`"
        f"{f' (last row: the shared reference corpus and schema, {ctx.shared.generator.parent})' if ctx.shared else ''}; "
        f"one process per tool over all files; median of "
        f"{reps['cfg check']} (cfg) / {reps['check-jsonschema']} (others) interleaved runs. "
        f"cfg may use all {os.cpu_count()} cores; the Python tools use one, so CPU time is shown too."
    )
    base = samples["cfg check"]
    rows = []
    for tool, s in samples.items():
        rows.append([
            tool, ms(s.wall), ms(s.cpu), s.rss(),
            f"{s.wall / n * 1000:.2f} ms",
            "1.0×" if tool == "cfg check" else ratio(s.wall, base.wall),
            "1.0×" if tool == "cfg check" else ratio(s.cpu, base.cpu),
        ])
    rep.table(["tool", "wall", "CPU", "peak RSS", "wall per file", "wall vs cfg", "CPU vs cfg"], rows)

    # Agreement. cfg and check-jsonschema judge everything; yamllint and check-yaml
    # only syntax, so those four are compared on syntax alone.
    last = {tool: s.runs[-1] for tool, s in samples.items()}
    cfg_invalid, cfg_syntax = cfg_check_verdict(last["cfg check"])
    cjs_invalid, cjs_syntax = cjs_verdict(last["check-jsonschema"])
    syntax = {
        "cfg check": cfg_syntax,
        "check-jsonschema": cjs_syntax,
        "yamllint": yamllint_syntax(last["yamllint"]),
        "check-yaml": check_yaml_syntax(last["check-yaml"]),
    }
    intended = {p.name for i, p in enumerate(corpus) if i % 10 in (3, 6, 9)}
    intended_syntax = {p.name for i, p in enumerate(corpus) if i % 10 == 9}
    rep.note(
        f"Invalid files found: cfg {len(cfg_invalid)}, check-jsonschema {len(cjs_invalid)} "
        f"(the generator breaks {len(intended)}). "
        "Syntax errors found: " + ", ".join(f"{k} {len(v)}" for k, v in syntax.items())
        + f" (generator: {len(intended_syntax)})."
    )
    if ctx.shared:
        ref_invalid, ref_syntax = cfg_check_verdict(samples[shared].runs[-1])
        rep.note(f"Shared reference corpus: cfg finds {len(ref_invalid)} invalid files, {len(ref_syntax)} with "
                 f"syntax errors (its generator alters {len(intended)}, {len(intended_syntax)} of them "
                 "to break the syntax; a `retry_count: -0` it makes is still valid).")
    disagreements = []
    for f in sorted(cfg_invalid ^ cjs_invalid):
        disagreements.append(f"{f}: cfg says {'invalid' if f in cfg_invalid else 'valid'}, "
                             f"check-jsonschema says {'invalid' if f in cjs_invalid else 'valid'}")
    all_syntax = set().union(*syntax.values())
    for f in sorted(all_syntax):
        seen = [k for k, v in syntax.items() if f in v]
        if len(seen) != len(syntax):
            disagreements.append(f"{f}: syntax error only for {', '.join(seen)}")
    if disagreements:
        rep.note(f"DISAGREEMENTS ({len(disagreements)}):")
        for d in disagreements[:30]:
            rep.note(f"- {d}")
        if len(disagreements) > 30:
            rep.note(f"- … and {len(disagreements) - 30} more")
    else:
        rep.note("All tools agree on which files are invalid (yamllint and check-yaml: on syntax).")

    # One file, as a pre-commit hook or an editor would run it.
    one = corpus[0].name
    single = {"cfg check": Sample(), "check-jsonschema": Sample()}
    single_cmd = {
        "cfg check": [ctx.cfg, "check", "--schema", schema, one],
        "check-jsonschema": [t["check-jsonschema"], "--schemafile", schema, one],
    }
    for tool, cmd in single_cmd.items():
        single[tool].memory.append(run(cmd, cwd=corpus[0].parent, env=ctx.env, rss=True))
    for i in range(ctx.reps(20)):
        for tool, cmd in single_cmd.items():
            if tool == "cfg check" or i < ctx.reps(5):
                single[tool].runs.append(run(cmd, cwd=corpus[0].parent, env=ctx.env))
    rep.table(
        ["one file", "wall", "peak RSS", "vs cfg"],
        [[tool, ms(s.wall), s.rss(), "1.0×" if tool == "cfg check" else ratio(s.wall, single["cfg check"].wall)]
         for tool, s in single.items()],
    )
    speedup = samples["check-jsonschema"].wall / base.wall
    cpu_speedup = samples["check-jsonschema"].cpu / base.cpu
    rep.goal("check faster than check-jsonschema (corpus, wall)", "≥ 100×", f"{speedup:.1f}×", speedup >= 100,
             f"{cpu_speedup:.1f}× in CPU")
    rep.goal("one file checked", "< 10 ms", ms(single["cfg check"].wall), single["cfg check"].wall < 0.010)
    rep.goal("all tools agree on which files are invalid", "0 disagreements", str(len(disagreements)),
             not disagreements)
    rep.data["check"] = {
        tool: {"wall": s.wall, "cpu": s.cpu, "rss_mib": s.rss_mib, "runs": len(s.runs)} for tool, s in samples.items()
    } | {"one_file": {tool: s.wall for tool, s in single.items()}, "disagreements": disagreements}


# --------------------------------------------------------------------------
# Section: durable writes


def init_cfg_root(ctx: Context, root: Path, name: str, content: str, schema: Path | None = OURS.schema,
                  cfg: Path | None = None) -> None:
    """A managed root holding `name` (one commit), made by `cfg` (default: the
    measured build); with `schema`, `.cfg.yaml` maps every YAML file to it, so
    writes are validated as a user's would be."""
    cfg = cfg or ctx.cfg
    root.mkdir(parents=True)
    must(run([cfg, "init", root], env=ctx.env))
    if ctx.has_check and schema:
        (root / ".cfg.yaml").write_text(f'schemas:\n  - glob: "*.y*ml"\n    schema: "{schema}"\n')
    src = root.parent / f"{root.name}.first"
    src.write_text(content)
    must(run([cfg, "write", name, "-i", src, "-m", "first"], cwd=root, env=ctx.env))


def init_git_root(ctx: Context, root: Path, name: str, content: str) -> None:
    root.mkdir(parents=True)
    must(run(["git", "init", "-q", "-b", "main", root], env=ctx.env))
    (root / name).write_text(content)
    must(run(["git", "add", name], cwd=root, env=ctx.env))
    must(run(["git", "commit", "-q", "-m", "first"], cwd=root, env=ctx.env))


def commit_count(ctx: Context, root: Path) -> int:
    return int(must(run(["git", "--git-dir", root / ".cfg", "rev-list", "--count", "main"], env=ctx.env)).out)


SYNC_CALLS = ("fsync", "fdatasync", "syncfs", "sync_file_range", "msync")
# What a flush wait is for: making a file, an object or a ref safe to publish
# under its name (git publishes loose objects with link, then unlink).
PUBLISH_CALLS = {"rename": "rename", "renameat": "rename", "renameat2": "rename", "link": "link", "linkat": "link"}
# Whose return value is a new thread or process: the helpers of a barrier.
SPAWN_CALLS = ("clone", "clone3", "fork", "vfork")
# `12345 1700000000.123456 fsync(3) = 0 <0.000200>`, and the `<unfinished ...>` /
# `<... fsync resumed>` halves that `strace -f` prints when threads interleave.
STRACE_LINE = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(\d+\.\d+)\s+(.*?)(?:\s+<(\d+\.\d+)>)?$")


@dataclass
class Flushes:
    """The flushes of one traced run: how many fsync-family calls, and how many
    separate waits they make, with the order of waits, renames and links."""

    syncs: int
    waits: int
    sequence: str


def parse_flushes(log: str) -> Flushes:
    """Groups the sync calls of an `strace -f -ttt -T` log into flush waits.

    A call joins the current wait when it overlaps it in time, or when no rename
    or link came between and another thread is still alive that flushed in this
    wait or was started since the last rename or link: that is a barrier run by
    a pool of threads, which strace slows enough that one thread may flush two
    files before another has begun its first. A call after a rename or link, or
    once the other threads of its barrier have exited (a barrier's threads end
    with it; a process is one thread), waited for what came before it: a new
    wait."""
    pending: dict[str, float] = {}
    exited: dict[str, float] = {}
    calls: list[tuple[float, float, str, str, str]] = []  # start, end, name, thread, result
    for line in log.splitlines():
        m = STRACE_LINE.match(line)
        if not m:
            continue
        tid, stamp, rest, took = m.group(1), float(m.group(2)), m.group(3), float(m.group(4) or 0)
        result = (r.group(1) if (r := re.search(r"= (\d+)$", rest)) else "")
        if rest.startswith("+++ "):
            exited[tid] = stamp
        elif rest.endswith("<unfinished ...>"):
            pending[tid] = stamp
        elif resumed := re.match(r"<\.\.\. (\w+) resumed>", rest):
            start = pending.pop(tid, stamp - took)
            calls.append((start, stamp, resumed.group(1), tid, result))
        elif call := re.match(r"(\w+)\(", rest):
            calls.append((stamp, stamp + took, call.group(1), tid, result))
    calls.sort()
    waits: list[dict] = []
    sequence: list[list] = []  # [event, count]
    spawned: set[str] = set()  # threads and processes started since the last rename or link
    for start, end, name, tid, result in calls:
        if name in SPAWN_CALLS and result:
            spawned.add(result)
        elif name in PUBLISH_CALLS:
            spawned = set()
            event = PUBLISH_CALLS[name]
            if sequence and sequence[-1][0] == event:
                sequence[-1][1] += 1
            else:
                sequence.append([event, 1])
        elif name in SYNC_CALLS:
            last = waits[-1] if waits else None
            helpers = (last["threads"] | spawned) - {tid} if last else set()
            joins = last is not None and (
                start <= last["end"]
                or (sequence[-1] is last["entry"] and any(exited.get(t, math.inf) > start for t in helpers)))
            if joins:
                last["end"] = max(last["end"], end)
                last["threads"].add(tid)
                last["entry"][1] += 1
            else:
                sequence.append(["flush", 1])
                waits.append({"end": end, "threads": {tid}, "entry": sequence[-1]})
    return Flushes(
        syncs=sum(n for e, n in sequence if e == "flush"),
        waits=len(waits),
        sequence=" ".join(f"{e}({n})" for e, n in sequence),
    )


def trace_flushes(cmd: list, cwd: Path, ctx: Context) -> Flushes | None:
    """The flushes of one run under `strace -f` (None without strace)."""
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile(mode="r") as log:
        must(run(["strace", "-f", "-ttt", "-T", "-o", log.name,
                  "-e", "trace=" + ",".join(SYNC_CALLS + tuple(PUBLISH_CALLS) + SPAWN_CALLS), *cmd],
                 cwd=cwd, env=ctx.env))
        return parse_flushes(log.read())


def flush_cost(folder: Path, trials: int) -> dict[str, float]:
    """What flushing costs on this disk right now: one fsync, ten fsyncs one
    after the other, and ten at once from threads (the kernel merges concurrent
    flushes). Each trial writes ten fresh 8 KiB files first."""
    pool = concurrent.futures.ThreadPoolExecutor(10)

    def trial(n: int, parallel: bool) -> float:
        fds = []
        for i in range(n):
            fd = os.open(folder / f"probe{i}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, os.urandom(8192))
            fds.append(fd)
        start = time.perf_counter()
        if parallel:
            list(pool.map(os.fsync, fds))
        else:
            for fd in fds:
                os.fsync(fd)
        elapsed = time.perf_counter() - start
        for fd in fds:
            os.close(fd)
        return elapsed

    times: dict[str, list[float]] = {"1 fsync": [], "10 fsyncs, one after the other": [], "10 fsyncs, at once": []}
    for _ in range(trials):  # interleaved
        times["1 fsync"].append(trial(1, False))
        times["10 fsyncs, one after the other"].append(trial(10, False))
        times["10 fsyncs, at once"].append(trial(10, True))
    pool.shutdown()
    return {k: statistics.median(v) for k, v in times.items()}


@dataclass
class Writer:
    """One way of writing the file: its command for a source file, where it runs,
    and the sources it writes (distinct content each)."""

    command: Callable[[Path], list]
    cwd: Path
    srcs: list[Path]


FLOOR = "floor (examples/floor.rs)"
CFG = "cfg write"
GIT = "git add+commit (default)"
GIT_FSYNC = "git add+commit (core.fsync=all)"
SYNTAX_ONLY = "cfg write (no .cfg.yaml: syntax only)"
SHARED_ROW = "cfg write (shared reference file and schema)"
OTHER = "cfg write (--compare-cfg)"


def sources(folder: Path, base: str, count: int, first: int) -> list[Path]:
    folder.mkdir()
    srcs = []
    for i in range(count):
        src = folder / f"src{i:04d}.yml"
        src.write_text(variant(base, first + i))
        srcs.append(src)
    return srcs


def section_write(rep: Report, ctx: Context) -> None:
    rep.section("Durable writes: one 8 KB file, a process per write")
    work = ctx.scratch / "write"
    work.mkdir()
    base = ctx.write_base
    count = ctx.reps(200)
    # Spare sources past `count`: a warm-up write and the traced ones.
    traced = ctx.reps(5)
    srcs = sources(work / "src", base, count + 1 + traced, 0)
    name = "schedule_config.yml"
    git_job = 'cat "$1" > "$2" && git {c} add "$2" && git {c} commit -q -m "write $2"'
    roots = {}

    def root(label: str) -> Path:
        roots[label] = work / f"root{len(roots)}"
        return roots[label]

    floor_root = root(FLOOR)
    floor_root.mkdir()
    (floor_root / name).write_text(base)
    writers = {
        FLOOR: Writer(lambda src: [ctx.floor, name, src], floor_root, srcs),
        CFG: Writer(lambda src: [ctx.cfg, "write", name, "-i", src], root(CFG), srcs),
        GIT: Writer(lambda src: ["sh", "-c", git_job.format(c=""), "sh", src, name], root(GIT), srcs),
        GIT_FSYNC: Writer(lambda src: ["sh", "-c", git_job.format(c="-c core.fsync=all -c core.fsyncMethod=fsync"),
                                       "sh", src, name], root(GIT_FSYNC), srcs),
    }
    init_cfg_root(ctx, roots[CFG], name, base)
    init_git_root(ctx, roots[GIT], name, base)
    init_git_root(ctx, roots[GIT_FSYNC], name, base)
    if ctx.has_check:  # the same write without a schema: what validation costs
        writers[SYNTAX_ONLY] = Writer(lambda src: [ctx.cfg, "write", name, "-i", src], root(SYNTAX_ONLY), srcs)
        init_cfg_root(ctx, roots[SYNTAX_ONLY], name, base, schema=None)
    if ctx.has_check and ctx.shared:  # the cross-check on the shared reference material
        shared_base = ctx.shared.write_base(ctx.scratch)
        writers[SHARED_ROW] = Writer(lambda src: [ctx.cfg, "write", name, "-i", src], root(SHARED_ROW),
                                     sources(work / "src-shared", shared_base, count + 1 + traced, 0))
        init_cfg_root(ctx, roots[SHARED_ROW], name, shared_base, schema=ctx.shared.schema)
    if ctx.other_cfg:  # --compare-cfg: another build, e.g. the starting main, side by side
        writers[OTHER] = Writer(lambda src: [ctx.other_cfg, "write", name, "-i", src], root(OTHER), srcs)
        init_cfg_root(ctx, roots[OTHER], name, base, cfg=ctx.other_cfg)
    samples = {k: Sample() for k in writers}
    for label, w in writers.items():  # warm-up: peak memory; one more commit each
        samples[label].memory.append(must(run(w.command(w.srcs[count]), cwd=w.cwd, env=ctx.env, rss=True)))
    rounds = 4 if count >= 8 else 1
    per_round = count // rounds
    for r in range(rounds):
        for label, w in writers.items():
            for src in w.srcs[r * per_round:(r + 1) * per_round]:
                samples[label].runs.append(must(run(w.command(src), cwd=w.cwd, env=ctx.env)))
    # The writes must have happened: every cfg write is a commit.
    commits = commit_count(ctx, roots[CFG])
    expected = 2 + rounds * per_round
    if commits != expected:
        sys.exit(f"bench: the cfg store holds {commits} commits after the writes, not {expected}")
    # How many flushes each writer asks for, and in how many waits: what the disk sees.
    flushes: dict[str, list[Flushes]] = {}
    for label, w in writers.items():
        for src in w.srcs[count + 1:]:
            if (f := trace_flushes(w.command(src), w.cwd, ctx)) is not None:
                flushes.setdefault(label, []).append(f)

    def syncs(label: str) -> str:
        return str(statistics.median(f.syncs for f in flushes[label])) if label in flushes else "n/a"

    def waits(label: str) -> str:
        return str(statistics.median(f.waits for f in flushes[label])) if label in flushes else "n/a"

    floor = samples[FLOOR]
    rep.note(
        f"{rounds * per_round} writes per row of a {len(base.encode()) / 1024:.1f} KiB file (`bench/gen_corpus.py`, "
        f"20 entries; `.cfg.yaml` maps it to `bench/{OURS.schema.name}`), each with different content, "
        f"{rounds} interleaved rounds; a process per write for every row. The cfg store holds {commits} commits "
        "afterwards. Git by default does not fsync loose objects, refs or the index; `core.fsync=all` is git made "
        "as durable as cfg."
    )
    rep.table(
        ["per write", "wall mean", "wall median", "vs floor", "peak RSS"],
        [[label, ms(s.mean), ms(s.wall), ratio(s.mean, floor.mean), s.rss()] for label, s in samples.items()],
    )
    rep.note(
        "What each write costs the machine: CPU time (user + system) and minor page faults of the process and "
        "the children it waited for (`wait4` rusage); fsync-family calls and flush waits from "
        f"`strace -f -ttt -T` of {traced} more write{'s' if traced > 1 else ''} (median)."
    )
    rep.table(
        ["per write", "CPU mean", "CPU median", "CPU vs floor", "page faults", "fsyncs", "flush waits"],
        [[label, ms(s.cpu_mean), ms(s.cpu), ratio(s.cpu_mean, floor.cpu_mean), f"{s.faults:.0f}", syncs(label),
          waits(label)] for label, s in samples.items()],
    )
    if flushes:
        rep.note("The order of flushes, renames and links in the first traced write. `flush(n)` is one wait for "
                 "n sync calls: calls that overlap in time, or that the threads of one barrier make with no rename "
                 "or link between; a call after a rename or link, or once the other threads of its barrier have "
                 "exited, starts a new wait (`parse_flushes` in bench.py).")
        rep.table(["writer", "flushes, renames and links"],
                  [[label, f[0].sequence or "—"] for label, f in flushes.items()])
    probe = work / "probe"
    probe.mkdir()
    flush = flush_cost(probe, ctx.reps(30))
    rep.note("What a flush costs on this disk during this run (median; Python `os.fsync` on fresh 8 KiB files):")
    rep.table(["flush", "time"], [[k, ms(v)] for k, v in flush.items()])

    c, g, gf = samples[CFG].mean, samples[GIT].mean, samples[GIT_FSYNC].mean
    rep.goal("CLI write vs the CLI floor (wall, mean)", "≤ 2.0×", f"{c / floor.mean:.2f}×", c <= 2 * floor.mean,
             f"{ms(c)} vs {ms(floor.mean)}")
    rep.goal("CLI write vs git add+commit, git's defaults (wall, mean)", "< 1.0×", f"{c / g:.2f}×", c < g,
             f"{ms(c)} vs {ms(g)}")
    rep.goal("CLI write vs git add+commit, core.fsync=all (wall, mean)", "< 1.0×", f"{c / gf:.2f}×", c < gf,
             f"{ms(c)} vs {ms(gf)}")
    cpu = samples[CFG].cpu_mean
    evidence = f"floor {ms(floor.cpu_mean)}, git {ms(samples[GIT].cpu_mean)}"
    if SHARED_ROW in samples:
        evidence += f"; shared reference file and schema {ms(samples[SHARED_ROW].cpu_mean)}"
    rep.goal("CPU per CLI write (8 KB file, its schema in .cfg.yaml; mean)", "≤ 2 ms", ms(cpu), cpu <= 0.002,
             evidence)
    if CFG in flushes:
        w = statistics.median(f.waits for f in flushes[CFG])
        rep.goal("flush waits per CLI write (strace)", "≤ 2, like the floor", f"{w:g}", w <= 2,
                 f"floor {waits(FLOOR)}, git core.fsync=all {waits(GIT_FSYNC)}")
    else:
        rep.goal("flush waits per CLI write (strace)", "≤ 2, like the floor", "—", None, "no strace")
    rep.data["write"] = {
        label: {"mean": s.mean, "median": s.wall, "cpu_mean": s.cpu_mean, "cpu_median": s.cpu, "faults": s.faults,
                "rss_mib": s.rss_mib, "fsyncs": syncs(label), "flush_waits": waits(label),
                "sequence": flushes[label][0].sequence if label in flushes else None}
        for label, s in samples.items()
    } | {"flush": flush}


# --------------------------------------------------------------------------
# Section: in-process writes


def section_library(rep: Report, ctx: Context) -> None:
    rep.section("In-process writes: the library API in a loop")
    work = ctx.scratch / "library"
    work.mkdir()
    name = "schedule_config.yml"
    count = ctx.reps(200)
    rounds = 10 if count >= 20 else 1
    srcs = sources(work / "src", ctx.write_base, count, 0)
    root = work / "root"
    init_cfg_root(ctx, root, name, ctx.write_base)
    floor_dir = work / "floor"
    floor_dir.mkdir()
    (floor_dir / name).write_text(ctx.write_base)
    r = must(run([ctx.lib_write, root, name, floor_dir, str(rounds), *srcs], env=ctx.env))
    times: dict[str, list[float]] = {"library": [], "floor": []}
    faults: dict[str, list[int]] = {"library": [], "floor": []}
    for line in r.out.splitlines():
        kind, nanos, minflt = line.split("\t")
        times[kind].append(int(nanos) / 1e9)
        faults[kind].append(int(minflt))
    commits = commit_count(ctx, root)
    # The first write, the warm-up and every timed one: each a commit.
    expected = 2 + len(times["library"])
    if commits != expected or len(times["library"]) != len(times["floor"]) or not times["library"]:
        sys.exit(f"bench: lib_write made {commits} commits (expected {expected}) and printed "
                 f"{len(times['library'])} library and {len(times['floor'])} floor times")
    lib, floor = statistics.fmean(times["library"]), statistics.fmean(times["floor"])
    labels = {"library": "cfg::ops::write (library)", "floor": "floor, in-process"}
    rep.note(
        f"{len(times['library'])} writes each of the same {len(ctx.write_base.encode()) / 1024:.1f} KiB file as the "
        f"CLI section (its schema in `.cfg.yaml`), all in one process (`examples/lib_write.rs`): settings loaded "
        f"once, then `cfg::ops::write` against the floor done in-process (temp file, write, fsync, rename, fsync "
        f"folder), {rounds} interleaved rounds alternating which goes first; one untimed write of each first. "
        "Page faults: the whole process's, from `/proc/self/stat`, per write."
    )
    rep.table(
        ["per write", "mean", "median", "p95", "vs floor", "page faults"],
        [[labels[k], ms(statistics.fmean(v)), ms(statistics.median(v)), ms(sorted(v)[int(0.95 * (len(v) - 1))]),
          ratio(statistics.fmean(v), floor), f"{statistics.median(faults[k]):.0f}"] for k, v in times.items()],
    )
    rep.goal("library write vs the in-process floor (wall, mean)", "≤ 1.5×", f"{lib / floor:.2f}×",
             lib <= 1.5 * floor, f"{ms(lib)} vs {ms(floor)}")
    rep.data["library"] = {k: {"mean": statistics.fmean(v), "median": statistics.median(v),
                               "faults": statistics.median(faults[k])} for k, v in times.items()}


# --------------------------------------------------------------------------
# Section: writes from Python


PY_VENV = BENCH / ".venv-python"


def python_package() -> Path:
    """A venv holding `cfgsafe` built from this checkout's `python/` (a release
    build, as `pip install ./python` gives users; maturin comes from PyPI);
    returns its interpreter."""
    python = PY_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", PY_VENV], check=True)
    print("bench: building and installing cfgsafe from python/ into bench/.venv-python (pip, maturin)", flush=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--force-reinstall",
                    "--no-deps", REPO / "python"], check=True)
    return python


def section_python(rep: Report, ctx: Context) -> None:
    rep.section("Writes from Python: cfgsafe in-process, a cfg process, the Rust library")
    python = python_package()
    work = ctx.scratch / "python"
    work.mkdir()
    name = "schedule_config.yml"
    count = ctx.reps(200)
    rounds = 4 if count >= 20 else 1
    per_round = count // rounds
    srcs = sources(work / "src", ctx.write_base, rounds * per_round, 0)
    roots = {kind: work / kind for kind in ("python", "subprocess", "library")}
    for root in roots.values():
        init_cfg_root(ctx, root, name, ctx.write_base)
    floor_dir = work / "floor"
    floor_dir.mkdir()
    (floor_dir / name).write_text(ctx.write_base)
    times: dict[str, list[float]] = {"python": [], "subprocess": [], "library": [], "floor": []}
    for r in range(rounds):  # the Python process and the Rust one alternate which goes first
        chunk = srcs[r * per_round:(r + 1) * per_round]
        py = [python, BENCH / "py_write.py", roots["python"], roots["subprocess"], name, ctx.cfg, *chunk]
        rust = [ctx.lib_write, roots["library"], name, floor_dir, "1", *chunk]
        for cmd in (py, rust) if r % 2 == 0 else (rust, py):
            for line in must(run(cmd, env=ctx.env)).out.splitlines():
                kind, nanos, *_ = line.split("\t")
                times[kind].append(int(nanos) / 1e9)
    # Every write a commit: the first one, each round's warm-up, each SRC.
    expected = {kind: 1 + rounds + len(srcs) for kind in roots}
    for kind, root in roots.items():
        if (commits := commit_count(ctx, root)) != expected[kind]:
            sys.exit(f"bench: the {kind} store holds {commits} commits, not {expected[kind]}")
    mean = {k: statistics.fmean(v) for k, v in times.items()}
    labels = {
        "python": "cfgsafe `Store.write` (Python, in-process)",
        "subprocess": "`subprocess.run([\"cfg\", \"write\", FILE], input=...)` from Python",
        "library": "`cfg::ops::write` (Rust, in-process)",
        "floor": "floor, in-process (Rust)",
    }
    rep.note(
        f"The same {len(ctx.write_base.encode()) / 1024:.1f} KiB file as the other write sections (its schema in "
        f"`.cfg.yaml`), {len(times['python'])} timed writes per row, each with different content, each row in a "
        f"store of its own. `bench/py_write.py` (in the venv holding cfgsafe, a release build of `python/`) "
        f"alternates a `Store.write` and a `cfg write` spawned with `subprocess.run`; `examples/lib_write.rs` "
        f"times the Rust library write and the floor; the two programs take {rounds} rounds in turn, alternating "
        "which goes first, each round opening its store anew with one untimed write. cfgsafe reads `.cfg.yaml` on "
        "every call (so a long-running program follows its edits); lib_write loads it once."
    )
    rep.table(
        ["per write", "mean", "median", "p95", "vs Rust library"],
        [[labels[k], ms(mean[k]), ms(statistics.median(v)), ms(sorted(v)[int(0.95 * (len(v) - 1))]),
          ratio(mean[k], mean["library"])] for k, v in times.items()],
    )
    rep.note(
        f"Side by side: Python in-process / Rust library = {mean['python'] / mean['library']:.2f}×; "
        f"subprocess / Python in-process = {mean['subprocess'] / mean['python']:.2f}×; "
        f"subprocess / Rust library = {mean['subprocess'] / mean['library']:.2f}×; "
        f"Python in-process / floor = {mean['python'] / mean['floor']:.2f}×."
    )
    rep.data["python"] = {k: {"mean": mean[k], "median": statistics.median(v)} for k, v in times.items()}


# --------------------------------------------------------------------------
# Section: contention


def contend(ctx: Context, cfg: Path, root: Path, name: str, srcs: list[list[Path]]) -> dict:
    """One writer thread per row of `srcs`, each spawning `cfg write` for its files in turn."""
    init_cfg_root(ctx, root, name, ctx.write_base, cfg=cfg)

    def writer(row: list[Path]) -> list[Run]:
        return [run([cfg, "write", name, "-i", src], cwd=root, env=ctx.env) for src in row]

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(srcs)) as pool:
        done = list(pool.map(writer, srcs))
    wall = time.perf_counter() - start
    runs = [r for rs in done for r in rs]
    return {"runs": runs, "rate": len(runs) / wall, "commits": commit_count(ctx, root), "expected": 1 + len(runs),
            "failed": [r for r in runs if r.rc != 0]}


def section_contention(rep: Report, ctx: Context) -> None:
    rep.section("Contention: N writer processes on one file")
    work = ctx.scratch / "contention"
    work.mkdir()
    name = "schedule_config.yml"
    per_writer = ctx.reps(40)
    rounds = ctx.reps(3)
    binaries = {"cfg": ctx.cfg} | ({"--compare-cfg": ctx.other_cfg} if ctx.other_cfg else {})
    counts = (1, 2, 4, 8)
    srcs = {n: [[work / f"w{n}-{w}-{k}.yml" for k in range(per_writer)] for w in range(n)] for n in counts}
    for n, table in srcs.items():
        for w, row in enumerate(table):
            for k, src in enumerate(row):
                src.write_text(variant(ctx.write_base, w * 10_000 + k))
    results: dict[tuple[str, int], list[dict]] = {(label, n): [] for n in counts for label in binaries}
    for r in range(rounds):  # every round a fresh store per binary and writer count
        for n in counts:
            order = list(binaries.items())
            for label, cfg in order if r % 2 == 0 else reversed(order):
                res = contend(ctx, cfg, work / f"{label.strip('-')}-w{n}-r{r}", name, srcs[n])
                results[(label, n)].append(res)
                for f in res["failed"][:3]:
                    rep.note(f"failed write ({label}, {n} writers, exit {f.rc}): {f.err.strip()[:300]}")
    rows = []
    rate: dict[tuple[str, int], float] = {}
    for (label, n), rs in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0] != "cfg")):
        lat = sorted(run.wall for res in rs for run in res["runs"])
        rate[(label, n)] = statistics.median(res["rate"] for res in rs)
        rows.append([
            *([label] if len(binaries) > 1 else []),
            str(n), str(len(lat)), f"{rate[(label, n)]:.1f}",
            ms(statistics.median(lat)), ms(lat[int(0.95 * (len(lat) - 1))]), ms(lat[-1]),
            str(sum(len(res["failed"]) for res in rs)), str(sum(res["expected"] - res["commits"] for res in rs)),
        ])
    rep.note(f"{per_writer} writes per writer, each writer a thread spawning `cfg write` in a loop, distinct content "
             f"per write; {rounds} rounds, each on fresh stores, the binaries alternating which goes first. "
             "writes/s: median over the rounds; latency per write (lock wait included) over all of them; "
             "lost: commits missing from the store.")
    rep.table([*(["binary"] if len(binaries) > 1 else []), "writers", "writes", "writes/s", "median latency",
               "p95", "max", "failed", "lost"], rows)
    every = [res for rs in results.values() for res in rs]
    failed = sum(len(res["failed"]) for res in every)
    lost = sum(res["expected"] - res["commits"] for res in every)
    writes = sum(len(res["runs"]) for res in every)
    rep.goal("no write fails under contention, none is lost", "0 and 0", f"{failed} failed, {lost} lost",
             failed == 0 and lost == 0, f"{writes} writes at 1 to 8 writers")
    if ctx.other_cfg:
        now, then = rate[("cfg", 8)], rate[("--compare-cfg", 8)]
        rep.goal("writes per second at 8 writers vs --compare-cfg", "≥ 2×", f"{now / then:.2f}×", now >= 2 * then,
                 f"{now:.1f} vs {then:.1f} writes/s ({ctx.other_cfg})")
    else:
        rep.goal("writes per second at 8 writers vs --compare-cfg", "≥ 2×", "—", None,
                 "run with --compare-cfg OLD/cfg")
    rep.data["contention"] = {f"{label} {n}": {"writes_per_s": rate[(label, n)],
                                               "failed": sum(len(res["failed"]) for res in rs),
                                               "lost": sum(res["expected"] - res["commits"] for res in rs)}
                              for (label, n), rs in results.items()}


# --------------------------------------------------------------------------
# Section: growth


FILES = ["schedule_config.yml", "queues.yml", "registry.yml", "jobs.yml"]


def build_store(ctx: Context, root: Path, commits: int) -> dict:
    """A store of `commits` commits, generated with `git fast-import` straight into
    `.cfg/`: one linear branch `refs/heads/main`, the managed files at the tree
    root, each commit changing one file, with cfg's trailers. Returns the file
    contents at the tip (written to disk, so nothing looks edited outside cfg)
    and the id of the commit halfway back."""
    root.mkdir(parents=True)
    must(run([ctx.cfg, "init", root], env=ctx.env))
    marks = root.parent / f"{root.name}.marks"
    proc = subprocess.Popen(
        ["git", "--git-dir", root / ".cfg", "fast-import", "--quiet", f"--export-marks={marks}"],
        stdin=subprocess.PIPE, env=ctx.env,
    )
    assert proc.stdin
    tip: dict[str, str] = {}
    t0 = 1_700_000_000
    base = ctx.write_base
    for i in range(commits):
        changed = FILES if i == 0 else [FILES[i % len(FILES)]]
        chunks = [f"commit refs/heads/main\nmark :{i + 1}\n".encode()]
        when = f"{t0 + 60 * i} +0000"
        chunks.append(f"author {AUTHOR} {when}\ncommitter {AUTHOR} {when}\n".encode())
        msg = (f"write {changed[0]}\n\nCfg-Command: cfg write {changed[0]} -i new.yml\n"
               f"Cfg-Host: bench-host\n").encode()
        chunks.append(b"data %d\n%s" % (len(msg), msg))
        for path in changed:
            content = f"# {path}\n" + variant(base, i)
            tip[path] = content
            data = content.encode()
            chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        proc.stdin.write(b"".join(chunks))
    proc.stdin.close()
    if proc.wait() != 0:
        sys.exit("bench: git fast-import failed")
    ids = dict(line.split() for line in marks.read_text().splitlines())
    for path, content in tip.items():
        (root / path).write_text(content)
    if ctx.has_check:
        (root / ".cfg.yaml").write_text(f'schemas:\n  - glob: "*.y*ml"\n    schema: "{OURS.schema}"\n')
    return {"mid": ids[f":{commits // 2 + 1}"]}


def section_growth(rep: Report, ctx: Context) -> None:
    rep.section("Growth: cost against history length")
    work = ctx.scratch / "growth"
    work.mkdir()
    sizes = ctx.growth_sizes
    stores = {}
    for n in sizes:
        start = time.perf_counter()
        stores[n] = build_store(ctx, work / f"s{n}", n)
        rep.say(f"  built a store of {n} commits in {time.perf_counter() - start:.1f} s")
    name = FILES[0]
    ops = ["cfg log -n 20", "cfg cat --rev", "cfg write"] + (["cfg gc --keep-last 10"] if ctx.has_gc else [])
    samples = {(op, n): Sample() for op in ops for n in sizes}
    reps = ctx.reps(9)
    gc_reps = ctx.reps(3)
    gc_left: dict[int, int] = {}
    for i in range(reps):  # rounds over every size, so drift hits all sizes alike
        for n in sizes:
            root = work / f"s{n}"
            samples[("cfg log -n 20", n)].runs.append(must(run([ctx.cfg, "log", "-n", "20"], cwd=root, env=ctx.env)))
            samples[("cfg cat --rev", n)].runs.append(
                must(run([ctx.cfg, "cat", name, "--rev", stores[n]["mid"]], cwd=root, env=ctx.env)))
            src = work / f"s{n}-w{i}.yml"
            src.write_text(variant(ctx.write_base, 1_000_000 + i))
            samples[("cfg write", n)].runs.append(must(run([ctx.cfg, "write", name, "-i", src], cwd=root, env=ctx.env)))
            if ctx.has_gc and i < gc_reps:
                copy = work / f"s{n}-gc"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(root, copy, symlinks=True)
                samples[("cfg gc --keep-last 10", n)].runs.append(
                    must(run([ctx.cfg, "gc", "--keep-last", "10"], cwd=copy, env=ctx.env)))
                # The gc must have done its job: ten versions left.
                left = must(run([ctx.cfg, "log", "--format", "json"], cwd=copy, env=ctx.env)).out.count("\n")
                gc_left.setdefault(n, left)
                shutil.rmtree(copy)
    rep.note(
        f"Stores of {', '.join(f'{n:,}' for n in sizes)} commits ({len(FILES)} files of ~8 KB, one changed per commit, "
        f"packed by fast-import); median of {reps} interleaved runs ({gc_reps} for gc, each on a fresh copy). "
        "`cat --rev` reads the commit halfway back by its full id."
    )
    header = ["operation"] + [f"{n:,} commits" for n in sizes] + [f"{sizes[-1]:,} vs {sizes[0]:,}"]
    rows = []
    verdicts = {}
    for op in ops:
        times = [samples[(op, n)].wall for n in sizes]
        growth = times[-1] / times[0]
        rows.append([op] + [ms(t) for t in times] + [f"{growth:.2f}×"])
        verdicts[op] = (times, growth)
    if not ctx.has_gc:
        rows.append(["cfg gc --keep-last 10"] + ["skipped"] * len(sizes) + ["—"])
    rep.table(header, rows)
    if not ctx.has_gc:
        rep.note("skipped: cfg has no `gc` yet")
    else:
        rep.note("Commits left after gc (`cfg log`): " + ", ".join(f"{n:,} → {k}" for n, k in gc_left.items()) + ".")
    span = sizes[-1] / sizes[0]
    for op in ("cfg log -n 20", "cfg cat --rev", "cfg write"):
        times, growth = verdicts[op]
        # Flat: at most 1.5× across the whole span (noise margin), which is far from any log or linear growth.
        rep.goal(f"{op} flat as history grows", "≤ 1.5×", f"{growth:.2f}×", growth <= 1.5,
                 f"over {span:,.0f}× more commits")
    if ctx.has_gc:
        times, growth = verdicts["cfg gc --keep-last 10"]
        slope = math.log(times[-1] / times[0]) / math.log(span)
        # The top decade says most about the trend (small stores are dominated by start-up).
        top = math.log(times[-1] / times[-2]) / math.log(sizes[-1] / sizes[-2])
        rep.goal("cfg gc at most linear (log-log slope)", "≤ 1.1", f"{max(slope, top):.2f}", max(slope, top) <= 1.1,
                 f"slope {slope:.2f} overall, {top:.2f} over the last step "
                 f"({growth:.1f}× over {span:,.0f}× more commits)")
    else:
        rep.goal("cfg gc at most linear (log-log slope)", "≤ 1.1", "—", None, "no `cfg gc`")
    series = {op: [(n, samples[(op, n)].wall * 1000) for n in sizes] for op in ops}
    (OUT / "growth.svg").write_text(svg_plot(series, "cfg: time per command against history length"))
    rep.note("Plot: `growth.svg` (log-log; a flat line is constant cost, a 45° line is linear).")
    rep.data["growth"] = {op: {str(n): samples[(op, n)].wall for n in sizes} for op in ops}


def svg_plot(series: dict[str, list[tuple[float, float]]], title: str) -> str:
    """A small log-log line chart, written by hand: x = commits, y = milliseconds."""
    w, h, left, right, top, bottom = 640, 380, 70, 190, 40, 50
    xs = [x for pts in series.values() for x, _ in pts]
    ys = [y for pts in series.values() for _, y in pts if y > 0]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(x: float) -> float:
        return left + (math.log10(x) - x0) / (x1 - x0) * (w - left - right)

    def py(y: float) -> float:
        return h - bottom - (math.log10(y) - y0) / (y1 - y0) * (h - top - bottom)

    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="14">{title}</text>']
    for e in range(x0, x1 + 1):
        x = px(10 ** e)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{h - bottom}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{h - bottom + 18}" text-anchor="middle">{10 ** e:,}</text>')
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        label = f"{10 ** e:g} ms"
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    out.append(f'<text x="{(left + w - right) / 2}" y="{h - 12}" text-anchor="middle">commits in the store</text>')
    for i, (name, pts) in enumerate(series.items()):
        color = colors[i % len(colors)]
        path = " ".join(f"{px(x):.1f},{py(max(y, 10 ** y0)):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(max(y, 10 ** y0)):.1f}" r="3" fill="{color}"/>')
        ly = top + 10 + 20 * i
        out.append(f'<line x1="{w - right + 12}" y1="{ly}" x2="{w - right + 32}" y2="{ly}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{w - right + 38}" y="{ly + 4}">{name}</text>')
    out.append("</svg>\n")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Section: large files


def section_large(rep: Report, ctx: Context) -> None:
    mib = 1 if ctx.quick else 10
    rep.section(f"Large files: one {mib} MiB YAML file")
    work = ctx.scratch / "large"
    work.mkdir()
    target = mib * 1024 * 1024
    # Entries per byte, from a small sample of the same generator, then one file of at least `target` bytes.
    sample = OURS.generate(work / "sample", 1, 100)[0]
    entries = math.ceil(target / ((sample.stat().st_size - 150) / 100) * 1.01)
    big = OURS.generate(work / "big", 1, entries)[0]
    size = big.stat().st_size
    base = big.read_text()
    name = "big.yaml"
    srcs = []
    reps = ctx.reps(3)
    for i in range(reps):
        src = work / f"big-{i}.yaml"
        src.write_text(variant(base, i))
        srcs.append(src)
    check = Sample()
    cjs = Sample()
    for i in range(reps):
        if ctx.has_check:
            check.runs.append(run([ctx.cfg, "check", "--schema", OURS.schema, big], env=ctx.env, rss=True))
        if i == 0:
            cjs.runs.append(run([ctx.tools["check-jsonschema"], "--schemafile", OURS.schema, big], env=ctx.env,
                                rss=True))
    root = work / "root"
    init_cfg_root(ctx, root, name, base)
    floor_dir = work / "floor"
    floor_dir.mkdir()
    shutil.copy(big, floor_dir / name)
    write, floor = Sample(), Sample()
    for src in srcs:
        floor.runs.append(must(run([ctx.floor, name, src], cwd=floor_dir, env=ctx.env, rss=True)))
        write.runs.append(must(run([ctx.cfg, "write", name, "-i", src], cwd=root, env=ctx.env, rss=True)))
    rep.note(f"A valid file of {size / 2**20:.1f} MiB ({entries:,} entries); median of {reps} runs "
             "(check-jsonschema: one run), each under `/usr/bin/time` for its peak memory.")
    rows = []
    if ctx.has_check:
        rows.append(["cfg check", ms(check.wall), check.rss(), f"exit {check.runs[-1].rc}", "1.0×"])
    rows.append(["check-jsonschema", ms(cjs.wall), cjs.rss(), f"exit {cjs.runs[-1].rc}",
                 ratio(cjs.wall, check.wall) if ctx.has_check else "—"])
    rows.append(["cfg write", ms(write.wall), write.rss(), "exit 0", "—"])
    rows.append(["floor (same bytes)", ms(floor.wall), floor.rss(), "exit 0", "—"])
    rep.table([f"{mib} MiB", "wall", "peak RSS", "result", "vs cfg check"], rows)
    if not ctx.has_check:
        rep.note("skipped: cfg has no `check` yet (cfg check row)")
    rep.note(f"cfg write of {mib} MiB: {ratio(write.wall, floor.wall)} the floor; peak memory "
             f"{write.rss_mib / (size / 2**20):.1f}× the file size (floor: {floor.rss_mib / (size / 2**20):.1f}×).")
    rep.data["large"] = {"size": size, "cfg_check": check.wall if ctx.has_check else None, "check_jsonschema": cjs.wall,
                         "cfg_write": write.wall, "floor": floor.wall, "cfg_write_rss_mib": write.rss_mib,
                         "cfg_check_rss_mib": check.rss_mib if ctx.has_check else None}


# --------------------------------------------------------------------------
# Section: remote


def remote_hosts(ctx: Context, work: Path, hosts: int) -> tuple[Path, list[Path]]:
    """A bare repository and `hosts` roots syncing through it, on one shared file."""
    bare = work / "remote.git"
    must(run(["git", "init", "-q", "--bare", "--initial-branch=main", bare], env=ctx.env))
    roots = []
    for h in range(hosts):
        root = work / f"host{h}"
        root.mkdir()
        must(run([ctx.cfg, "init", root], env=ctx.env))
        must(run([ctx.cfg, "remote", "add", "origin", bare], cwd=root, env=ctx.env))
        if h == 0:
            src = work / "first.yml"
            src.write_text("".join(f"k{i}: 0\n" for i in range(hosts)))
            must(run([ctx.cfg, "write", "s.yml", "-i", src, "--push"], cwd=root, env=ctx.env))
        else:
            must(run([ctx.cfg, "sync"], cwd=root, env=ctx.env))
        roots.append(root)
    return bare, roots


def section_remote(rep: Report, ctx: Context) -> None:
    rep.section("Remote: hosts sharing one history")
    if not has_subcommand(ctx.cfg, "sync", ctx.env):
        rep.note("skipped: cfg has no `cfg sync` yet")
        return
    work = ctx.scratch / "remote"
    work.mkdir()
    per_host = ctx.reps(30)
    rows = []
    results = {}
    for hosts in (1, 3):
        bare, roots = remote_hosts(ctx, work / f"h{hosts}", hosts)

        def writer(h: int) -> list[Run]:
            return [run([ctx.cfg, "set", "s.yml", f"k{h}", str(n), "--push"], cwd=roots[h], env=ctx.env)
                    for n in range(1, per_host + 1)]

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(hosts) as pool:
            done = list(pool.map(writer, range(hosts)))
        wall = time.perf_counter() - start
        runs = [r for rs in done for r in rs]
        acked = [r for r in runs if r.rc == 0]
        held = sum(1 for r in acked if run(["git", "--git-dir", bare, "merge-base", "--is-ancestor",
                                            r.out.strip(), "main"], env=ctx.env).rc == 0)
        commits = int(must(run(["git", "--git-dir", bare, "rev-list", "--count", "main"], env=ctx.env)).out)
        lat = sorted(r.wall for r in acked)
        rows.append([str(hosts), str(len(runs)), str(len(acked)), f"{len(acked) / wall:.1f}",
                     ms(statistics.median(lat)) if lat else "n/a", ms(lat[int(0.95 * (len(lat) - 1))]) if lat else "n/a",
                     f"{held}/{len(acked)}", str(commits)])
        results[hosts] = {"writes": len(runs), "acknowledged": len(acked), "per_s": len(acked) / wall,
                          "held": held, "remote_commits": commits}
        for r in [r for r in runs if r.rc != 0][:3]:
            rep.note(f"write not acknowledged (exit {r.rc}): {r.err.strip()[:300]}")
    rep.note(f"{per_host} writes per host, each `cfg set s.yml kN VALUE --push` (a write, then a sync that pulls, "
             "merges and pushes, retried when another host pushed first), the hosts writing at once through one "
             "bare repository on the same disk; a write counts once acknowledged (exit 0), when the remote holds it.")
    rep.table(["hosts", "writes", "acknowledged", "landed/s", "median latency", "p95", "held by the remote",
               "remote commits (merges included)"], rows)

    # One sync with nothing to do, against git doing nothing the same way.
    _, (root,) = remote_hosts(ctx, work / "idle", 1)
    git_dir = root / ".cfg"
    head = must(run(["git", "--git-dir", git_dir, "rev-parse", "main"], env=ctx.env)).out.strip()
    sync, git = Sample(), Sample()
    for _ in range(ctx.reps(20)):
        sync.runs.append(must(run([ctx.cfg, "sync"], cwd=root, env=ctx.env)))
        start = time.perf_counter()
        must(run(["git", "--git-dir", git_dir, "fetch", "-q", "origin"], env=ctx.env))
        pushed = must(run(["git", "--git-dir", git_dir, "push", "-q", "origin", f"{head}:refs/heads/main"], env=ctx.env))
        git.runs.append(Run(cmd=pushed.cmd, wall=time.perf_counter() - start, cpu=0, faults=0, rss_kib=0, rc=0, out="", err=""))
    rep.note(f"One `cfg sync` with nothing to pull or push (median of {len(sync.runs)}, interleaved with the same "
             "work done by git alone: `git fetch` then a `git push` of the same commit).")
    rep.table(["nothing to do", "median", "vs git"],
              [["cfg sync", ms(sync.wall), ratio(sync.wall, git.wall)], ["git fetch + git push", ms(git.wall), "1.0×"]])
    quiet = all(not r.out and not r.err for r in sync.runs)
    rep.goal("a sync with nothing to do prints nothing (cron)", "no output", f"{len(sync.runs)} quiet runs"
             if quiet else "output", quiet)
    held = all(v["held"] == v["acknowledged"] for v in results.values())
    rep.goal("no acknowledged write is missing from the remote", "all held",
             ", ".join(f"{h} host(s): {v['held']}/{v['acknowledged']}" for h, v in results.items()), held)
    rep.goal("an idle sync costs about what git's own fetch and push do", "≤ 1.5× git", ratio(sync.wall, git.wall),
             sync.wall <= 1.5 * git.wall)
    rep.data["remote"] = {"push": results, "idle_sync": sync.wall, "idle_git": git.wall}


# --------------------------------------------------------------------------
# Driver


@dataclass
class Context:
    cfg: Path
    floor: Path
    lib_write: Path
    # The peer tools; empty when no section that needs them runs.
    tools: dict[str, Path]
    env: dict[str, str]
    scratch: Path
    # Our corpus (bench/gen_corpus.py), and the shared reference material if present.
    corpus: list[Path]
    shared: Corpus | None
    corpus_entries: int
    write_base: str
    has_check: bool
    has_gc: bool
    other_cfg: Path | None
    growth_sizes: list[int]
    quick: bool

    def reps(self, n: int) -> int:
        """Repetitions: `n` normally, fewer in a --quick smoke run."""
        return max(1, n // 10) if self.quick else n


SECTIONS = {
    "check": section_check,
    "write": section_write,
    "library": section_library,
    "python": section_python,
    "contention": section_contention,
    "growth": section_growth,
    "large": section_large,
    "remote": section_remote,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="small sizes and few repetitions (a smoke test)")
    parser.add_argument("--no-100k", action="store_true", help="growth: stop at 10,000 commits")
    parser.add_argument("--cfg", help="the cfg binary to measure (default: build target/release/cfg)")
    parser.add_argument("--no-build", action="store_true", help="do not run cargo build")
    parser.add_argument("--compare-cfg", metavar="PATH",
                        help="write and contention sections: also time this other cfg binary (e.g. a build of "
                             "an earlier commit, or a proposed fix), side by side")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder under bench/out")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    if unknown := set(chosen) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.compare_cfg and not Path(args.compare_cfg).is_file():
        parser.error(f"--compare-cfg: {args.compare_cfg} is not a file")

    OUT.mkdir(parents=True, exist_ok=True)
    cfg, floor, lib_write = build(args)
    tools = venv_tools() if {"check", "large"} & set(chosen) else {}
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    home = scratch / "home"
    home.mkdir()
    env = hermetic_env(home)
    quick = args.quick
    entries = 20
    corpus = OURS.generate(scratch / "corpus", 100 if quick else 1000, entries)
    sizes = [100, 1000] if quick else [100, 1_000, 10_000] + ([] if args.no_100k else [100_000])
    ctx = Context(
        cfg=cfg, floor=floor, lib_write=lib_write, tools=tools, env=env, scratch=scratch,
        corpus=corpus, shared=shared_corpus(), corpus_entries=entries, write_base=OURS.write_base(scratch),
        has_check=has_subcommand(cfg, "check", env), has_gc=has_subcommand(cfg, "gc", env),
        growth_sizes=sizes, quick=quick, other_cfg=Path(args.compare_cfg).resolve() if args.compare_cfg else None,
    )
    rep = Report()
    info = machine()
    command = "python3 bench/bench.py " + " ".join(sys.argv[1:])
    rep.say(f"cfg benchmark — {command.strip()}")
    for k, v in info.items():
        rep.say(f"  {k}: {v}")
    rep.say(f"  shared reference material: {ctx.shared.generator.parent if ctx.shared else 'none'}")
    peers = []
    if tools:
        freeze = subprocess.run([VENV / "bin" / "pip", "freeze"], capture_output=True, text=True).stdout.split()
        peers = [p for p in freeze
                 if p.split("==")[0].lower() in ("check-jsonschema", "yamllint", "pre-commit-hooks", "pre_commit_hooks")]
    rep.md += [
        f"Command: `{command.strip()}`  ",
        f"Date: {info['date']}  ",
        f"cfg: {info['cfg']}; peers: {', '.join(peers) or 'not used'}; {info['git']}; Python {info['python']}"
        + (f"; --compare-cfg: `{ctx.other_cfg}`" if ctx.other_cfg else "")
        + (f"; shared reference material: `{ctx.shared.generator.parent}`" if ctx.shared else ""),
        "",
        f"Machine: `nproc` = {info['nproc']}, {info['cpu']}, Linux {info['kernel']}; disk: `{info['disk']}`",
        "",
        "```", "$ free -h", info["free -h"], "```",
    ]
    started = time.perf_counter()
    took = {}
    for name in chosen:
        section_start = time.perf_counter()
        SECTIONS[name](rep, ctx)
        took[name] = time.perf_counter() - section_start
    rep.section("Goals")
    rep.table(["goal", "target", "measured", "result", "evidence"],
              [[g["goal"], g["target"], g["measured"], {True: "met", False: "**missed**", None: "not measured"}[g["met"]],
                g["evidence"]] for g in rep.goals])
    rep.note(f"Total run time: {(time.perf_counter() - started) / 60:.1f} min ("
             + ", ".join(f"{name} {t / 60:.1f}" for name, t in took.items()) + ").")
    (OUT / "report.md").write_text("\n".join(rep.md) + "\n")
    # Also kept under the run's time, so that a later partial run does not overwrite it.
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M")
    (OUT / f"report-{stamp}.md").write_text("\n".join(rep.md) + "\n")
    (OUT / "results.json").write_text(json.dumps({"machine": info, "command": command, **rep.data,
                                                   "goals": rep.goals}, indent=2, default=str) + "\n")
    print(f"\nbench: wrote {OUT / 'report.md'}, {OUT / 'results.json'}"
          + (f", {OUT / 'growth.svg'}" if "growth" in chosen else ""))
    if not args.keep:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
