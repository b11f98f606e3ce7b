//! Crashes at random points: `cfg write`, a merging write, `cfg restore` and
//! `cfg gc` run in a child process that is killed with SIGKILL after a random
//! delay, 1,000 times by default (`CFG_CRASH_KILLS`). After each kill: the
//! target holds its old or its new bytes; every command that had exited 0 is in
//! the history; `git fsck --strict` is clean; the next command succeeds without
//! manual cleanup and leaves no stray temp or lock file.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Env;

/// A small deterministic generator (xorshift), so a failing run can be replayed
/// with the same `CFG_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn content(a: u64, b: u64) -> String {
    format!("a: {a}\n# keeps the two values apart\nmiddle: fixed\n# so that their edits merge\nb: {b}\n")
}

fn value(text: &str, key: &str) -> u64 {
    text.lines().find_map(|l| l.strip_prefix(&format!("{key}: "))).unwrap().parse().unwrap()
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Write,
    MergingWrite,
    Restore,
    Gc,
}

#[test]
fn killed_at_random_points() {
    let kills: usize = std::env::var("CFG_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let seed: u64 = std::env::var("CFG_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x05ee_dcf9);
    let mut rng = Rng(seed);
    let mut env = Env::new();
    env.write("s.yml", &content(0, 0)).ok();
    // How long a write takes here, to spread the kills over the whole of it.
    let started = Instant::now();
    for i in 1..=5 {
        env.write("s.yml", &content(i, 0)).ok();
    }
    let span = (started.elapsed() / 5).as_micros() as u64 * 3 / 2 + 1;
    let mut acknowledged: Vec<String> = Vec::new();
    let (mut killed, mut finished) = (0, 0);
    let mut by_op = [0usize; 4];
    let mut counter = 100;
    for round in 0..kills {
        // A fresh store now and then keeps histories (and fsck) short.
        if round % 200 == 199 {
            env = Env::new();
            env.write("s.yml", &content(0, 0)).ok();
            acknowledged.clear();
        }
        let op = match rng.below(10) {
            0..=3 => Op::Write,
            4..=6 => Op::MergingWrite,
            7..=8 => Op::Restore,
            _ => Op::Gc,
        };
        let b = value(&env.read("s.yml"), "b");
        counter += 1;
        let (args, input, new): (Vec<String>, String, String) = match op {
            Op::Write => (vec!["write".into(), "s.yml".into()], content(counter, b), content(counter, b)),
            Op::MergingWrite => {
                // The writer read the version before the latest, and changes `b`;
                // the latest changed `a`: the merge keeps both.
                let base = env.cfg(&["rev", "s.yml"]).ok().to_owned();
                let base_text = env.read("s.yml");
                env.write("s.yml", &content(counter, b)).ok();
                acknowledged.push(env.git_log()[0].clone());
                let theirs = content(value(&base_text, "a"), counter);
                (vec!["write".into(), "s.yml".into(), "--expect".into(), base], theirs, content(counter, counter))
            }
            Op::Restore => {
                let log = env.git_log();
                let target = log[log.len().min(3) - 1].clone();
                let text = env.cfg(&["cat", "s.yml", "--rev", &target]).ok().to_owned() + "\n";
                (vec!["restore".into(), target, "s.yml".into()], String::new(), text)
            }
            Op::Gc => (vec!["gc".into(), "--keep-last".into(), "20".into()], String::new(), env.read("s.yml")),
        };
        let old = env.read("s.yml");
        let mut child = env
            .command()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let case = format!("round {round} ({op:?} {args:?}, seed {seed})");
        if out.status.success() {
            finished += 1;
            if !matches!(op, Op::Gc) {
                acknowledged.push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
            }
        } else {
            killed += 1;
            by_op[op as usize] += 1;
        }
        let now = env.read("s.yml");
        assert!(now == old || now == new, "{case}: torn file {now:?} (old {old:?}, new {new:?})");
        // The next command brings everything in line, with no manual cleanup.
        env.cfg(&["status"]).ok();
        let after = env.read("s.yml");
        assert!(after == old || after == new, "{case}: after recovery {after:?}");
        if out.status.success() {
            assert_eq!(after, new, "{case}: exited 0 but the change is not there");
        }
        assert!(env.leftovers().is_empty(), "{case}: left behind {:?}", env.leftovers());
        env.fsck();
        // Acknowledged commits stay resolvable (gc keeps the newest 20; older
        // ones are reported as pruned, never silently lost): the latest one and
        // one drawn at random.
        if let Some(latest) = acknowledged.last() {
            let drawn = &acknowledged[rng.below(acknowledged.len() as u64) as usize];
            for rev in [latest, drawn] {
                let out = env.cfg(&["cat", "s.yml", "--rev", rev]);
                if out.code != 0 {
                    out.fails_with(5);
                    assert!(out.stderr.contains("pruned"), "{case}: acknowledged {rev} lost: {out:#?}");
                }
            }
        }
    }
    eprintln!(
        "crash at random points: {kills} runs, {killed} killed mid-way (write {}, merging write {}, restore {}, gc {}), \
         {finished} finished first",
        by_op[0], by_op[1], by_op[2], by_op[3]
    );
    assert!(killed * 4 >= kills, "too few runs were killed mid-way: {killed} of {kills}");
}
