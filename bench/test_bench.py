"""Checks of the benchmark's own logic that no run would notice going wrong:
how flush waits are counted from strace, and what the corpus generator breaks.

    python3 -m unittest bench/test_bench.py
"""

import importlib.util
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

# By path: from the repository root, `import bench` would find the folder.
_spec = importlib.util.spec_from_file_location("bench_script", Path(__file__).with_name("bench.py"))
bench = sys.modules["bench_script"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def log(*lines: str) -> str:
    return "\n".join(lines) + "\n"


class FlushWaits(unittest.TestCase):
    def test_floor_waits_twice_around_its_rename(self):
        f = bench.parse_flushes(log(
            "100 1000.000000 fsync(3)        = 0 <0.000200>",
            "100 1000.000300 rename(\"a.tmp\", \"a\") = 0 <0.000010>",
            "100 1000.000400 fsync(4)        = 0 <0.000200>",
            "100 1000.000700 +++ exited with 0 +++",
        ))
        self.assertEqual((f.syncs, f.waits, f.sequence), (2, 2, "flush(1) rename(1) flush(1)"))

    def test_one_thread_flushing_in_turn_waits_each_time(self):
        f = bench.parse_flushes(log(
            "100 1000.000000 fsync(3)        = 0 <0.000200>",
            "100 1000.000300 fsync(4)        = 0 <0.000200>",
            "100 1000.000600 fdatasync(5)    = 0 <0.000200>",
        ))
        self.assertEqual((f.syncs, f.waits), (3, 3))

    def test_a_pool_is_one_wait_even_when_its_threads_start_late(self):
        # 101 finishes and takes a second file before 102 has begun; 100 waits on both.
        f = bench.parse_flushes(log(
            "100 1000.000000 fsync(3 <unfinished ...>",
            "101 1000.000050 fsync(4)        = 0 <0.000100>",
            "100 1000.000200 <... fsync resumed>) = 0 <0.000200>",
            "101 1000.000300 fsync(5)        = 0 <0.000100>",
            "102 1000.000500 fsync(6)        = 0 <0.000100>",
            "101 1000.000600 +++ exited with 0 +++",
            "102 1000.000700 +++ exited with 0 +++",
            "100 1000.000800 rename(\"a.tmp\", \"a\") = 0 <0.000010>",
            "103 1000.000900 fsync(7)        = 0 <0.000100>",
            "100 1000.000950 fsync(8)        = 0 <0.000100>",
        ))
        self.assertEqual((f.syncs, f.waits, f.sequence), (6, 2, "flush(4) rename(1) flush(2)"))

    def test_a_pool_is_one_wait_even_before_its_helpers_flush(self):
        # 100 starts two helpers, then flushes twice before either has begun.
        f = bench.parse_flushes(log(
            "100 1000.000000 clone3({flags=CLONE_VM|CLONE_THREAD}, 88) = 101 <0.000050>",
            "100 1000.000060 clone3({flags=CLONE_VM|CLONE_THREAD}, 88) = 102 <0.000050>",
            "100 1000.000200 fsync(3)        = 0 <0.000100>",
            "100 1000.000400 fsync(4)        = 0 <0.000100>",
            "101 1000.000600 fsync(5)        = 0 <0.000100>",
            "101 1000.000800 +++ exited with 0 +++",
            "102 1000.000800 +++ exited with 0 +++",
            "100 1000.000900 fsync(6)        = 0 <0.000100>",
        ))
        self.assertEqual((f.syncs, f.waits, f.sequence), (4, 2, "flush(3) flush(1)"))

    def test_a_flush_after_the_pool_ended_is_a_wait_of_its_own(self):
        f = bench.parse_flushes(log(
            "100 1000.000000 fsync(3)        = 0 <0.000100>",
            "101 1000.000050 fsync(4)        = 0 <0.000100>",
            "101 1000.000200 +++ exited with 0 +++",
            "100 1000.000300 fsync(5)        = 0 <0.000100>",
        ))
        self.assertEqual((f.syncs, f.waits, f.sequence), (3, 2, "flush(2) flush(1)"))

    def test_processes_one_after_the_other_wait_in_turn(self):
        # `git add` then `git commit`: the first has exited before the second flushes.
        f = bench.parse_flushes(log(
            "200 1000.000000 fsync(3)        = 0 <0.000100>",
            "200 1000.000200 +++ exited with 0 +++",
            "201 1000.000400 fsync(3)        = 0 <0.000100>",
            "201 1000.000600 link(\"tmp\", \"obj\") = 0 <0.000010>",
        ))
        self.assertEqual((f.syncs, f.waits, f.sequence), (2, 2, "flush(1) flush(1) link(1)"))


class Corpus(unittest.TestCase):
    def test_every_tenth_file_is_broken_three_ways_and_the_same_each_run(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            for out, n in ((a, 20), (b, 1)):
                subprocess.run([sys.executable, bench.OURS.generator, out, str(n), "20"], check=True)
            files = sorted(Path(a).glob("*.yaml"))
            self.assertEqual(len(files), 20)
            self.assertEqual(files[0].read_text(), (Path(b) / "cfg00000.yaml").read_text())
            self.assertTrue(7_000 < files[0].stat().st_size < 9_500, files[0].stat().st_size)
            broken = {i: f.read_text() for i, f in enumerate(files) if i % 10 in (3, 6, 9)}
            for i, text in broken.items():
                marker = {3: "retry_count: -", 6: 'schedule: "every night"', 9: "enabled: when: true"}[i % 10]
                self.assertIn(marker, text, files[i].name)
            for i, f in enumerate(files):
                if i not in broken:
                    text = f.read_text()
                    for marker in ("retry_count: -", "every night", "when:"):
                        self.assertNotIn(marker, text, f.name)


if __name__ == "__main__":
    unittest.main()
