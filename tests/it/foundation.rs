//! The foundation: the store, the safe write path, restore and the audit log.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use crate::common::{AUTHOR, Env};

#[test]
fn three_writes_are_three_commits_git_lists() {
    let env = Env::new();
    let revs: Vec<String> =
        ["a: 1\n", "a: 2\n", "a: 3\n"].iter().map(|c| env.write("s.yml", c).ok().to_owned()).collect();
    for rev in &revs {
        assert_eq!(rev.len(), 40);
        assert!(rev.chars().all(|c| c.is_ascii_hexdigit()));
    }
    let listed = env.git_log();
    assert_eq!(listed, revs.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(env.read("s.yml"), "a: 3\n");
    // cfg log lists the same history.
    let ours: Vec<String> = env
        .cfg(&["log", "--format", "json"])
        .ok()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["rev"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ours, listed);
}

#[test]
fn cat_rev_returns_every_old_version() {
    let env = Env::new();
    let contents = ["a: 1\n", "a: 2\n", "a: 3\n"];
    let revs: Vec<String> = contents.iter().map(|c| env.write("s.yml", c).ok().to_owned()).collect();
    for (rev, content) in revs.iter().zip(contents) {
        assert_eq!(env.cfg(&["cat", "s.yml", "--rev", rev]).ok(), content.trim());
        assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &rev[..8]]).ok(), content.trim());
    }
    assert_eq!(env.cfg(&["cat", "s.yml", "--rev", "HEAD~2"]).ok(), "a: 1");
    assert_eq!(env.cfg(&["cat", "s.yml"]).ok(), "a: 3");
    env.cfg(&["cat", "s.yml", "--rev", "0000000"]).fails_with(5);
    env.cfg(&["cat", "nope.yml"]).fails_with(5);
}

#[test]
fn restore_is_a_new_commit() {
    let env = Env::new();
    let first = env.write("s.yml", "a: 1\n").ok().to_owned();
    env.write("s.yml", "a: 2\n").ok();
    env.write("other.yml", "b: 1\n").ok();
    let before = env.git_log();
    let restored = env.cfg(&["restore", &first, "s.yml", "-m", "back to one"]).ok().to_owned();
    assert_eq!(env.read("s.yml"), "a: 1\n");
    let after = env.git_log();
    assert_eq!(after.len(), before.len() + 1, "restore adds exactly one commit");
    assert_eq!(after[0], restored);
    assert_eq!(&after[1..], &before[..], "history is not rewritten");
    assert_eq!(env.git(&["log", "-1", "--format=%s", "main"]).trim(), "back to one");
    assert!(env.git(&["log", "-1", "--format=%b", "main"]).contains(&format!("Cfg-Restored-From: {first}")));
    // other.yml did not exist at `first`: a restore of everything leaves it alone.
    env.cfg(&["restore", &first]).ok();
    assert_eq!(env.read("other.yml"), "b: 1\n");
    // Restoring to the current content changes nothing.
    let head = env.git_log()[0].clone();
    assert_eq!(env.cfg(&["restore", &first, "s.yml"]).ok(), head);
    env.cfg(&["restore", "not-a-rev"]).fails_with(5);
    env.cfg(&["restore", &first, "missing.yml"]).fails_with(5);
}

#[test]
fn invalid_write_changes_neither_file_nor_history() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let before = env.git_log();
    let out = env.write("s.yml", "a: [1, 2\nb: 3\n");
    out.fails_with(1);
    assert!(out.stderr.contains("s.yml:"), "names the file: {}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(env.git_log(), before);
    // JSON files are parsed as JSON.
    env.write("c.json", "{\"a\": 1,}").fails_with(1);
    assert!(!env.path("c.json").exists());
    env.write("c.json", "{\"a\": 1}").ok();
}

#[test]
fn permission_bits_survive_a_write() {
    let env = Env::new();
    for mode in [0o600, 0o640, 0o644, 0o755] {
        let file = format!("m{mode:o}.yml");
        env.put(&file, "a: 0\n");
        std::fs::set_permissions(env.path(&file), std::fs::Permissions::from_mode(mode)).unwrap();
        env.write(&file, "a: 1\n").ok();
        let after = std::fs::metadata(env.path(&file)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(after, mode, "{file}");
    }
}

#[test]
fn new_file_gets_0666_minus_umask() {
    let env = Env::new();
    // The umask is process-wide; run the writer under a shell that sets it.
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let file = format!("u{umask}.yml");
        let mut command = std::process::Command::new("sh");
        crate::common::hermetic(&mut command, env.dir.path());
        command.current_dir(&env.root).env("CFG_AUTHOR", AUTHOR).args([
            "-c",
            &format!("umask {umask} && echo 'a: 1' | \"$0\" write {file}"),
            crate::common::cfg_bin(),
        ]);
        let out: crate::common::Out = command.output().unwrap().into();
        out.ok();
        let mode = std::fs::metadata(env.path(&file)).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, expected, "umask {umask}");
    }
}

#[test]
fn unchanged_write_makes_no_commit() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\n").ok().to_owned();
    let out = env.write("s.yml", "a: 1\n");
    assert_eq!(out.ok(), rev, "prints the current revision");
    assert_eq!(env.git_log().len(), 1);
}

#[test]
fn outside_edit_is_committed_before_the_next_write() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    env.put("s.yml", "a: edited by hand\n");
    assert_eq!(env.cfg(&["status"]).ok(), "modified s.yml");
    let diff = env.cfg(&["diff", "s.yml"]).ok().to_owned();
    assert!(diff.contains("-a: 1") && diff.contains("+a: edited by hand"), "{diff}");
    let rev = env.write("s.yml", "a: 2\n").ok().to_owned();
    let log = env.git_log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0], rev);
    assert_eq!(env.cfg(&["cat", "s.yml", "--rev", &log[1]]).ok(), "a: edited by hand");
    assert!(env.git(&["log", "-1", "--format=%an %s", &log[1]]).starts_with("outside cfg external change to s.yml"));
    assert_eq!(env.cfg(&["status"]).ok(), "");
    // A file that existed before cfg managed it is kept as the first version.
    env.put("pre.yml", "old: true\n");
    env.write("pre.yml", "old: false\n").ok();
    assert_eq!(env.cfg(&["cat", "pre.yml", "--rev", "HEAD~1"]).ok(), "old: true");
    // A managed file deleted on disk shows as missing; a write brings it back.
    std::fs::remove_file(env.path("pre.yml")).unwrap();
    assert_eq!(env.cfg(&["status"]).ok(), "missing  pre.yml");
}

#[test]
fn a_second_writer_waits_for_the_lock() {
    let env = Env::new();
    env.write("s.yml", "a: 0\n").ok();
    let lock = std::fs::File::options().write(true).open(env.path(".cfg/lock")).unwrap();
    lock.lock().unwrap();
    let started = Instant::now();
    let mut writer = env.command();
    writer.args(["write", "s.yml", "-i", "-"]).stdin(std::process::Stdio::piped());
    let child = std::thread::spawn(move || crate::common::pipe(&mut writer, b"a: 1\n"));
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(env.read("s.yml"), "a: 0\n", "nothing happens while the lock is held");
    lock.unlock().unwrap();
    let out = child.join().unwrap();
    out.ok();
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(env.read("s.yml"), "a: 1\n");
}

#[test]
fn a_writer_past_its_timeout_exits_4() {
    let env = Env::new();
    env.write("s.yml", "a: 0\n").ok();
    // Held the way a shell script holds it.
    let mut holder = crate::common::hold_lock(&env);
    let out = env.cfg_in(&["write", "s.yml", "--lock-timeout", "300ms"], b"a: 1\n");
    holder.kill().unwrap();
    holder.wait().unwrap();
    out.fails_with(4);
    assert!(out.stderr.contains("lock"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 0\n");
    assert_eq!(env.git_log().len(), 1);
}

#[test]
fn a_busy_lock_names_its_holder() {
    let env = Env::new();
    env.write("s.yml", "a: 0\n").ok();
    // What a cfg holder records (cfg reads its input before locking, so a real
    // cfg cannot be paused while holding the lock from outside).
    std::fs::write(env.path(".cfg/lock"), "pid 4242\nhost elsewhere\ncommand cfg write s.yml\n").unwrap();
    let mut holder = crate::common::hold_lock(&env);
    let out = env.cfg_in(&["write", "s.yml", "--lock-timeout", "100ms"], b"a: 1\n");
    holder.kill().unwrap();
    holder.wait().unwrap();
    out.fails_with(4);
    assert!(out.stderr.contains("pid 4242"), "{}", out.stderr);
}

#[test]
fn a_killed_lock_holder_does_not_block() {
    let env = Env::new();
    env.write("s.yml", "a: 0\n").ok();
    let mut holder = crate::common::hold_lock(&env);
    holder.kill().unwrap();
    holder.wait().unwrap();
    env.cfg_in(&["write", "s.yml", "--lock-timeout", "1s"], b"a: 1\n").ok();
}

#[test]
fn refused_paths_exit_2_with_nothing_written() {
    let env = Env::new();
    env.write("s.yml", "a: 0\n").ok();
    let outside = env.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, env.path("linkdir")).unwrap();
    std::os::unix::fs::symlink(env.path("s.yml"), env.path("link.yml")).unwrap();
    std::fs::create_dir(env.path("real")).unwrap();
    std::os::unix::fs::symlink(env.path("real"), env.path("inner")).unwrap();
    let escape = format!("{}/x.yml", outside.display());
    let cases = [
        "../outside/x.yml",
        "../../etc/x.yml",
        escape.as_str(),
        ".cfg/HEAD",
        ".cfg/x.yml",
        ".CFG/x.yml",
        ".git/config",
        "sub/.Git/x.yml",
        "linkdir/x.yml",
        "link.yml",
        "inner/x.yml",
        "new\nline.yml",
        ".",
    ];
    let before = env.git_log();
    for case in cases {
        let out = env.write(case, "a: 1\n");
        assert_eq!(out.code, 2, "{case:?} was not refused: {out:#?}");
    }
    assert_eq!(env.git_log(), before);
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside the root");
    assert_eq!(std::fs::read_dir(env.path("real")).unwrap().count(), 0);
    assert_eq!(env.read("s.yml"), "a: 0\n");
    assert!(!env.path(".cfg/x.yml").exists());
}

#[test]
fn files_in_subfolders_and_root_discovery() {
    let env = Env::new();
    env.write("conf/deep/s.yml", "a: 1\n").ok();
    assert_eq!(env.read("conf/deep/s.yml"), "a: 1\n");
    assert_eq!(env.git(&["show", "main:conf/deep/s.yml"]), "a: 1\n");
    // From a subfolder, paths are relative to it and the root is found above.
    let out = crate::common::pipe(env.command().current_dir(env.path("conf")).args(["write", "deep/s.yml"]), b"a: 2\n");
    out.ok();
    let out = env.command().current_dir(env.path("conf/deep")).args(["cat", "s.yml"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a: 2\n");
    // --root and CFG_ROOT override discovery.
    let elsewhere = Env::bare();
    let out: crate::common::Out = elsewhere
        .command()
        .args(["cat", "conf/deep/s.yml", "--root"])
        .arg(&env.root)
        .current_dir(&env.root)
        .output()
        .unwrap()
        .into();
    assert_eq!(out.ok(), "a: 2");
    let out: crate::common::Out =
        elsewhere.command().args(["log", "-n", "1"]).env("CFG_ROOT", &env.root).output().unwrap().into();
    let log = out.ok();
    assert!(log.starts_with("commit ") && log.contains("Changed: M conf/deep/s.yml"), "{log}");
    // No store anywhere: a usage error that says what to do.
    let out = elsewhere.write("x.yml", "a: 1\n");
    out.fails_with(2);
    assert!(out.stderr.contains("cfg init"), "{}", out.stderr);
}

#[test]
fn init_is_idempotent_and_excludes_the_store_from_git() {
    let env = Env::bare();
    let status = std::process::Command::new("git").args(["init", "-q"]).current_dir(&env.root).status().unwrap();
    assert!(status.success());
    std::fs::create_dir(env.path("svc")).unwrap();
    env.cfg(&["init", "svc"]).ok();
    env.cfg(&["init", "svc"]).ok();
    let exclude = std::fs::read_to_string(env.path(".git/info/exclude")).unwrap();
    assert_eq!(exclude.lines().filter(|l| *l == "/svc/.cfg/").count(), 1, "{exclude}");
    let out =
        std::process::Command::new("git").args(["status", "--porcelain"]).current_dir(&env.root).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "the store is invisible to git status");
    let svc = Env { dir: tempfile::tempdir().unwrap(), root: env.path("svc") };
    svc.write("a.yml", "a: 1\n").ok();
    svc.fsck();
    std::mem::forget(svc);
}

#[test]
fn commits_record_author_time_message_and_trailers() {
    let env = Env::new();
    let out: crate::common::Out = crate::common::pipe(
        env.command()
            .args(["write", "s.yml", "-m", "raise retries", "--author", "Ada <ada@example.org>"])
            .env("GIT_COMMITTER_DATE", "@1700000000 +0100"),
        b"a: 1\n",
    );
    out.ok();
    let line = env.git(&["log", "-1", "--format=%an|%ae|%at|%ct|%ai|%s", "main"]);
    assert_eq!(line.trim(), "Ada|ada@example.org|1700000000|1700000000|2023-11-14 23:13:20 +0100|raise retries");
    let body = env.git(&["log", "-1", "--format=%(trailers:key=Cfg-Command,valueonly)", "main"]);
    assert_eq!(body.trim(), "cfg write s.yml -m \"raise retries\" --author \"Ada <ada@example.org>\"");
    let host = env.git(&["log", "-1", "--format=%(trailers:key=Cfg-Host,valueonly)", "main"]);
    assert!(!host.trim().is_empty());
    // CFG_AUTHOR is the default author; the default message names the file.
    env.write("s.yml", "a: 2\n").ok();
    assert_eq!(env.git(&["log", "-1", "--format=%an <%ae>|%s", "main"]).trim(), format!("{AUTHOR}|write s.yml"));
    let entry: serde_json::Value = serde_json::from_str(env.cfg(&["log", "-n", "1", "--format", "json"]).ok()).unwrap();
    for key in ["rev", "time", "author", "host", "command", "message", "files"] {
        assert!(!entry[key].is_null(), "log json lacks {key}: {entry}");
    }
    assert_eq!(entry["files"][0]["path"], "s.yml");
    let text = env.cfg(&["log", "-n", "1"]).ok().to_owned();
    for needle in
        ["commit ", "Date:", "Author:  Test User", "Host:", "Command: cfg write s.yml", "M s.yml", "write s.yml"]
    {
        assert!(text.contains(needle), "log text lacks {needle:?}:\n{text}");
    }
}

#[test]
fn log_filters_by_file_and_count() {
    let env = Env::new();
    env.write("a.yml", "a: 1\n").ok();
    env.write("b.yml", "b: 1\n").ok();
    env.write("a.yml", "a: 2\n").ok();
    let lines = |args: &[&str]| env.cfg(args).ok().lines().count();
    assert_eq!(lines(&["log", "--format", "json"]), 3);
    assert_eq!(lines(&["log", "a.yml", "--format", "json"]), 2);
    assert_eq!(lines(&["log", "b.yml", "--format", "json"]), 1);
    assert_eq!(lines(&["log", "-n", "2", "--format", "json"]), 2);
    // rev names the commit that made the file's latest version.
    let log = env.git_log();
    assert_eq!(env.cfg(&["rev", "a.yml"]).ok(), log[0]);
    assert_eq!(env.cfg(&["rev", "b.yml"]).ok(), log[1]);
}

#[test]
fn show_and_diff_between_revisions() {
    let env = Env::new();
    let one = env.write("s.yml", "a: 1\nb: 1\n").ok().to_owned();
    let two = env.write("s.yml", "a: 1\nb: 2\n").ok().to_owned();
    let show = env.cfg(&["show", &two]).ok().to_owned();
    assert!(show.contains(&format!("commit {two}")) && show.contains("-b: 1") && show.contains("+b: 2"), "{show}");
    let diff = env.cfg(&["diff", "s.yml", "--from", &one, "--to", &two]).ok().to_owned();
    assert!(diff.contains("-b: 1\n+b: 2"), "{diff}");
    assert!(!diff.contains('\x1b'), "no colour when piped");
    assert_eq!(env.cfg(&["diff", "s.yml"]).ok(), "", "disk matches the latest version");
    env.cfg(&["show", "deadbeef"]).fails_with(5);
}

#[test]
fn help_documents_the_exit_codes() {
    let env = Env::bare();
    let help = env.cfg(&["--help"]).ok().to_owned();
    for code in ["0  success", "1  invalid", "2  usage", "3  conflict", "4  the store lock", "5  unknown", "6  I/O"] {
        assert!(help.contains(code), "--help lacks {code:?}");
    }
}

#[test]
fn write_shows_the_validators_warnings_and_succeeds() {
    let env = Env::new();
    let out = env.write("s.yml", "enabled: yes\n");
    out.ok();
    assert!(out.stderr.contains("warning: s.yml:1:10:") && out.stderr.contains("yes"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "enabled: yes\n");
    // What `cfg check` says about the same content.
    let check = env.cfg_in(&["check", "--format", "json", "--stdin-filename", "s.yml", "-"], b"enabled: yes\n");
    let finding: serde_json::Value = serde_json::from_str(check.ok().lines().next().unwrap()).unwrap();
    assert_eq!((finding["line"].as_u64(), finding["column"].as_u64()), (Some(1), Some(10)));
    assert_eq!(finding["severity"], "warning");
}
