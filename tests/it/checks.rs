//! `checks:` of `.cfg.yaml`: commands that must accept new content before it
//! replaces a file. They run on the complete staged file under the lock; a
//! rejection, a timeout or a command that cannot start refuses the write
//! (exit 1) with the command's output, and nothing is written or committed.
//! `cfg check` and the pre-commit hook run them on staged content. And the
//! key style of `.cfg.yaml`: snake_case, the old kebab-case retention keys
//! read with a warning.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::Env;
use crate::hook::Repo;

/// A check that refuses any `*.yml` holding the word `forbidden`, saying so
/// on standard error as a service's own parser would.
const REFUSE_FORBIDDEN: &str = "checks:
  - glob: '**/*.yml'
    command: 'if grep -q forbidden {}; then echo \"scheduler: forbidden value in $CFG_FILE\" >&2; exit 3; fi'
";

#[test]
fn a_rejecting_check_changes_nothing_and_shows_its_output() {
    let env = Env::new();
    env.write("s.yml", "a: 0\n").ok();
    let old = env.write("t.yml", "t: forbidden\n").ok().to_owned();
    env.write("s.yml", "a: 1\n").ok();
    env.write("t.yml", "t: 1\n").ok();
    env.put(".cfg.yaml", REFUSE_FORBIDDEN);
    let log = env.git_log();

    let out = env.write("s.yml", "a: forbidden\n");
    out.fails_with(1);
    assert!(out.stderr.contains("scheduler: forbidden value in s.yml"), "the check's output: {}", out.stderr);
    assert!(out.stderr.contains("check `if grep -q forbidden {}"), "the check is named: {}", out.stderr);
    assert!(out.stderr.contains("failed (exit status: 3)"), "{}", out.stderr);
    assert!(out.stderr.contains("nothing was written and nothing was committed"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(env.git_log(), log);

    // Every writing command: set, restore (all or nothing over its files), run
    // (whose files are put back).
    env.cfg(&["set", "s.yml", "a", "forbidden"]).fails_with(1);
    let restore = env.cfg(&["restore", &old, "s.yml", "t.yml"]);
    restore.fails_with(1);
    assert!(restore.stderr.contains("forbidden value in t.yml"), "{}", restore.stderr);
    assert!(!restore.stderr.contains("value in s.yml"), "s.yml passed its check: {}", restore.stderr);
    let run = env.cfg(&["run", "s.yml", "--", "sh", "-c", "echo 'a: forbidden' > s.yml"]);
    run.fails_with(1);
    assert!(run.stderr.contains("forbidden value in s.yml"), "{}", run.stderr);
    assert_eq!((env.read("s.yml").as_str(), env.read("t.yml").as_str()), ("a: 1\n", "t: 1\n"));
    assert_eq!(env.git_log(), log);

    // What the check accepts is written as usual.
    let rev = env.write("s.yml", "a: 2\n").ok().to_owned();
    assert_eq!(env.read("s.yml"), "a: 2\n");
    assert_eq!(env.git_log()[0], rev);
}

#[test]
fn a_check_that_cannot_start_rejects_the_write() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    env.put(".cfg.yaml", "checks:\n  - glob: s.yml\n    command: no-such-validator-anywhere {}\n");
    let out = env.write("s.yml", "a: 2\n");
    out.fails_with(1);
    assert!(out.stderr.contains("check `no-such-validator-anywhere {}` failed (exit status: 127)"), "{}", out.stderr);
    assert!(out.stderr.contains("not found"), "the shell's own message: {}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    // Files its glob does not match are not checked.
    env.write("other.yml", "b: 1\n").ok();
}

#[test]
fn a_hanging_check_is_killed_with_its_process_group_at_its_timeout() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\n").ok().to_owned();
    let pid_file = env.dir.path().join("check.pid");
    env.put(
        ".cfg.yaml",
        &format!(
            "checks:\n  - glob: s.yml\n    command: 'echo $$ > {}; sleep 300 & sleep 300'\n    timeout: 300ms\n",
            pid_file.display()
        ),
    );
    let out = env.write("s.yml", "a: 2\n");
    out.fails_with(1);
    assert!(out.stderr.contains("timed out after 300ms; it was killed with its process group"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(env.git_log(), [rev]);
    let group: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    assert_group_ends(group);
}

/// Waits (a bounded while, for the kernel to finish the kills) until no live
/// process is left in the process group `group`.
#[track_caller]
pub(crate) fn assert_group_ends(group: i32) {
    let start = Instant::now();
    loop {
        let alive = live_members(group);
        if alive.is_empty() {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "still running in group {group}: {alive:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The processes of a process group that are not zombies: `(pid, command)`.
fn live_members(group: i32) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses.
        let Some((head, rest)) = stat.rsplit_once(") ") else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[2] == group.to_string() && fields[0] != "Z" {
            found.push((entry.file_name().to_string_lossy().parse().unwrap_or(0), head.to_owned()));
        }
    }
    found
}

#[test]
fn a_check_sees_the_new_bytes_complete_in_a_temp_file_inside_the_root() {
    let env = Env::new();
    env.write("conf/big.yml", "old: 1\n").ok();
    let outside = env.dir.path();
    env.put(
        ".cfg.yaml",
        &format!(
            "checks:\n  - glob: '**/big.yml'\n    command: 'cp {{}} {out}/seen && cp \"$CFG_FILE\" {out}/target && \
             printf \"%s\\n\" \"$PWD\" \"$CFG_STAGED\" {{}} \"$CFG_FILE\" \"$CFG_ROOT\" > {out}/env'\n",
            out = outside.display()
        ),
    );
    let content: String = (0..200_000).map(|i| format!("key{i}: {i}\n")).collect();
    env.write("conf/big.yml", &content).ok();
    assert_eq!(std::fs::read_to_string(outside.join("seen")).unwrap(), content, "every byte, as written");
    assert_eq!(env.read("conf/big.yml"), content);
    assert_eq!(std::fs::read_to_string(outside.join("target")).unwrap(), "old: 1\n", "checked before the rename");
    let seen = std::fs::read_to_string(outside.join("env")).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    let root = env.root.display().to_string();
    assert_eq!(lines[0], root, "the check runs in the root");
    assert_eq!(lines[1], lines[2], "`{{}}` is CFG_STAGED");
    let staged = Path::new(lines[1]);
    assert_eq!(staged.parent().unwrap(), env.path("conf"), "staged next to its target");
    let name = staged.file_name().unwrap().to_string_lossy();
    assert!(name.starts_with(".big.yml.cfg-") && name.ends_with(".tmp"), "cfg's temp naming: {name}");
    assert!(!staged.exists(), "the staged file became the target");
    assert_eq!((lines[3], lines[4]), ("conf/big.yml", root.as_str()));
}

#[test]
fn a_write_killed_while_its_check_runs_is_dropped_by_recovery() {
    // A first write (into an empty store) and a later one.
    for earlier in [None, Some("a: 1\n")] {
        let env = Env::new();
        let log = match earlier {
            Some(content) => vec![env.write("s.yml", content).ok().to_owned()],
            None => Vec::new(),
        };
        let pid_file = env.dir.path().join("check.pid");
        env.put(
            ".cfg.yaml",
            &format!(
                "checks:\n  - glob: s.yml\n    command: 'echo $$ > {}.new && mv {0}.new {0}; sleep 300'\n",
                pid_file.display()
            ),
        );
        let mut writer = env
            .command()
            .args(["write", "s.yml"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut writer.stdin.take().unwrap(), b"a: 2\n").unwrap();
        let start = Instant::now();
        while !pid_file.exists() {
            assert!(start.elapsed() < Duration::from_secs(60), "the check never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        writer.kill().unwrap();
        writer.wait().unwrap();
        // The check, left running by its killed writer.
        let group: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        let group = rustix::process::Pid::from_raw(group).unwrap();
        rustix::process::kill_process_group(group, rustix::process::Signal::KILL).unwrap();
        // Killed mid-check: the journal and the staged file are there.
        let left: Vec<String> =
            env.leftovers().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(left.len(), 2, "{left:?}");
        assert!(left.contains(&"pending".to_owned()) && left.iter().any(|n| n.starts_with(".s.yml.cfg-")), "{left:?}");

        // The next command recovers: the write never passed its check, so it
        // is dropped, not rolled forward.
        env.cfg(&["status"]).ok();
        assert_eq!(std::fs::read_to_string(env.path("s.yml")).ok().as_deref(), earlier);
        assert_eq!(env.git_log(), log);
        assert!(!env.path(".cfg/pending").exists());
    }
}

#[test]
fn cfg_check_and_the_pre_commit_hook_run_the_checks_on_staged_content() {
    let repo = Repo::new();
    let env = &repo.env;
    env.cfg(&["hook", "install"]).ok();
    env.put(".cfg.yaml", REFUSE_FORBIDDEN);

    // Bad content staged, good in the working copy: refused by the check.
    env.put("conf/s.yml", "a: forbidden\n");
    repo.git(&["add", "conf/s.yml"]).ok();
    env.put("conf/s.yml", "a: 1\n");
    let refused = repo.git(&["commit", "-q", "-m", "bad"]);
    assert_ne!(refused.code, 0, "{refused:#?}");
    assert!(refused.stderr.contains("scheduler: forbidden value in conf/s.yml"), "{}", refused.stderr);
    assert_eq!(repo.commits(), 0);

    // Good content staged, bad in the working copy: the commit passes.
    repo.git(&["add", "conf/s.yml"]).ok();
    env.put("conf/s.yml", "a: forbidden\n");
    repo.git(&["commit", "-q", "-m", "good"]).ok();
    assert_eq!(repo.commits(), 1);

    // `cfg check` itself, on a file and on standard input, in every format.
    let out = env.cfg(&["check", "conf/s.yml"]);
    out.fails_with(1);
    assert!(out.stderr.contains("conf/s.yml: check `if grep -q forbidden"), "{}", out.stderr);
    assert!(out.stderr.contains("scheduler: forbidden value in conf/s.yml"), "{}", out.stderr);
    let json = env.cfg(&["check", "--format", "json", "conf/s.yml"]);
    json.fails_with(1);
    let finding: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!((finding["rule"].as_str(), finding["file"].as_str()), (Some("check"), Some("conf/s.yml")));
    assert!(finding["message"].as_str().unwrap().contains("forbidden value"), "{finding}");
    env.cfg_in(&["check", "-", "--stdin-filename", "conf/s.yml"], b"a: 1\n").ok();
    env.cfg_in(&["check", "-", "--stdin-filename", "conf/s.yml"], b"a: forbidden\n").fails_with(1);
    env.cfg(&["check", "--no-checks", "conf/s.yml"]).ok();
    // Invalid YAML is reported as such; its checks do not run.
    env.put("conf/bad.yml", "a: forbidden\na: 2\n");
    let bad = env.cfg(&["check", "conf/bad.yml"]);
    assert!(bad.stderr.contains("duplicate key") && !bad.stderr.contains("scheduler"), "{}", bad.stderr);

    // The temp copies are gone.
    let temps: Vec<_> = std::fs::read_dir(env.path("conf"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".cfg-"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
}

#[test]
fn settings_keys_are_snake_case_and_kebab_retention_keys_warn() {
    let env = Env::new();
    for n in 0..4 {
        env.write("s.yml", &format!("n: {n}\n")).ok();
    }
    env.put(".cfg.yaml", "retention:\n  keep_last: 3\n");
    let quiet = env.cfg(&["gc"]);
    quiet.ok();
    assert!(!quiet.stderr.contains("deprecated"), "{}", quiet.stderr);
    assert_eq!(env.git_log().len(), 3);

    env.put(".cfg.yaml", "# history\nretention:\n  keep-last: 2\n");
    let out = env.cfg(&["gc"]);
    out.ok();
    assert!(
        out.stderr.contains(
            "warning: .cfg.yaml:3:3: `keep-last` is deprecated: write `keep_last` (.cfg.yaml keys are snake_case)"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(env.git_log().len(), 2, "the deprecated key still applies");
    // Every command reading the settings says so, `cfg check` included.
    let check = env.cfg(&["check", "s.yml"]);
    check.ok();
    assert!(check.stderr.contains("`keep-last` is deprecated"), "{}", check.stderr);

    env.put(".cfg.yaml", "retention:\n  keep-last: 2\n  keep_last: 3\n");
    let both = env.cfg(&["gc"]);
    both.fails_with(1);
    assert!(both.stderr.contains("`keep-last` and `keep_last` are the same setting"), "{}", both.stderr);
}

#[test]
fn a_check_that_changes_the_staged_file_is_refused() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\n").ok().to_owned();
    for command in ["echo 'b: 2' >> {}", "cp {} {}.x && mv {}.x {}", "rm {}", "chmod 600 {}"] {
        env.put(
            ".cfg.yaml",
            &format!("checks:\n  - glob: s.yml\n    command: {}\n", serde_json::to_string(command).unwrap()),
        );
        let out = env.write("s.yml", "a: 2\n");
        out.fails_with(1);
        // As one line: miette wraps long messages.
        let flat = out.stderr.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("changed, replaced or removed the file it checks; a check must only read it"), "{flat}");
        assert_eq!(env.read("s.yml"), "a: 1\n", "{command}");
        assert_eq!(env.git_log(), std::slice::from_ref(&rev), "{command}");
    }
}

#[test]
fn cfg_edit_offers_to_edit_again_when_a_check_rejects_the_draft() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    env.put(".cfg.yaml", REFUSE_FORBIDDEN);
    let mut command = env.command();
    command.env("VISUAL", "sh -c 'echo \"a: forbidden\" > \"$0\"'").env_remove("EDITOR");
    let out = crate::common::pipe(command.args(["edit", "s.yml"]), b"d\n");
    out.fails_with(1);
    assert!(out.stderr.contains("scheduler: forbidden value in s.yml"), "{}", out.stderr);
    assert!(out.stderr.contains("What now? [e]dit again, [d]iscard"), "{}", out.stderr);
    assert!(out.stderr.contains("discarded; `s.yml` is unchanged"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
}
