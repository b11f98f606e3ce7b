//! `cfg run FILE... -- CMD`: a command edits files in place under the store
//! lock; valid results are committed in one commit, anything else is put back.

use crate::common::Env;

#[test]
fn a_valid_change_is_one_commit_with_the_command_line() {
    let env = Env::new();
    env.write("a.yml", "# jobs\nlevel: info\n").ok();
    env.write("b.yml", "n: 1\n").ok();
    let before = env.git_log();
    let out = env.cfg(&["run", "a.yml", "b.yml", "--", "sed", "-i", "s/info/debug/; s/n: 1/n: 2/", "a.yml", "b.yml"]);
    let rev = out.ok().to_owned();
    assert_eq!(env.read("a.yml"), "# jobs\nlevel: debug\n");
    assert_eq!(env.read("b.yml"), "n: 2\n");
    let log = env.git_log();
    assert_eq!(log.len(), before.len() + 1, "one commit for both files");
    assert_eq!(log[0], rev);
    let subject = env.git(&["log", "-1", "--format=%s", "main"]);
    assert_eq!(subject.trim(), "run sed -i 's/info/debug/; s/n: 1/n: 2/' a.yml b.yml");
    let files = env.git(&["show", "--format=", "--name-only", "main"]);
    assert_eq!(files.lines().collect::<Vec<_>>(), ["a.yml", "b.yml"]);
    assert_eq!(env.git(&["show", "main:b.yml"]), "n: 2\n");
}

#[test]
fn an_invalid_result_puts_every_file_back() {
    let env = Env::new();
    env.write("a.yml", "a: 1\n").ok();
    env.write("b.yml", "b: 1\n").ok();
    std::fs::set_permissions(env.path("a.yml"), std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let before = env.git_log();
    // a.yml stays valid, b.yml breaks; the command also creates c.yml.
    let script = "echo 'a: 2' > a.yml; echo 'b: [' > b.yml; echo 'c: 1' > c.yml; chmod 600 a.yml";
    let out = env.cfg(&["run", "a.yml", "b.yml", "c.yml", "--", "sh", "-c", script]);
    out.fails_with(1);
    assert!(out.stderr.contains("b.yml:2:1"), "{}", out.stderr);
    assert!(out.stderr.contains("put back"), "{}", out.stderr);
    assert_eq!(env.read("a.yml"), "a: 1\n");
    assert_eq!(env.read("b.yml"), "b: 1\n");
    assert!(!env.path("c.yml").exists(), "a file the command created is removed");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(env.path("a.yml")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o640, "the old mode is back too");
    assert_eq!(env.git_log(), before);
}

#[test]
fn a_failing_command_puts_the_files_back_and_exits_7() {
    let env = Env::new();
    env.write("a.yml", "a: 1\n").ok();
    let before = env.git_log();
    let out = env.cfg(&["run", "a.yml", "--", "sh", "-c", "echo 'a: 2' > a.yml; exit 3"]);
    out.fails_with(7);
    assert!(out.stderr.contains("failed (exit status: 3)"), "{}", out.stderr);
    assert_eq!(env.read("a.yml"), "a: 1\n");
    assert_eq!(env.git_log(), before);
    env.cfg(&["run", "a.yml", "--", "no-such-program-here"]).fails_with(7);
    // Removing a named file is refused: cfg records content, not deletions.
    let out = env.cfg(&["run", "a.yml", "--", "rm", "a.yml"]);
    out.fails_with(1);
    assert_eq!(env.read("a.yml"), "a: 1\n");
}

#[test]
fn outside_edits_are_recorded_before_the_command_runs() {
    let env = Env::new();
    env.write("a.yml", "a: 1\nb: 1\n").ok();
    env.put("a.yml", "a: 5\nb: 1\n");
    env.cfg(&["run", "a.yml", "--", "sed", "-i", "s/b: 1/b: 2/", "a.yml"]).ok();
    let log = env.git(&["log", "--format=%an|%s", "main"]);
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[0].ends_with("|run sed -i 's/b: 1/b: 2/' a.yml"), "{log}");
    assert!(lines[1].starts_with("outside cfg|external change to a.yml"), "{log}");
    assert_eq!(env.git(&["show", "main~1:a.yml"]), "a: 5\nb: 1\n");
    assert_eq!(env.read("a.yml"), "a: 5\nb: 2\n");
}

#[test]
fn the_command_runs_under_the_store_lock() {
    let env = Env::new();
    env.write("a.yml", "a: 1\n").ok();
    // A writer started from inside the command cannot get the lock.
    let code = env.dir.path().join("code");
    let script = format!(
        "echo 'x: 1' | \"$0\" --lock-timeout 300ms write other.yml >/dev/null 2>&1; echo $? > {}; echo 'a: 2' > a.yml",
        code.display()
    );
    env.cfg(&["run", "a.yml", "--", "sh", "-c", &script, crate::common::cfg_bin()]).ok();
    assert_eq!(std::fs::read_to_string(&code).unwrap().trim(), "4", "the inner writer found the lock busy");
    assert_eq!(env.read("a.yml"), "a: 2\n");
    assert!(!env.path("other.yml").exists());
}

#[test]
fn nothing_changed_means_no_commit() {
    let env = Env::new();
    env.write("a.yml", "a: 1\n").ok();
    let before = env.git_log();
    let out = env.cfg(&["run", "a.yml", "--", "true"]);
    assert_eq!(out.ok(), before[0]);
    assert!(out.stderr.contains("no commit"), "{}", out.stderr);
    assert_eq!(env.git_log(), before);
}
