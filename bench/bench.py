#!/usr/bin/env python3
"""The `cfg` benchmark (issue 7): how fast `cfg` is next to what people would use
instead, as ratios measured side by side in one run, and how its cost grows.

    python3 bench/bench.py            # everything; about ten minutes
    python3 bench/bench.py --quick    # a smoke run on small sizes, about a minute
    python3 bench/bench.py --help

Sections (each prints its ratios; `--only` picks some):

  check       the reference corpus (1,000 files of ~8 KB, 20 entries each) checked
              by `cfg check`, check-jsonschema, yamllint and check-yaml: wall time,
              CPU time, peak memory, ratios, and whether the tools agree.
  write       200 durable writes of an 8 KB file: `cfg write` against the floor
              (`examples/floor.rs`: temp file, fsync, rename, fsync folder; no git)
              and against the git CLI (`git add` + `git commit`), both with git's
              default settings and with `core.fsync=all`.
  contention  1, 2, 4 and 8 writer processes on one file: writes per second.
  growth      `cfg log -n 20`, `cfg cat --rev`, `cfg write`, `cfg gc --keep-last 10`
              on stores of 100 to 100,000 commits (made with `git fast-import`),
              with an SVG plot of time against history length.
  large       `cfg check` and `cfg write` of a 10 MiB YAML file.
  remote      1 and 3 hosts writing with `--push` at once through one bare
              repository: commits per second the remote lands; one `cfg sync`
              with nothing to do, against `git fetch` + `git push` doing nothing.

Why ratios: this machine is shared and noisy, so absolute times drift from run
to run; every comparison is therefore made inside one run, with the competing
commands interleaved round by round, so that a slow spell hits all of them.

Only the standard library is used here. The peer tools (check-jsonschema,
yamllint, pre-commit-hooks' check-yaml) are installed from PyPI at the versions
pinned in `bench/requirements.txt` into `bench/.venv`; that pip run is the only
network access. Everything the run creates goes under `bench/out/` (gitignored):
`report.md`, `results.json`, `growth.svg`, and a scratch folder removed at the end.
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
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
OUT = BENCH / "out"
VENV = BENCH / ".venv"
# The reference corpus generator and schema: ../shared/bench next to the repository,
# or wherever CFG_BENCH_SHARED points (relative paths are taken from the repository).
SHARED = REPO / os.environ.get("CFG_BENCH_SHARED", "../shared/bench")

# Fixed identities and an isolated git configuration: the user's settings must
# not change what is measured.
AUTHOR = "bench <bench@example.invalid>"


# --------------------------------------------------------------------------
# Running and measuring one command


@dataclass
class Run:
    """One finished command: wall and CPU seconds, peak RSS in KiB, exit code, output."""

    cmd: list[str]
    wall: float
    cpu: float
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
        self.goals: list[tuple[str, bool | None, str]] = []

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

    def goal(self, name: str, met: bool | None, evidence: str) -> None:
        """Records a goal; `met=None` means it could not be measured in this run."""
        self.goals.append((name, met, evidence))
        mark = {True: "met", False: "MISSED", None: "not measured"}[met]
        self.say(f"  goal: {name}: {mark} ({evidence})")


# --------------------------------------------------------------------------
# Setup: the cfg binary, the floor, the peer tools, the environment


def build(args: argparse.Namespace) -> tuple[Path, Path]:
    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "--locked", "--bin", "cfg", "--example", "floor"],
            cwd=REPO,
            check=True,
        )
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    cfg = Path(args.cfg) if args.cfg else target / "release" / "cfg"
    floor = target / "release" / "examples" / "floor"
    for binary in (cfg, floor):
        if not binary.exists():
            sys.exit(f"bench: {binary} is missing (run without --no-build)")
    return cfg.resolve(), floor.resolve()


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


def gen_corpus(out: Path, files: int, entries: int) -> list[Path]:
    """Runs the shared reference generator; it is seeded, so every run is the same."""
    subprocess.run([sys.executable, SHARED / "gen_corpus.py", out, str(files), str(entries)], check=True)
    return sorted(out.glob("*.yaml"))


def variant(base: str, i: int) -> str:
    """`base` with one value changed: distinct content for write number `i`."""
    return base.replace("Nightly task number 0 that", f"Nightly task number 0 (edit {i}) that", 1)


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
    rep.section("Checking: the reference corpus")
    if not ctx.has_check:
        rep.note("skipped: cfg has no `check` yet")
        rep.goal("check ≥100× faster than check-jsonschema", None, "no `cfg check`")
        rep.goal("one file checked in under 10 ms", None, "no `cfg check`")
        return
    corpus = ctx.corpus
    names = [p.name for p in corpus]
    schema = str(ctx.schema)
    t = ctx.tools
    commands = {
        "cfg check": [ctx.cfg, "check", "--schema", schema, "--format", "json", *names],
        "check-jsonschema": [t["check-jsonschema"], "--schemafile", schema, "-o", "JSON", *names],
        # yamllint as people run it (default rules); only its syntax errors are compared.
        "yamllint": [t["yamllint"], "-f", "parsable", "-d", "default", *names],
        "check-yaml": [t["check-yaml"], *names],
    }
    reps = {"cfg check": ctx.reps(5), "check-jsonschema": ctx.reps(3), "yamllint": ctx.reps(3), "check-yaml": ctx.reps(3)}
    samples = {k: Sample() for k in commands}
    for tool, cmd in commands.items():  # warm-up: peak memory, page cache
        samples[tool].memory.append(run(cmd, cwd=corpus[0].parent, env=ctx.env, rss=True))
    for i in range(max(reps.values())):  # interleaved rounds
        for tool, cmd in commands.items():
            if i < reps[tool]:
                samples[tool].runs.append(run(cmd, cwd=corpus[0].parent, env=ctx.env))
    n = len(corpus)
    rep.note(
        f"{n} files, {ctx.corpus_entries} entries each, mean {statistics.fmean(p.stat().st_size for p in corpus) / 1024:.1f} KiB; "
        f"schema `{ctx.schema.name}`; one process per tool over all files; median of "
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
        f"(the generator alters {len(intended)}; a `retry_count: -0` it makes is still valid). "
        "Syntax errors found: " + ", ".join(f"{k} {len(v)}" for k, v in syntax.items())
        + f" (generator: {len(intended_syntax)})."
    )
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
    rep.goal("check ≥100× faster than check-jsonschema (corpus, wall)", speedup >= 100,
             f"{speedup:.1f}× wall, {cpu_speedup:.1f}× CPU")
    rep.goal("one file checked in under 10 ms", single["cfg check"].wall < 0.010, ms(single["cfg check"].wall))
    rep.goal("all tools agree on which files are invalid", not disagreements, f"{len(disagreements)} disagreements")
    rep.data["check"] = {
        tool: {"wall": s.wall, "cpu": s.cpu, "rss_mib": s.rss_mib, "runs": len(s.runs)} for tool, s in samples.items()
    } | {"one_file": {tool: s.wall for tool, s in single.items()}, "disagreements": disagreements}


# --------------------------------------------------------------------------
# Section: durable writes


def init_cfg_root(ctx: Context, root: Path, name: str, content: str, schema: bool = True) -> None:
    root.mkdir(parents=True)
    must(run([ctx.cfg, "init", root], env=ctx.env))
    if ctx.has_check and schema:
        # With validation on the branch, writes are checked against the same schema.
        (root / ".cfg.yaml").write_text(f'schemas:\n  - glob: "*.y*ml"\n    schema: "{ctx.schema}"\n')
    src = root.parent / f"{root.name}.first"
    src.write_text(content)
    must(run([ctx.cfg, "write", name, "-i", src, "-m", "first"], cwd=root, env=ctx.env))


def init_git_root(ctx: Context, root: Path, name: str, content: str) -> None:
    root.mkdir(parents=True)
    must(run(["git", "init", "-q", "-b", "main", root], env=ctx.env))
    (root / name).write_text(content)
    must(run(["git", "add", name], cwd=root, env=ctx.env))
    must(run(["git", "commit", "-q", "-m", "first"], cwd=root, env=ctx.env))


def sync_calls(cmd: list, cwd: Path, ctx: Context) -> int | None:
    """The fsync-family system calls one run makes, counted by `strace -c`
    (None without strace)."""
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile(mode="r") as counts:
        must(run(["strace", "-f", "-c", "-o", counts.name,
                  "-e", "trace=fsync,fdatasync,syncfs,sync_file_range,msync", *cmd], cwd=cwd, env=ctx.env))
        total = [line for line in counts.read().splitlines() if line.rstrip().endswith("total")]
        return int(total[0].split()[3]) if total else 0


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


def section_write(rep: Report, ctx: Context) -> None:
    rep.section("Durable writes: one 8 KB file, written again and again")
    work = ctx.scratch / "write"
    work.mkdir()
    base = ctx.write_base
    count = ctx.reps(200)
    srcs = []
    for i in range(count):
        src = work / f"src{i:04d}.yml"
        src.write_text(variant(base, i))
        srcs.append(src)
    name = "schedule_config.yml"
    roots = {k: work / k for k in ("floor", "cfg", "git", "git-fsync", "cfg-syntax", "other")}
    roots["floor"].mkdir()
    (roots["floor"] / name).write_text(base)
    init_cfg_root(ctx, roots["cfg"], name, base)
    init_git_root(ctx, roots["git"], name, base)
    init_git_root(ctx, roots["git-fsync"], name, base)
    if ctx.has_check:
        init_cfg_root(ctx, roots["cfg-syntax"], name, base, schema=False)
    if ctx.other_cfg:
        init_cfg_root(ctx, roots["other"], name, base)
    git_job = 'cat "$1" > "$2" && git {c} add "$2" && git {c} commit -q -m "write $2"'
    commands = {
        "floor (examples/floor.rs)": lambda src: [ctx.floor, name, src],
        "cfg write": lambda src: [ctx.cfg, "write", name, "-i", src],
        "git add+commit (default)": lambda src: ["sh", "-c", git_job.format(c=""), "sh", src, name],
        "git add+commit (core.fsync=all)": lambda src: [
            "sh", "-c", git_job.format(c="-c core.fsync=all -c core.fsyncMethod=fsync"), "sh", src, name],
    }
    if ctx.has_check:  # the same write without a schema: what validation costs
        commands["cfg write (no .cfg.yaml: syntax only)"] = lambda src: [ctx.cfg, "write", name, "-i", src]
    if ctx.other_cfg:  # --compare-cfg: another build, e.g. with a proposed fix, side by side
        commands["cfg write (--compare-cfg)"] = lambda src: [ctx.other_cfg, "write", name, "-i", src]
    cwd = dict(zip(commands, [roots[k] for k in ("floor", "cfg", "git", "git-fsync")]))
    cwd["cfg write (no .cfg.yaml: syntax only)"] = roots["cfg-syntax"]
    cwd["cfg write (--compare-cfg)"] = roots["other"]
    samples = {k: Sample() for k in commands}
    warm = work / "warm.yml"
    warm.write_text(variant(base, 99_999))
    for tool, make in commands.items():  # warm-up: peak memory; one more commit each
        samples[tool].memory.append(must(run(make(warm), cwd=cwd[tool], env=ctx.env, rss=True)))
    rounds = 4 if count >= 8 else 1
    per_round = count // rounds
    for r in range(rounds):
        for tool, make in commands.items():
            for src in srcs[r * per_round:(r + 1) * per_round]:
                samples[tool].runs.append(must(run(make(src), cwd=cwd[tool], env=ctx.env)))
    # The writes must have happened: every cfg write is a commit.
    commits = int(must(run(["git", "--git-dir", roots["cfg"] / ".cfg", "rev-list", "--count", "main"], env=ctx.env)).out)
    floor = samples["floor (examples/floor.rs)"]
    rep.note(
        f"{rounds * per_round} writes per tool of a {len(base.encode()) / 1024:.1f} KiB file, "
        f"each with different content, {rounds} interleaved rounds; a process per write for every tool. "
        f"The cfg store holds {commits} commits afterwards. Git by default does not fsync loose objects, "
        "refs or the index; `core.fsync=all` is git made as durable as cfg."
    )
    # How many flushes each tool asks for per write: the cost the disk sees.
    syncs = {}
    for tool, make in commands.items():
        src = work / f"strace-{len(syncs)}.yml"
        src.write_text(variant(base, 88_000 + len(syncs)))
        syncs[tool] = sync_calls(make(src), cwd[tool], ctx)
    rows = []
    for tool, s in samples.items():
        rows.append([tool, ms(s.mean), ms(s.wall), ms(statistics.fmean(r.cpu for r in s.runs)),
                     s.rss(), "n/a" if syncs[tool] is None else str(syncs[tool]), ratio(s.mean, floor.mean)])
    rep.table(["per write", "mean", "median", "CPU mean", "peak RSS", "fsyncs", "vs floor"], rows)
    probe = work / "probe"
    probe.mkdir()
    flush = flush_cost(probe, ctx.reps(30))
    rep.note("What a flush costs on this disk during this run (median; Python `os.fsync` on fresh 8 KiB files):")
    rep.table(["flush", "time"], [[k, ms(v)] for k, v in flush.items()])
    c = samples["cfg write"].mean
    rep.note(
        f"cfg write vs git (default): {ratio(c, samples['git add+commit (default)'].mean)} the time; "
        f"vs git (core.fsync=all): {ratio(c, samples['git add+commit (core.fsync=all)'].mean)} the time."
    )
    rep.goal("cfg write within 2× the floor", c <= 2 * floor.mean, f"{c / floor.mean:.2f}× the floor")
    rep.goal("cfg write faster than the git CLI (default)", c < samples["git add+commit (default)"].mean,
             f"{c * 1000:.1f} vs {samples['git add+commit (default)'].mean * 1000:.1f} ms")
    rep.goal("cfg write faster than the git CLI (core.fsync=all)", c < samples["git add+commit (core.fsync=all)"].mean,
             f"{c * 1000:.1f} vs {samples['git add+commit (core.fsync=all)'].mean * 1000:.1f} ms")
    rep.data["write"] = {tool: {"mean": s.mean, "median": s.wall, "rss_mib": s.rss_mib, "fsyncs": syncs[tool]}
                         for tool, s in samples.items()} | {"flush": flush}


# --------------------------------------------------------------------------
# Section: contention


def contend(ctx: Context, cfg: Path, root: Path, name: str, srcs: list[list[Path]]) -> dict:
    """One writer thread per row of `srcs`, each spawning `cfg write` for its files in turn."""
    init_cfg_root(ctx, root, name, ctx.write_base)

    def writer(row: list[Path]) -> list[Run]:
        return [run([cfg, "write", name, "-i", src], cwd=root, env=ctx.env) for src in row]

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(len(srcs)) as pool:
        done = list(pool.map(writer, srcs))
    wall = time.perf_counter() - start
    runs = [r for rs in done for r in rs]
    commits = int(must(run(["git", "--git-dir", root / ".cfg", "rev-list", "--count", "main"], env=ctx.env)).out)
    return {"runs": runs, "wall": wall, "commits": commits, "expected": 1 + len(runs),
            "failed": [r for r in runs if r.rc != 0]}


def section_contention(rep: Report, ctx: Context) -> None:
    rep.section("Contention: N writer processes on one file")
    work = ctx.scratch / "contention"
    work.mkdir()
    name = "schedule_config.yml"
    per_writer = ctx.reps(40)
    binaries = {"cfg": ctx.cfg} | ({"--compare-cfg": ctx.other_cfg} if ctx.other_cfg else {})
    rows = []
    results = {}
    for writers in (1, 2, 4, 8):
        srcs = [[work / f"w{writers}-{w}-{k}.yml" for k in range(per_writer)] for w in range(writers)]
        for w, row in enumerate(srcs):
            for k, src in enumerate(row):
                src.write_text(variant(ctx.write_base, w * 10_000 + k))
        for label, cfg in binaries.items():
            res = contend(ctx, cfg, work / f"{label.strip('-')}-w{writers}", name, srcs)
            lat = sorted(r.wall for r in res["runs"])
            rows.append([
                *([label] if len(binaries) > 1 else []),
                str(writers), str(len(lat)), f"{len(lat) / res['wall']:.1f}",
                ms(statistics.median(lat)), ms(lat[int(0.95 * (len(lat) - 1))]), ms(lat[-1]),
                str(len(res["failed"])), f"{res['commits']}/{res['expected']}",
            ])
            results[f"{label} {writers}" if len(binaries) > 1 else writers] = {
                "writes_per_s": len(lat) / res["wall"], "failed": len(res["failed"]),
                "commits": res["commits"], "expected": res["expected"]}
            for r in res["failed"][:3]:
                rep.note(f"failed write ({label}, exit {r.rc}): {r.err.strip()[:300]}")
    rep.note(f"{per_writer} writes per writer, each writer a thread spawning `cfg write` in a loop, "
             "distinct content per write; latency is per write, lock wait included.")
    rep.table([*(["binary"] if len(binaries) > 1 else []), "writers", "writes", "writes/s", "median latency",
               "p95", "max", "failed", "commits/expected"], rows)
    ok = all(v["failed"] == 0 and v["commits"] == v["expected"] for v in results.values())
    failed = sum(v["failed"] for v in results.values())
    lost = sum(v["expected"] - v["commits"] for v in results.values())
    rep.goal("no write fails under contention, none is lost", ok,
             f"{failed} failed, {lost} missing commits over {sum(v['expected'] - 1 for v in results.values())} writes")
    rep.data["contention"] = results


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
            content = variant(base, i).replace("version: 1.0.0", f"version: 1.0.0\n# {path}", 1)
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
        (root / ".cfg.yaml").write_text(f'schemas:\n  - glob: "*.y*ml"\n    schema: "{ctx.schema}"\n')
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
        rep.goal(f"{op} flat as history grows", growth <= 1.5, f"{growth:.2f}× over {span:,.0f}× more commits")
    if ctx.has_gc:
        times, growth = verdicts["cfg gc --keep-last 10"]
        slope = math.log(times[-1] / times[0]) / math.log(span)
        # The top decade says most about the trend (small stores are dominated by start-up).
        top = math.log(times[-1] / times[-2]) / math.log(sizes[-1] / sizes[-2])
        rep.goal("cfg gc at most linear", max(slope, top) <= 1.1,
                 f"log-log slope {slope:.2f} overall, {top:.2f} over the last step "
                 f"({growth:.1f}× over {span:,.0f}× more commits)")
    else:
        rep.goal("cfg gc at most linear", None, "no `cfg gc`")
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
    rep.section("Large files: one 10 MiB YAML file")
    work = ctx.scratch / "large"
    work.mkdir()
    target = 10 * 1024 * 1024
    # Entries per byte, from a small sample of the same generator, then one file of ≥10 MiB.
    sample = gen_corpus(work / "sample", 1, 100)[0]
    entries = math.ceil(target / ((sample.stat().st_size - 150) / 100) * 1.01)
    big = gen_corpus(work / "big", 1, entries)[0]
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
            check.runs.append(run([ctx.cfg, "check", "--schema", ctx.schema, big], env=ctx.env, rss=True))
        if i == 0:
            cjs.runs.append(run([ctx.tools["check-jsonschema"], "--schemafile", ctx.schema, big], env=ctx.env, rss=True))
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
    rep.table(["10 MiB", "wall", "peak RSS", "result", "vs cfg check"], rows)
    if not ctx.has_check:
        rep.note("skipped: cfg has no `check` yet (cfg check row)")
    rep.note(f"cfg write of 10 MiB: {ratio(write.wall, floor.wall)} the floor; peak memory "
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
        git.runs.append(Run(cmd=pushed.cmd, wall=time.perf_counter() - start, cpu=0, rss_kib=0, rc=0, out="", err=""))
    rep.note(f"One `cfg sync` with nothing to pull or push (median of {len(sync.runs)}, interleaved with the same "
             "work done by git alone: `git fetch` then a `git push` of the same commit).")
    rep.table(["nothing to do", "median", "vs git"],
              [["cfg sync", ms(sync.wall), ratio(sync.wall, git.wall)], ["git fetch + git push", ms(git.wall), "1.0×"]])
    quiet = all(not r.out and not r.err for r in sync.runs)
    rep.goal("a sync with nothing to do prints nothing (cron)", quiet, f"{len(sync.runs)} runs")
    rep.goal("no acknowledged write is missing from the remote", all(v["held"] == v["acknowledged"] for v in results.values()),
             ", ".join(f"{h} host(s): {v['held']}/{v['acknowledged']}" for h, v in results.items()))
    rep.data["remote"] = {"push": results, "idle_sync": sync.wall, "idle_git": git.wall}


# --------------------------------------------------------------------------
# Driver


@dataclass
class Context:
    cfg: Path
    floor: Path
    tools: dict[str, Path]
    env: dict[str, str]
    scratch: Path
    schema: Path
    corpus: list[Path]
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
                        help="write section: also time this other cfg binary (e.g. a proposed fix), side by side")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder under bench/out")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    if unknown := set(chosen) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    for needed in ("gen_corpus.py", "schedule.schema.json"):
        if not (SHARED / needed).exists():
            sys.exit(f"bench: {SHARED / needed} is missing (set CFG_BENCH_SHARED to the reference folder)")

    OUT.mkdir(parents=True, exist_ok=True)
    cfg, floor = build(args)
    # Only the sections that compare with the peer tools need them installed.
    tools = venv_tools() if {"check", "large"} & set(chosen) else {}
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    home = scratch / "home"
    home.mkdir()
    env = hermetic_env(home)
    quick = args.quick
    entries = 20
    corpus = gen_corpus(scratch / "corpus", 100 if quick else 1000, entries)
    # The write benchmark's file: the same generator at 24 entries is about 8 KB.
    write_base = gen_corpus(scratch / "write-base", 1, 24)[0].read_text()
    sizes = [100, 1000] if quick else [100, 1_000, 10_000] + ([] if args.no_100k else [100_000])
    ctx = Context(
        cfg=cfg, floor=floor, tools=tools, env=env, scratch=scratch,
        schema=(SHARED / "schedule.schema.json").resolve(), corpus=corpus, corpus_entries=entries,
        write_base=write_base, has_check=has_subcommand(cfg, "check", env), has_gc=has_subcommand(cfg, "gc", env),
        growth_sizes=sizes, quick=quick, other_cfg=Path(args.compare_cfg).resolve() if args.compare_cfg else None,
    )
    rep = Report()
    info = machine()
    command = "python3 bench/bench.py " + " ".join(sys.argv[1:])
    rep.say(f"cfg benchmark — {command.strip()}")
    for k, v in info.items():
        rep.say(f"  {k}: {v}")
    pip = VENV / "bin" / "pip"
    peers = subprocess.run([pip, "freeze"], capture_output=True, text=True).stdout.split() if pip.exists() else []
    peers = [p for p in peers if p.split("==")[0].lower() in ("check-jsonschema", "yamllint", "pre-commit-hooks", "pre_commit_hooks")]
    rep.md += [
        f"Command: `{command.strip()}`  ",
        f"Date: {info['date']}  ",
        f"cfg: {info['cfg']}; peers: {', '.join(peers)}; {info['git']}; Python {info['python']}",
        "",
        f"Machine: `nproc` = {info['nproc']}, {info['cpu']}, Linux {info['kernel']}; disk: `{info['disk']}`",
        "",
        "```", "$ free -h", info["free -h"], "```",
    ]
    started = time.perf_counter()
    for name in chosen:
        SECTIONS[name](rep, ctx)
    rep.section("Goals")
    rep.table(["goal", "result", "evidence"],
              [[g, {True: "met", False: "**missed**", None: "not measured"}[m], e] for g, m, e in rep.goals])
    rep.note(f"Total run time: {(time.perf_counter() - started) / 60:.1f} min.")
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
