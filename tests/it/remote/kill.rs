//! Pulls and syncs killed at random points: a host pulls (a fast-forward, or
//! a merge with its own change) or syncs, and the whole process group (cfg
//! and its `git`) gets SIGKILL after a random delay, 200 times by default
//! (`CFG_REMOTE_KILLS`; seed `CFG_REMOTE_SEED`). After each kill: the file
//! holds its old or its new bytes; the next command finishes or drops the
//! pull, leaving file and history in agreement; nothing is left behind; the
//! store is `git fsck --strict` clean; the next sync completes.

use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::server::{Bare, Daemon, committed, host, transport_leftovers};
use super::value;

/// A small deterministic generator (xorshift), so that a failing run can be
/// replayed with the same seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn content(a: u64, b: u64) -> String {
    format!("a: {a}\nb: {b}\n")
}

fn setting(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value.parse().unwrap_or_else(|_| panic!("{name}={value} is not a number")),
        Err(_) => default,
    }
}

#[test]
fn pulls_and_syncs_killed_at_random_points() {
    let kills = setting("CFG_REMOTE_KILLS", 200);
    let seed = setting("CFG_REMOTE_SEED", 0x5eed_5ca1);
    let mut rng = Rng(seed);
    let bare = Bare::new();
    // Served by `git daemon`, as a remote is: with a remote by path, the
    // killed group would hold the remote's own `receive-pack` too, and a
    // kill in its ref update leaves the remote's branch locked for good.
    let daemon = Daemon::start(&bare);
    let url = daemon.url(&bare);
    let writer = host(&url);
    writer.write("s.yml", &content(0, 0)).ok();
    writer.cfg(&["sync"]).ok();
    let victim = host(&url);
    victim.cfg(&["sync"]).ok();
    // How long a pull of one change takes here, to spread the kills over it.
    let mut counter = 0;
    let mut taken = Duration::ZERO;
    for _ in 0..3 {
        counter += 1;
        writer.cfg(&["set", "s.yml", "a", &counter.to_string()]).ok();
        writer.cfg(&["sync"]).ok();
        let started = Instant::now();
        victim.cfg(&["sync"]).ok();
        taken += started.elapsed();
    }
    let span = (taken / 3).as_micros() as u64 * 3 / 2 + 1;
    let (mut killed, mut finished) = (0, 0);
    // Kills that left a journal (mid-publish), and a file already replaced.
    let (mut journaled, mut replaced) = (0, 0);
    for round in 0..kills {
        counter += 1;
        writer.cfg(&["set", "s.yml", "a", &counter.to_string(), "--push"]).ok();
        let old_b = value(&victim.read("s.yml"), "b");
        let b = if rng.below(2) == 0 {
            victim.cfg(&["set", "s.yml", "b", &counter.to_string()]).ok();
            counter
        } else {
            old_b
        };
        let op = if rng.below(2) == 0 { "pull" } else { "sync" };
        let old = victim.read("s.yml");
        let new = content(counter, b);
        let child = victim
            .command()
            .arg(op)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let group = rustix::process::Pid::from_child(&child);
        // Gone already when it finished first.
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let out = child.wait_with_output().unwrap();
        let case = format!("round {round} ({op}, seed {seed})");
        if out.status.success() {
            finished += 1;
        } else {
            assert_eq!(out.status.code(), None, "{case}: failed without being killed: {out:?}");
            killed += 1;
        }
        let now = victim.read("s.yml");
        assert!(now == old || now == new, "{case}: torn file {now:?} (old {old:?}, new {new:?})");
        if !out.status.success() {
            journaled += usize::from(victim.path(".cfg/pending").exists());
            replaced += usize::from(now == new && old != new);
        }
        victim.cfg(&["status"]).ok();
        let after = victim.read("s.yml");
        assert!(after == old || after == new, "{case}: after recovery {after:?}");
        assert_eq!(after, committed(&victim, "s.yml"), "{case}: the file and the history disagree");
        if out.status.success() {
            assert_eq!(after, new, "{case}: exited 0 but the pull is not there");
        }
        assert!(victim.leftovers().is_empty(), "{case}: left behind {:?}", victim.leftovers());
        victim.fsck();
        victim.cfg(&["sync"]).ok();
        assert_eq!(victim.read("s.yml"), new, "{case}: the next sync completes the pull");
        assert!(transport_leftovers(&victim).is_empty(), "{case}: left behind {:?}", transport_leftovers(&victim));
    }
    writer.cfg(&["sync"]).ok();
    assert_eq!(writer.read("s.yml"), bare.show("s.yml"));
    bare.fsck();
    eprintln!(
        "pulls and syncs killed at random points: {kills} runs, {killed} killed mid-way ({journaled} with a journal \
         left, {replaced} after the file was replaced), {finished} finished first"
    );
    assert!(killed * 4 >= kills as usize, "too few runs were killed mid-way: {killed} of {kills}");
}
