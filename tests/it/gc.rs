//! Retention: `cfg gc` on histories backdated through `GIT_COMMITTER_DATE`.

use crate::common::{Env, Out, pipe};

const DAY: i64 = 86_400;
/// Monday 2024-01-01 00:00 UTC.
const START: i64 = 1_704_067_200;

/// Writes `count` versions of `s.yml`, one every `step` seconds from START+1h,
/// and returns their revisions, oldest first.
fn history(env: &Env, count: usize, step: i64) -> Vec<String> {
    (0..count)
        .map(|i| {
            let date = format!("@{} +0000", START + 3600 + i as i64 * step);
            let mut command = env.command();
            command.args(["write", "s.yml"]).env("GIT_COMMITTER_DATE", date);
            pipe(&mut command, format!("version: {i}\n").as_bytes()).ok().to_owned()
        })
        .collect()
}

fn gc(env: &Env, args: &[&str]) -> Out {
    let mut all = vec!["gc"];
    all.extend_from_slice(args);
    env.cfg(&all)
}

fn gc_json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(gc(env, &all).ok()).unwrap()
}

/// Revisions kept by a JSON gc report, newest first.
fn kept(report: &serde_json::Value) -> Vec<String> {
    report["commits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["keep"] == true)
        .map(|c| c["rev"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn keep_last_cuts_history_and_keeps_ids() {
    let env = Env::new();
    let revs = history(&env, 12, DAY);
    let report = gc_json(&env, &["--keep-last", "5"]);
    assert_eq!(report["method"], "shallow");
    assert_eq!(report["dropped"], 7);
    let newest: Vec<String> = revs.iter().rev().take(5).cloned().collect();
    assert_eq!(kept(&report), newest);
    assert_eq!(env.git_log(), newest, "kept commits keep their ids");
    assert!(report["freed_bytes"].as_u64().unwrap() > 0);
    assert_eq!(env.git(&["rev-list", "--count", "main"]).trim(), "5");
    // A writer holding a kept revision can still use it.
    assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &revs[7]]).ok(), "version: 7");
    // A dropped one is reported as pruned, with when and by which policy.
    let out = env.cfg(&["cat", "s.yml", "--rev", &revs[0]]);
    out.fails_with(5);
    assert!(out.stderr.contains("pruned") && out.stderr.contains("keep-last 5"), "{}", out.stderr);
    let out = env.cfg(&["cat", "s.yml", "--rev", &revs[0][..10]]);
    out.fails_with(5);
    assert!(out.stderr.contains("pruned"), "abbreviated: {}", out.stderr);
    // Never there at all: not "pruned".
    let out = env.cfg(&["cat", "s.yml", "--rev", "0123456789abcdef0123456789abcdef01234567"]);
    out.fails_with(5);
    assert!(!out.stderr.contains("pruned"), "{}", out.stderr);
    // Idempotent: a second run drops nothing and says nothing.
    let again = gc(&env, &["--keep-last", "5"]);
    assert_eq!(again.ok(), "");
    assert_eq!(again.stderr, "");
    // Writes continue on the cut history.
    env.write("s.yml", "version: 12\n").ok();
    assert_eq!(env.git(&["rev-list", "--count", "main"]).trim(), "6");
}

#[test]
fn keep_daily_rewrites_and_old_ids_still_resolve() {
    let env = Env::new();
    // Four versions a day (00:00 .. 18:00 + 1h) for five days.
    let revs = history(&env, 20, DAY / 4);
    let report = gc_json(&env, &["--keep-daily", "3"]);
    assert_eq!(report["method"], "rewrite");
    let kept_old = kept(&report);
    // The newest version of each of the last three days (and the oldest, which
    // the rule reaches with room to spare? no: five days, three kept).
    assert_eq!(kept_old, vec![revs[19].clone(), revs[15].clone(), revs[11].clone()]);
    let reasons: Vec<String> =
        report["commits"][0]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    assert_eq!(reasons, ["latest snapshot", "daily snapshot"]);
    let now = env.git_log();
    assert_eq!(now.len(), 3);
    // Each rewritten commit keeps its tree, author, time and message.
    for (new, old_index) in now.iter().zip([19, 15, 11]) {
        let line = env.git(&["log", "-1", "--format=%an|%ct|%s", new]);
        assert_eq!(line.trim(), format!("Test User|{}|write s.yml", START + 3600 + old_index as i64 * DAY / 4));
        assert_eq!(env.git(&["show", &format!("{new}:s.yml")]), format!("version: {old_index}\n"));
    }
    // Old ids of kept commits: cat, restore and (later) --expect accept them.
    assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &revs[11]]).ok(), "version: 11");
    assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &revs[15][..12]]).ok(), "version: 15");
    env.cfg(&["restore", &revs[11]]).ok();
    assert_eq!(env.read("s.yml"), "version: 11\n");
    let out = env.cfg(&["cat", "s.yml", "--rev", &revs[12]]);
    out.fails_with(5);
    assert!(out.stderr.contains("keep-daily 3"), "{}", out.stderr);
    // Idempotent with the same policy (the restore added a newer version of
    // the same day, which now stands for that day).
    gc(&env, &["--keep-daily", "3"]).ok();
    let report = gc_json(&env, &["--keep-daily", "3", "--dry-run"]);
    assert_eq!(report["dropped"], 0);
}

#[test]
fn rules_alone_and_combined() {
    let env = Env::new();
    // Hourly versions over three days.
    let revs = history(&env, 72, 3600);
    let dry = |args: &[&str]| -> Vec<String> {
        let mut all = args.to_vec();
        all.push("--dry-run");
        kept(&gc_json(&env, &all))
    };
    assert_eq!(dry(&["--keep-last", "3"]).len(), 3);
    assert_eq!(dry(&["--keep-hourly", "5"]).len(), 5);
    // keep-within 10h: versions strictly newer than latest - 10h.
    assert_eq!(dry(&["--keep-within", "10h"]).len(), 10);
    // Version i is at 01:00 + i hours from Monday: the last (71) is alone on
    // Thursday, 70 is Wednesday's newest.
    assert_eq!(dry(&["--keep-daily", "2"]), vec![revs[71].clone(), revs[70].clone()]);
    // ORed: the union of each rule's choice.
    let combined = dry(&["--keep-last", "3", "--keep-daily", "2"]);
    let mut union = dry(&["--keep-last", "3"]);
    for rev in dry(&["--keep-daily", "2"]) {
        if !union.contains(&rev) {
            union.push(rev);
        }
    }
    let mut sorted_combined = combined.clone();
    sorted_combined.sort();
    union.sort();
    assert_eq!(sorted_combined, union);
    assert_eq!(env.git_log().len(), 72, "dry runs change nothing");
}

#[test]
fn dry_run_changes_nothing_and_reports_the_same() {
    let env = Env::new();
    history(&env, 8, DAY);
    let objects_before = count_objects(&env);
    let dry = gc(&env, &["--keep-last", "2", "--dry-run"]).ok().to_owned();
    assert!(dry.contains("would prune 6 of 8") && dry.contains("would free"), "{dry}");
    assert_eq!(env.git_log().len(), 8);
    assert_eq!(count_objects(&env), objects_before);
    assert!(!env.path(".cfg/shallow").exists());
    let real = gc(&env, &["--keep-last", "2"]).ok().to_owned();
    assert!(real.contains("prune 6 of 8") && real.contains("freed"), "{real}");
    let strip = |s: &str| s.replace("would prune", "prune").replace("would free", "freed");
    assert_eq!(strip(&dry), real, "dry run prints what the real run does");
    assert!(count_objects(&env) < objects_before);
}

#[test]
fn empty_policy_is_refused() {
    let env = Env::new();
    history(&env, 3, DAY);
    gc(&env, &[]).fails_with(2);
    gc(&env, &["--keep-last", "0"]).fails_with(2);
    assert_eq!(env.git_log().len(), 3);
}

#[test]
fn space_is_freed_down_to_what_the_kept_versions_take() {
    let env = Env::new();
    let big: String = (0..400).map(|i| format!("key_{i}: value number {i}\n")).collect();
    for i in 0..30 {
        env.write("s.yml", &format!("{big}version: {i}\n")).ok();
    }
    let before = store_bytes(&env);
    gc(&env, &["--keep-last", "3"]).ok();
    let after = store_bytes(&env);
    assert!(after * 5 < before, "store {before} -> {after} bytes");
}

/// gc killed by SIGKILL at several points leaves a store that fsck accepts,
/// with every kept commit, and the next gc completes.
#[test]
fn gc_killed_midway() {
    crate::common::require_strace();
    let mut kills = 0;
    for (policy, syscall) in [
        ("--keep-last", "unlink"),
        ("--keep-last", "rename"),
        ("--keep-last", "fsync"),
        ("--keep-daily", "unlink"),
        ("--keep-daily", "fsync"),
        ("--keep-daily", "rename"),
    ] {
        for k in [1, 3, 8, 21] {
            let env = Env::new();
            let revs = history(&env, 9, DAY / 3);
            let args = [policy, "2"];
            let inject = format!("inject={syscall}:signal=KILL:when={k}");
            let mut command = std::process::Command::new("strace");
            crate::common::hermetic(&mut command, env.dir.path());
            command
                .current_dir(&env.root)
                .args(["-f", "-qq", "-o", "/dev/null", "-e", &inject, crate::common::cfg_bin(), "gc"])
                .args(args);
            let out: Out = command.output().unwrap().into();
            if out.code != 0 {
                kills += 1;
            }
            env.fsck();
            // A dropped commit not yet deleted reads whole, or is reported as
            // pruned: never a commit whose tree is already gone (regression:
            // objects were deleted in directory order, trees before commits).
            for rev in &revs[..6] {
                let out = env.cfg(&["cat", "s.yml", "--rev", rev]);
                assert!(out.code == 0 || out.code == 5, "{policy} {syscall} #{k}: {out:#?}");
            }
            // Every commit this policy keeps is still there (by its old id).
            assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &revs[8]]).ok(), "version: 8");
            assert_eq!(env.read("s.yml"), "version: 8\n");
            let mut again = vec!["gc"];
            again.extend_from_slice(&args);
            env.cfg(&again).ok();
            env.fsck();
            assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &revs[8]]).ok(), "version: 8");
            let second = gc_json(&env, &[policy, "2", "--dry-run"]);
            assert_eq!(second["dropped"], 0, "{policy} {syscall} #{k}: the next gc completed the job");
        }
    }
    eprintln!("gc killed midway: {kills} kills");
    assert!(kills > 6, "{kills}");
}

fn count_objects(env: &Env) -> usize {
    walk(&env.path(".cfg/objects")).len()
}

fn store_bytes(env: &Env) -> u64 {
    walk(&env.path(".cfg/objects")).iter().map(|p| std::fs::metadata(p).unwrap().len()).sum()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}
