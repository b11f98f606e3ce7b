//! `on_write` commands of `.cfg.yaml`: run after each successful write, after
//! the lock is released, with the file and both revisions; a failure is a
//! warning and never undoes the write.

use crate::common::Env;

fn project(env: &Env, commands: &[&str]) {
    let mut text = String::from("on_write:\n");
    for command in commands {
        text.push_str(&format!("  - {}\n", serde_json::to_string(command).unwrap()));
    }
    std::fs::write(env.path(".cfg.yaml"), text).unwrap();
}

#[test]
fn commands_get_the_file_and_both_revisions() {
    let env = Env::new();
    let log = env.dir.path().join("hooks.log");
    let first = env.write("s.yml", "a: 1\n").ok().to_owned();
    project(&env, &[&format!("echo \"$CFG_FILE $CFG_OLD_REV $CFG_NEW_REV $CFG_ROOT $PWD\" >> {}", log.display())]);
    let second = env.write("s.yml", "a: 2\n").ok().to_owned();
    let root = env.root.display().to_string();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), format!("s.yml {first} {second} {root} {root}\n"));
    // Every writing command runs them: set, restore, run, and only for the
    // files that changed.
    let third = env.cfg(&["set", "s.yml", "a", "3"]).ok().to_owned();
    let fourth = env.cfg(&["restore", &first, "s.yml"]).ok().to_owned();
    env.write("t.yml", "t: 1\n").ok();
    let fifth = env.git_log()[0].clone();
    let sixth = env.cfg(&["run", "s.yml", "t.yml", "--", "sh", "-c", "echo 'a: 9' > s.yml"]).ok().to_owned();
    let lines: Vec<String> = std::fs::read_to_string(&log).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert!(lines[1].starts_with(&format!("s.yml {second} {third} ")), "{lines:#?}");
    assert!(lines[2].starts_with(&format!("s.yml {third} {fourth} ")), "{lines:#?}");
    assert!(lines[3].starts_with(&format!("t.yml {fourth} {fifth} ")), "{lines:#?}");
    assert!(lines[4].starts_with(&format!("s.yml {fifth} {sixth} ")), "{lines:#?}");
    // No change, no commit, no command.
    env.write("s.yml", "a: 9\n").ok();
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 5);
}

#[test]
fn the_old_revision_is_before_a_recorded_outside_edit() {
    let env = Env::new();
    let log = env.dir.path().join("hooks.log");
    let first = env.write("s.yml", "a: 1\nb: 1\n").ok().to_owned();
    project(&env, &[&format!("echo \"$CFG_OLD_REV $CFG_NEW_REV\" >> {}", log.display())]);
    env.put("s.yml", "a: 5\nb: 1\n");
    let new = env.cfg(&["set", "s.yml", "b", "2"]).ok().to_owned();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), format!("{first} {new}\n"));
    // So the diff between them holds everything the follower had not seen.
    let diff = env.cfg(&["diff", "s.yml", "--from", &first, "--to", &new]);
    assert!(diff.stdout.contains("+a: 5") && diff.stdout.contains("+b: 2"), "{}", diff.stdout);
}

#[test]
fn a_failing_command_warns_and_the_write_stands() {
    let env = Env::new();
    let log = env.dir.path().join("hooks.log");
    project(&env, &["echo oops; exit 3", &format!("echo second ran >> {}", log.display())]);
    let out = env.write("s.yml", "a: 1\n");
    let rev = out.ok().to_owned();
    assert_eq!(rev.len(), 40, "standard output is only the revision: {}", out.stdout);
    assert!(out.stderr.contains("warning: on_write command `echo oops; exit 3` for `s.yml` failed"), "{}", out.stderr);
    assert!(out.stderr.contains("oops"), "the command's output goes to standard error: {}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(env.git_log()[0], rev);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "second ran\n", "later commands still run");
}

#[test]
fn commands_run_after_the_lock_is_released() {
    let env = Env::new();
    // A command that writes through cfg itself would wait for the lock if it
    // were still held.
    project(
        &env,
        &["test \"$CFG_FILE\" = other.yml || echo 'n: 1' | \"$CFG_BIN\" --lock-timeout 300ms write other.yml"],
    );
    let out =
        crate::common::pipe(env.command().env("CFG_BIN", crate::common::cfg_bin()).args(["write", "s.yml"]), b"a: 1\n");
    out.ok();
    // No on_write failure (the nested write's YAML 1.1 warning about the key
    // `n` is the validator's, not a failure).
    assert!(!out.stderr.contains("the write stands"), "{}", out.stderr);
    assert_eq!(env.read("other.yml"), "n: 1\n");
}

/// `.cfg.yaml` with `on_write` entries in the mapping form.
fn hooks(env: &Env, entries: &[(&str, &str)]) {
    let mut text = String::from("on_write:\n");
    for (command, extra) in entries {
        text.push_str(&format!("  - command: {}\n", serde_json::to_string(command).unwrap()));
        for line in extra.lines() {
            text.push_str(&format!("    {line}\n"));
        }
    }
    std::fs::write(env.path(".cfg.yaml"), text).unwrap();
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_owned).collect()
}

#[test]
fn a_glob_limits_a_command_to_its_files() {
    let env = Env::new();
    let log = env.dir.path().join("hooks.log");
    let record = |what: &str| format!("echo \"{what} $CFG_FILE\" >> {}", log.display());
    hooks(&env, &[(&record("scheduler"), "glob: '**/schedule_config.y*ml'"), (&record("any"), "")]);
    env.write("conf/schedule_config.yml", "a: 1\n").ok();
    env.write("other.yml", "b: 1\n").ok();
    env.write("schedule_config.yaml", "c: 1\n").ok();
    assert_eq!(
        lines(&log),
        [
            "scheduler conf/schedule_config.yml",
            "any conf/schedule_config.yml",
            "any other.yml",
            "scheduler schedule_config.yaml",
            "any schedule_config.yaml"
        ]
    );
}

#[test]
fn once_runs_once_per_write_naming_every_file() {
    let env = Env::new();
    let log = env.dir.path().join("hooks.log");
    let first = env.write("a.yml", "a: 1\n").ok().to_owned();
    env.write("b.yml", "b: 1\n").ok();
    let before = env.write("c.yml", "c: 1\n").ok().to_owned();
    env.write("a.yml", "a: 2\n").ok();
    let old = env.write("b.yml", "b: 2\n").ok().to_owned();
    let once = format!(
        "echo \"once [$CFG_FILE] $# $* | $(printf %s \"$CFG_FILES\" | tr '\\n' ,) | $CFG_OLD_REV $CFG_NEW_REV\" >> {}",
        log.display()
    );
    let each = format!("echo \"each $CFG_FILE\" >> {}", log.display());
    let never = format!("echo never >> {}", log.display());
    hooks(&env, &[(&once, "once: true"), (&never, "once: true\nglob: '*.json'"), (&each, "")]);
    // A restore of two files (from the revision where b.yml was `b: 1`).
    let restored = env.cfg(&["restore", &before, "a.yml", "b.yml"]).ok().to_owned();
    assert_ne!(first, restored);
    assert_eq!(
        lines(&log),
        [format!("once [] 2 a.yml b.yml | a.yml,b.yml | {old} {restored}"), "each a.yml".into(), "each b.yml".into()]
    );
    // `cfg run` of two files.
    std::fs::remove_file(&log).unwrap();
    let run = env.cfg(&["run", "a.yml", "b.yml", "--", "sh", "-c", "echo 'a: 9' > a.yml; echo 'b: 9' > b.yml"]);
    let rev = run.ok().to_owned();
    assert_eq!(
        lines(&log),
        [format!("once [] 2 a.yml b.yml | a.yml,b.yml | {restored} {rev}"), "each a.yml".into(), "each b.yml".into()]
    );
}

#[test]
fn a_hanging_hook_is_killed_with_its_children_at_its_timeout() {
    let env = Env::new();
    let pid_file = env.dir.path().join("hook.pid");
    // Their output away from cfg's standard error, whose end the test waits for.
    let command = format!("echo $$ > {}; sleep 300 >/dev/null 2>&1 & sleep 300 >/dev/null 2>&1", pid_file.display());
    hooks(&env, &[(&command, "timeout: 300ms")]);
    let out = env.write("s.yml", "a: 1\n");
    let rev = out.ok().to_owned();
    assert!(
        out.stderr.contains(&format!(
            "warning: on_write command `{command}` for `s.yml` timed out after 300ms; it was killed with its process \
             group; the write stands"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(env.git_log(), [rev]);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    let group: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    crate::checks::assert_group_ends(group);
}

#[test]
fn strict_hooks_make_a_failed_hook_the_exit_code() {
    let env = Env::new();
    hooks(&env, &[("exit 0", "")]);
    env.cfg_in(&["write", "--strict-hooks", "s.yml"], b"a: 1\n").ok();
    hooks(&env, &[("exit 4", "glob: s.yml")]);
    env.cfg_in(&["write", "--strict-hooks", "t.yml"], b"t: 1\n").ok();
    let out = env.cfg_in(&["write", "--strict-hooks", "s.yml"], b"a: 2\n");
    out.fails_with(9);
    assert!(out.stderr.contains("failed (exit status: 4); the write stands"), "{}", out.stderr);
    assert_eq!(out.stdout.trim(), env.git_log()[0], "the write stands and its revision is printed");
    assert_eq!(env.read("s.yml"), "a: 2\n");
    // Every command that runs hooks takes the flag.
    env.cfg(&["set", "--strict-hooks", "s.yml", "a", "3"]).fails_with(9);
    env.cfg(&["restore", "--strict-hooks", &env.git_log()[1], "s.yml"]).fails_with(9);
    env.cfg(&["run", "--strict-hooks", "s.yml", "--", "sh", "-c", "echo 'a: 4' > s.yml"]).fails_with(9);
    // Without it, a warning and success.
    env.cfg(&["set", "s.yml", "a", "5"]).ok();
}
