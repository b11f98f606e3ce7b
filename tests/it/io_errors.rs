//! I/O errors: `strace` makes the K-th `write`, `fsync` or rename fail with
//! EIO or ENOSPC, for every K a write reaches. The command exits 6 naming the
//! failing step, the target keeps its old content (or, when undoing fails
//! too, the command says so and the next one finishes or drops the write,
//! file and history agreeing), the store stays fsck-clean, and a failed fsync
//! is never reported as success.

use std::process::Command;

use crate::common::{Env, Out, hermetic, pipe};

const OLD: &str = "name: old\n";
const NEW: &str = "name: new\n";

#[test]
fn injected_io_errors_exit_6_and_change_nothing() {
    crate::common::require_strace();
    let mut failures = 0;
    let mut summary = Vec::new();
    let mut not_undone = Vec::new();
    for syscall in ["write", "fsync", "renameat", "rename", "unlink", "mkdir"] {
        for errno in ["EIO", "ENOSPC"] {
            let mut reached = 0;
            for k in 1.. {
                let env = Env::new();
                env.write("conf/s.yml", OLD).ok();
                let mut command = Command::new("strace");
                hermetic(&mut command, env.dir.path());
                let inject = format!("inject={syscall}:error={errno}:when={k}");
                command
                    .current_dir(&env.root)
                    .env("CFG_AUTHOR", crate::common::AUTHOR)
                    .args(["-f", "-qq", "-o", "/dev/null", "-e", &inject, crate::common::cfg_bin()])
                    .args(["write", "conf/s.yml", "-m", "io test"]);
                let out: Out = pipe(&mut command, NEW.as_bytes());
                let case = format!("{syscall}={errno} #{k}");
                if out.code == 0 {
                    assert_eq!(env.read("conf/s.yml"), NEW, "{case}");
                    // A failed removal of the journal is not a failed write;
                    // the next command tidies up.
                    env.cfg(&["status"]).ok();
                    break;
                }
                reached = k;
                failures += 1;
                assert_eq!(out.code, 6, "{case}: {out:#?}");
                assert!(out.stderr.contains("failed to"), "{case}: names the step: {}", out.stderr);
                let late = out.stderr.contains("standard output");
                // strace counts calls per thread, and the barriers' threads
                // are new each time: the K-th call of the thread that undoes
                // can fail as well. The command then says so, keeps its
                // journal, and the next command finishes or drops the write.
                let kept = out.stderr.contains("the next cfg command finishes or drops");
                let after_failure = env.read("conf/s.yml");
                if late {
                    // Everything was durable; only printing the revision failed.
                    assert_eq!(after_failure, NEW, "{case}");
                } else if kept {
                    assert!(env.path(".cfg/pending").exists(), "{case}: not undone, yet no journal: {}", out.stderr);
                    assert!(after_failure == OLD || after_failure == NEW, "{case}: torn: {after_failure:?}");
                    not_undone.push(case.clone());
                } else {
                    assert_eq!(after_failure, OLD, "{case}: target changed: {}", out.stderr);
                }
                env.cfg(&["status"]).ok();
                let content = env.read("conf/s.yml");
                if !kept {
                    let expected = if late { NEW } else { OLD };
                    assert_eq!(content, expected, "{case}: the next command changed the target");
                }
                let subject = env.git(&["log", "-1", "--format=%s", "main"]);
                assert_eq!(subject.trim() == "io test", content == NEW, "{case}: history and disk disagree");
                assert!(env.leftovers().is_empty(), "{case}: {:?}", env.leftovers());
                env.fsck();
                assert!(k < 1000);
            }
            summary.push(format!("{syscall}={errno}:{reached}"));
        }
    }
    eprintln!(
        "I/O errors injected: {failures} failing runs, all exit 6 ({}); the undo failed too, finished by the next command: {not_undone:?}",
        summary.join(" ")
    );
    assert!(failures > 20);
}

/// Fixed dates make the commit, and so every object and temp file name, the
/// same in every fresh store.
const DATE: &str = "1700000000 +0000";

/// A fresh store holding OLD, committed at [`DATE`].
fn store_with_old() -> Env {
    let env = Env::new();
    let mut command = env.command();
    command.env("GIT_AUTHOR_DATE", DATE).env("GIT_COMMITTER_DATE", DATE).args(["write", "conf/s.yml"]);
    pipe(&mut command, OLD.as_bytes()).ok();
    env
}

/// `cfg write` of NEW at [`DATE`] under `strace -f -qq ARGS`.
fn write_new_under_strace(env: &Env, args: &[&str]) -> Out {
    let mut command = Command::new("strace");
    hermetic(&mut command, env.dir.path());
    command
        .current_dir(&env.root)
        .env("CFG_AUTHOR", crate::common::AUTHOR)
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .args(["-f", "-qq"])
        .args(args)
        .arg(crate::common::cfg_bin())
        .args(["write", "conf/s.yml", "-m", "io test"]);
    pipe(&mut command, NEW.as_bytes())
}

/// The write path syncs many files at once from several threads, where
/// `when=K` above counts per thread. Here each file and folder a write makes
/// durable fails in turn, whichever thread syncs it (`strace -P` traces the
/// calls on one path; a new thread's first call fails again, so a failure
/// on a path synced from threads persists). The write exits 6 naming that
/// path with the file holding its old or new bytes; the next command leaves
/// file and history in agreement. When the failure persists the undo fails
/// too, and that next command finishes the write, as documented.
#[test]
fn each_durable_path_failing_to_sync_fails_the_write_and_changes_nothing() {
    crate::common::require_strace();
    let traced = store_with_old();
    let log = traced.dir.path().join("fsync.log");
    let log_arg = log.to_str().unwrap();
    write_new_under_strace(&traced, &["-y", "-e", "trace=fsync", "-o", log_arg]).ok();
    let root = format!("{}/", traced.root.display());
    let mut paths: Vec<String> = Vec::new();
    for line in std::fs::read_to_string(&log).unwrap().lines() {
        let Some((_, rest)) = line.split_once("fsync(") else { continue };
        let Some(path) = rest.split_once('<').and_then(|(_, p)| p.split_once('>')).map(|(p, _)| p) else {
            continue;
        };
        let relative = path.strip_prefix(&root).unwrap_or_else(|| panic!("{path} is outside the root"));
        if !paths.iter().any(|p| p == relative) {
            paths.push(relative.to_owned());
        }
    }
    for expected in [".cfg/pending", ".cfg", ".cfg/objects", "conf", ".cfg/refs/heads/main.lock", ".cfg/refs/heads"] {
        assert!(paths.iter().any(|p| p == expected), "{expected} is not synced: {paths:?}");
    }
    assert!(paths.iter().any(|p| p.starts_with("conf/.s.yml.cfg-")), "no temp file synced: {paths:?}");
    let objects: Vec<&String> = paths.iter().filter(|p| p.starts_with(".cfg/objects/")).collect();
    assert_eq!(objects.len(), 8, "blob, two trees, commit (in temp files) and their fan-out folders: {objects:?}");

    let (mut undone, mut finished) = (0, Vec::new());
    for path in &paths {
        let env = store_with_old();
        let target = env.root.join(path);
        let injected = env.dir.path().join("inject.log");
        let (target_arg, injected_arg) = (target.to_str().unwrap(), injected.to_str().unwrap());
        let inject = ["-e", "trace=fsync", "-e", "inject=fsync:error=EIO:when=1"];
        let out = write_new_under_strace(&env, &[&["-P", target_arg, "-o", injected_arg][..], &inject].concat());
        let trace = std::fs::read_to_string(&injected).unwrap();
        assert!(trace.contains("INJECTED"), "{path}: the same write syncs the same paths: {trace}");
        assert_eq!(out.code, 6, "{path}: {out:#?}");
        let name = target.file_name().unwrap().to_str().unwrap();
        assert!(out.stderr.contains("failed to fsync") && out.stderr.contains(name), "{path}: {}", out.stderr);
        let after_failure = env.read("conf/s.yml");
        assert!(after_failure == OLD || after_failure == NEW, "{path}: torn: {after_failure:?}");
        let journal_kept = env.path(".cfg/pending").exists();
        env.cfg(&["status"]).ok();
        let content = env.read("conf/s.yml");
        assert_eq!(content, env.git(&["show", "main:conf/s.yml"]), "{path}: file and history disagree");
        let recorded = env.git(&["log", "-1", "--format=%s", "main"]).trim() == "io test";
        assert_eq!(recorded, content == NEW, "{path}: the write is in the history iff the file has it");
        if journal_kept {
            finished.push(path.as_str());
        } else {
            assert_eq!(after_failure, OLD, "{path}: undone, yet the target changed");
            assert_eq!(content, OLD, "{path}: undone, yet the next command changed the target");
            undone += 1;
        }
        assert!(env.leftovers().is_empty(), "{path}: {:?}", env.leftovers());
        env.fsck();
    }
    eprintln!(
        "fsync failing on each of {} durable paths: all exit 6; {undone} undone, finished by the next command: {finished:?}",
        paths.len()
    );
    assert!(undone >= paths.len() - 2, "only the branch's own syncs may fail the undo too: {finished:?}");
}
