//! Crashes at exact steps: `strace` kills the writer (SIGKILL) at the K-th call
//! of each file-system syscall the write path makes, for every K it reaches.
//! After each kill the target holds its old or its new bytes, the next command
//! succeeds without manual cleanup and leaves nothing behind, `git fsck --strict`
//! is clean, and a write whose new content reached the disk is in the history
//! with its own author and message.

use std::process::Command;

use crate::common::{Env, Out, hermetic};

const OLD: &str = "name: old\nretries: 1\n";
const NEW: &str = "name: new\nretries: 2\n";
const SYSCALLS: &[&str] = &[
    "fsync",
    "fdatasync",
    "rename",
    "renameat",
    "renameat2",
    "openat",
    "write",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "link",
    "linkat",
];

/// Runs `cfg ARGS` under strace with `inject`, feeding `stdin`.
fn under_strace(env: &Env, inject: &str, args: &[&str], stdin: &str) -> Out {
    let mut command = Command::new("strace");
    hermetic(&mut command, env.dir.path());
    command
        .current_dir(&env.root)
        .env("CFG_AUTHOR", crate::common::AUTHOR)
        .args(["-f", "-qq", "-o", "/dev/null", "-e", inject, crate::common::cfg_bin()])
        .args(args);
    crate::common::pipe(&mut command, stdin.as_bytes())
}

/// Checks the promises after a run that may have been killed.
fn check_after(env: &Env, out: &Out, case: &str) {
    let content = env.read("conf/s.yml");
    assert!(content == OLD || content == NEW, "{case}: torn file {content:?}");
    // The next command finishes or drops the interrupted write, on its own.
    env.cfg(&["status"]).ok();
    let after = env.read("conf/s.yml");
    assert!(after == OLD || after == NEW, "{case}: torn after recovery {after:?}");
    let subject = env.git(&["log", "-1", "--format=%s|%an", "main"]);
    if after == NEW {
        assert_eq!(subject.trim(), "crash test|Test User", "{case}: the write's author and message are kept");
    } else {
        assert_ne!(subject.trim(), "crash test|Test User", "{case}: history says new, disk says old");
    }
    if out.code == 0 {
        assert_eq!(after, NEW, "{case}: reported success, but the write is not there");
        assert_eq!(env.git(&["rev-parse", "main"]).trim(), out.stdout.trim());
    }
    assert!(env.leftovers().is_empty(), "{case}: left behind {:?}", env.leftovers());
    env.fsck();
    // And the store still takes writes.
    env.write("conf/s.yml", "name: later\n").ok();
}

#[test]
fn killed_at_every_step_of_a_write() {
    crate::common::require_strace();
    let mut kills = 0;
    let mut per_syscall = Vec::new();
    for syscall in SYSCALLS {
        let mut reached = 0;
        for k in 1.. {
            let env = Env::new();
            env.write("conf/s.yml", OLD).ok();
            let inject = format!("inject={syscall}:signal=KILL:when={k}");
            let out = under_strace(&env, &inject, &["write", "conf/s.yml", "-m", "crash test"], NEW);
            let killed = out.code != 0;
            check_after(&env, &out, &format!("{syscall} #{k}"));
            if !killed {
                break;
            }
            reached = k;
            kills += 1;
            assert!(k < 2000, "{syscall} never stops being reached");
        }
        per_syscall.push(format!("{syscall}={reached}"));
    }
    eprintln!("crash at exact steps: {kills} kills ({})", per_syscall.join(" "));
    assert!(kills > 20, "too few kill points reached: {kills}");
}

#[test]
fn killed_at_every_step_of_a_restore() {
    crate::common::require_strace();
    let mut kills = 0;
    for syscall in ["fsync", "rename", "renameat", "renameat2", "unlink", "unlinkat"] {
        for k in 1.. {
            let env = Env::new();
            let first = env.write("conf/s.yml", NEW).ok().to_owned();
            env.write("conf/s.yml", OLD).ok();
            let inject = format!("inject={syscall}:signal=KILL:when={k}");
            let out = under_strace(&env, &inject, &["restore", &first, "-m", "crash test"], "");
            check_after(&env, &out, &format!("restore {syscall} #{k}"));
            if out.code == 0 {
                break;
            }
            kills += 1;
        }
    }
    eprintln!("crash at exact steps of restore: {kills} kills");
}

/// The order of durability steps in one write, from an strace log.
#[test]
fn durability_order_of_one_write() {
    crate::common::require_strace();
    let env = Env::new();
    env.write("conf/s.yml", OLD).ok();
    let log = env.dir.path().join("strace.log");
    let mut command = Command::new("strace");
    hermetic(&mut command, env.dir.path());
    command
        .current_dir(&env.root)
        .env("CFG_AUTHOR", crate::common::AUTHOR)
        .args(["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,write", "-o"])
        .arg(&log)
        .arg(crate::common::cfg_bin())
        .args(["write", "conf/s.yml"]);
    crate::common::pipe(&mut command, NEW.as_bytes()).ok();
    let text = std::fs::read_to_string(&log).unwrap();
    let root = env.root.display().to_string();
    // Syncs run on several threads at once, so a call may be logged in two
    // halves; each event is placed where its call returned.
    let mut started: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    let mut events: Vec<String> = Vec::new();
    for line in text.lines() {
        let (pid, call) = line.split_once(' ').unwrap_or(("", line));
        let call = call.trim();
        let call = if let Some(first_half) = call.strip_suffix("<unfinished ...>") {
            started.insert(pid, first_half.to_owned());
            continue;
        } else if let Some((_, second_half)) = call.strip_prefix("<...").and_then(|c| c.split_once("resumed>")) {
            started.remove(pid).unwrap_or_default().trim_end().to_owned() + second_half
        } else {
            call.to_owned()
        };
        let short = call.replace(&root, "ROOT");
        if short.starts_with("fsync(") || short.starts_with("fdatasync(") || short.starts_with("rename") {
            events.push(short);
        } else if short.starts_with("write(1<") {
            events.push("stdout: the new revision".to_owned());
        }
    }
    eprintln!("durability order of one write:\n  {}", events.join("\n  "));
    let position = |what: &dyn Fn(&str) -> bool, name: &str| -> Vec<usize> {
        let found: Vec<usize> = events.iter().enumerate().filter(|(_, e)| what(e)).map(|(i, _)| i).collect();
        assert!(!found.is_empty(), "no {name} in:\n{}", events.join("\n"));
        found
    };
    let syncs = position(&|e| e.starts_with("fsync(") || e.starts_with("fdatasync("), "fsync");
    let renames = position(&|e| e.starts_with("rename"), "rename");
    let object_syncs = position(&|e| e.starts_with("fsync(") && e.contains("/.cfg/objects/tmp_obj_"), "object fsync");
    let object_renames =
        position(&|e| e.starts_with("rename") && e.contains("/.cfg/objects/tmp_obj_"), "object rename");
    let fan_out_syncs = position(&|e| e.starts_with("fsync(") && is_fan_out_folder(e), "fan-out folder fsync");
    let journal_sync = position(&|e| e.starts_with("fsync(") && e.contains("/.cfg/pending>"), "journal fsync");
    let temp_sync = position(&|e| e.starts_with("fsync(") && e.contains(".s.yml.cfg-"), "temp file fsync");
    let target_rename = position(&|e| e.starts_with("rename") && e.contains("\"s.yml\""), "target rename");
    let folder_sync = position(&|e| e.starts_with("fsync(") && e.contains("ROOT/conf>"), "folder fsync");
    let lock_sync = position(&|e| e.starts_with("fsync(") && e.contains("refs/heads/main.lock>"), "branch lock fsync");
    let ref_rename = position(&|e| e.starts_with("rename") && e.contains("refs/heads/main.lock"), "branch move");
    let ref_sync = position(&|e| e.starts_with("fsync(") && e.contains("refs/heads>"), "branch folder fsync");
    let success = position(&|e| e.starts_with("stdout"), "success report");
    let last = |v: &[usize]| *v.last().unwrap();
    let first = |v: &[usize]| v[0];
    assert!(last(&object_syncs) < first(&object_renames), "objects durable before they are renamed into place");
    assert!(last(&journal_sync) < first(&renames), "journal durable before anything is renamed");
    assert!(last(&temp_sync) < first(&target_rename), "temp file synced before its rename");
    assert!(last(&lock_sync) < first(&ref_rename), "the branch's lock synced before it replaces the branch");
    assert!(first(&fan_out_syncs) > last(&object_renames), "fan-out folders synced after the objects' renames");
    assert!(first(&folder_sync) > first(&target_rename), "folder synced after the rename");
    assert!(first(&ref_sync) > first(&ref_rename), "the moved branch is synced");
    assert!(first(&success) > last(&syncs), "success is reported only after everything is durable");
    // Two flush waits, like a bare durable replace: every sync belongs to the
    // barrier before the renames or to the one after them.
    let inside: Vec<&String> =
        syncs.iter().filter(|&&i| i > first(&renames) && i < last(&renames)).map(|&i| &events[i]).collect();
    assert!(inside.is_empty(), "syncs between the renames (a third wait): {inside:?}");
}

/// `fsync(N</…/.cfg/objects/ab>)`: a fan-out folder of loose objects.
fn is_fan_out_folder(event: &str) -> bool {
    event.split_once("/.cfg/objects/").is_some_and(|(_, rest)| {
        rest.split_once('>').is_some_and(|(name, _)| name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}
