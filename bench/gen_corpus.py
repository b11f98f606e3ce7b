#!/usr/bin/env python3
"""Writes the benchmark corpus: N schedule-config YAML files of M entries each,
valid against `bench/schedule.schema.json` except for three files in ten.

    python3 bench/gen_corpus.py OUTDIR N M

Files are named `cfg00000.yaml`, `cfg00001.yaml`, …; at M = 20 each is about
8 KB. By the last digit of its index, a file is broken in one way:

    3  a schema violation: a `retry_count` below the schema's minimum of 0;
    6  a pattern violation: a `schedule` that is not a cron expression;
    9  a YAML syntax error: a plain scalar holding ": " (a mapping value
       where none may start), which every YAML parser refuses.

Everything else is valid. Each file draws from its own random generator,
seeded from its index, so a file's content depends on nothing but its index
and M: every run, and every N, makes the same files (file 0 of a corpus of
one is file 0 of a corpus of a thousand).

The shape (top-level `version` and `settings`, a `schedules` list of jobs with
a cron `schedule`, parameters and notifications) follows the reference corpus
of `../shared/bench`, so that figures from either line up; the code, the
values and the file size are this repository's own.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SEED = 17
CRONS = ["@daily", "@hourly", "@weekly", "0 3 * * *", "*/10 * * * *", "15 6 1 * *", "0 22 * * 1-5", "45 */2 * * *"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
TEAMS = ["ops", "data", "billing", "search", "infra"]
ACTIONS = ["rotates the logs of", "backs up", "compacts", "re-indexes", "prunes old rows from"]


def job(rng: random.Random, i: int) -> str:
    team = TEAMS[i % len(TEAMS)]
    return (
        f"  - skill_name: {team}-job-{i:03d}\n"
        f'    schedule: "{rng.choice(CRONS)}"\n'
        f"    enabled: {rng.choice(['true', 'false'])}\n"
        f'    description: "Job {i} {rng.choice(ACTIONS)} the {team} service once per run"\n'
        f"    tags: [{team}, tier-{i % 3}, generated]\n"
        f"    timeout_seconds: {rng.randint(30, 7200)}\n"
        f"    retry_count: {rng.randint(0, 10)}\n"
        "    params:\n"
        f"      target: /srv/{team}/data-{i:03d}\n"
        f"      keep_days: {rng.randint(1, 365)}\n"
        f"      compress: {rng.choice(['true', 'false'])}\n"
        f"      batch_size: {rng.choice([100, 500, 1000, 5000])}\n"
        "    notification:\n"
        f"      on_failure: {rng.choice(['true', 'false'])}\n"
        f"      channels: [email, pager-{team}]\n"
    )


def document(index: int, entries: int) -> str:
    rng = random.Random(SEED * 1_000_003 + index)
    text = (
        "version: 2.4.1\n"
        "settings:\n"
        f"  timezone: {rng.choice(ZONES)}\n"
        f"  max_concurrent: {rng.randint(1, 16)}\n"
        f"  log_level: {rng.choice(['debug', 'info', 'warning', 'error'])}\n"
        "  enable_metrics: true\n"
        "schedules:\n"
    )
    text += "".join(job(rng, i) for i in range(entries))
    kind = index % 10
    if kind == 3:
        text = set_first(text, "retry_count", str(-rng.randint(1, 9)))
    elif kind == 6:
        text = set_first(text, "schedule", '"every night"')
    elif kind == 9:
        text = set_first(text, "enabled", "when: true")
    return text


def set_first(text: str, key: str, value: str) -> str:
    """`text` with the value of the first `key:` line replaced by `value`."""
    start = text.index(f" {key}: ") + len(key) + 3
    return text[:start] + value + text[text.index("\n", start):]


def main() -> None:
    args = sys.argv[1:]
    if len(args) != 3 or not all(a.isdigit() for a in args[1:]) or int(args[2]) < 1:
        sys.exit("usage: gen_corpus.py OUTDIR N M (N files of M ≥ 1 entries)")
    out, files, entries = Path(args[0]), int(args[1]), int(args[2])
    out.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        (out / f"cfg{index:05d}.yaml").write_text(document(index, entries))


if __name__ == "__main__":
    main()
