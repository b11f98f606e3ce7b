//! `--dry-run` on `write`, `set`, `unset`, `append` and `restore`: everything
//! up to the rename (lock, outside edits noted, merge, validation, checks),
//! then the diff that would be committed, and nothing written: the store and
//! the files stay byte for byte as they were. The diff is the one the real
//! command then commits, and the exit code the one it then has.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{Env, Out};

/// Every file and folder under the root, `.cfg/` included, with its bytes.
fn snapshot(env: &Env) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![env.root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.strip_prefix(&env.root).unwrap().display().to_string();
            if entry.file_type().unwrap().is_dir() {
                found.insert(name, None);
                pending.push(path);
            } else {
                found.insert(name, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    found
}

/// The diffs of a `cfg show` or `--dry-run` output, from the first file
/// header on, with the revision labels of the headers left out.
fn diffs(output: &str) -> String {
    let start = output.find("--- a/").unwrap_or_else(|| panic!("no diff in:\n{output}"));
    output[start..]
        .lines()
        .map(|line| match line.split_once(" (") {
            Some((header, _)) if line.starts_with("--- a/") || line.starts_with("+++ b/") => header,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `args` with `--dry-run`, asserting that nothing under the root
/// changed and that git sees the same history; returns its output.
#[track_caller]
fn dry_run(env: &Env, args: &[&str], stdin: &str) -> Out {
    let before = snapshot(env);
    let log = env.git_log();
    let mut with_flag = args.to_vec();
    with_flag.push("--dry-run");
    let out = env.cfg_in(&with_flag, stdin.as_bytes());
    let after = snapshot(env);
    let changed: Vec<&String> = before.keys().chain(after.keys()).filter(|k| before.get(*k) != after.get(*k)).collect();
    assert!(changed.is_empty(), "the dry run changed {changed:?} under the root:\n{out:#?}");
    assert_eq!(env.git_log(), log);
    env.fsck();
    out
}

/// A dry run, then the real command: the dry run's diff is what the real
/// command committed. Returns the dry run's output and the new revision.
#[track_caller]
fn dry_then_real(env: &Env, args: &[&str], stdin: &str) -> (Out, String) {
    let dry = dry_run(env, args, stdin);
    dry.ok();
    let rev = env.cfg_in(args, stdin.as_bytes()).ok().to_owned();
    let show = env.cfg(&["show", &rev]);
    assert_eq!(diffs(&dry.stdout), diffs(show.ok()), "dry run against the real commit {rev}");
    (dry, rev)
}

const SCHEDULE: &str = "# the scheduler's config\nsettings:\n  log_level: info\n  retries: 3\nevents:\n  - boot\n";

#[test]
fn each_command_previews_exactly_what_it_then_commits() {
    let env = Env::new();
    let first = env.write("s.yml", SCHEDULE).ok().to_owned();
    let (dry, _) = dry_then_real(&env, &["write", "s.yml"], &SCHEDULE.replace("retries: 3", "retries: 5"));
    assert!(dry.stdout.contains("-  retries: 3\n+  retries: 5\n"), "{}", dry.stdout);
    assert!(
        dry.stderr.contains("dry run: would commit \"write s.yml\"; nothing was written or committed"),
        "{}",
        dry.stderr
    );
    dry_then_real(&env, &["set", "s.yml", "settings.log_level", "debug"], "");
    dry_then_real(&env, &["unset", "s.yml", "settings.retries"], "");
    dry_then_real(&env, &["append", "s.yml", "events", "deploy"], "");
    // A new file, and a restore of two files.
    let (dry, _) = dry_then_real(&env, &["write", "conf/new.yml"], "n: 1\n");
    assert!(dry.stdout.contains("--- a/conf/new.yml ((none))\n+++ b/conf/new.yml (dry run)\n"), "{}", dry.stdout);
    let (dry, rev) = dry_then_real(&env, &["restore", &first], "");
    assert!(dry.stdout.contains("a/s.yml") && !dry.stdout.contains("new.yml"), "{}", dry.stdout);
    assert_eq!(env.read("s.yml"), SCHEDULE);
    // Standard output of the dry run is only the diff; git agrees with it.
    let git = env.git(&["show", "--format=", &rev]);
    // git adds the nearest "function" line after a hunk's header; cfg does not.
    let hunks = |text: &str| -> Vec<String> {
        let lines = text.lines().skip_while(|l| !l.starts_with("@@"));
        lines
            .map(|l| if l.starts_with("@@") { &l[..l.rfind("@@").unwrap() + 2] } else { l })
            .map(String::from)
            .collect()
    };
    assert_eq!(hunks(&dry.stdout), hunks(&git));
}

#[test]
fn an_outside_edit_is_noted_not_committed_and_the_diff_starts_from_it() {
    let env = Env::new();
    env.write("s.yml", SCHEDULE).ok();
    let edited = SCHEDULE.replace("log_level: info", "log_level: warn");
    env.put("s.yml", &edited);
    let dry = dry_run(&env, &["set", "s.yml", "settings.retries", "7"], "");
    dry.ok();
    assert_eq!(env.read("s.yml"), edited, "the edit on disk stays as it was");
    assert!(
        dry.stderr.contains("note: `s.yml` was edited outside cfg; the write would first record that edit"),
        "{}",
        dry.stderr
    );
    assert!(dry.stdout.contains("--- a/s.yml (on disk, edited outside cfg)"), "{}", dry.stdout);
    assert!(dry.stdout.contains("\n   log_level: warn\n"), "the outside edit is the diff's base: {}", dry.stdout);

    let before = env.git_log().len();
    let rev = env.cfg(&["set", "s.yml", "settings.retries", "7"]).ok().to_owned();
    assert_eq!(env.git_log().len(), before + 2, "the outside edit, then the change");
    assert_eq!(diffs(&dry.stdout), diffs(env.cfg(&["show", &rev]).ok()));
    assert!(env.read("s.yml").contains("log_level: warn\n  retries: 7\n"));
}

#[test]
fn a_merge_with_expect_is_previewed_as_it_is_then_committed() {
    let env = Env::new();
    let base = env.write("s.yml", SCHEDULE).ok().to_owned();
    env.cfg(&["set", "s.yml", "settings.log_level", "debug"]).ok();
    let mine = SCHEDULE.replace("- boot", "- boot\n  - deploy");
    let args = ["write", "s.yml", "--expect", &base];
    let (dry, rev) = dry_then_real(&env, &args, &mine);
    assert!(dry.stderr.contains(&format!("the file had changed since {}", &base[..7])), "{}", dry.stderr);
    assert!(dry.stdout.contains("+  - deploy"), "{}", dry.stdout);
    assert!(!dry.stdout.contains("log_level"), "the other change is already in the latest version: {}", dry.stdout);
    assert!(env.cfg(&["cat", "s.yml", "--rev", &rev]).ok().contains("log_level: debug"));
}

#[test]
fn the_exit_code_is_the_real_commands_and_nothing_changes() {
    let env = Env::new();
    let base = env.write("s.yml", SCHEDULE).ok().to_owned();
    env.cfg(&["set", "s.yml", "settings.retries", "4"]).ok();
    let cases: [(&[&str], &str, i32); 5] = [
        (&["write", "s.yml"], "a: [\n", 1),
        (&["write", "s.yml", "--expect", &base, "--no-merge"], "a: 1\n", 3),
        (&["restore", "0123456789abcdef0123456789abcdef01234567"], "", 5),
        (&["unset", "s.yml", "no.such.key"], "", 2),
        (&["write", "../outside.yml"], "a: 1\n", 2),
    ];
    for (args, stdin, code) in cases {
        let dry = dry_run(&env, args, stdin);
        assert_eq!(dry.code, code, "{args:?} --dry-run: {dry:#?}");
        assert!(dry.stdout.is_empty(), "{dry:#?}");
        assert_eq!(env.cfg_in(args, stdin.as_bytes()).code, code, "{args:?}");
    }
    // No change: nothing to show, and no commit either way.
    let same = dry_run(&env, &["set", "s.yml", "settings.retries", "4"], "");
    same.ok();
    assert!(same.stdout.is_empty() && same.stderr.contains("no change, so no commit"), "{same:#?}");
    assert!(!Path::new(&env.path("outside.yml")).exists());
}

#[test]
fn checks_run_in_a_dry_run_and_leave_nothing_behind() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let seen = env.dir.path().join("seen");
    env.put(
        ".cfg.yaml",
        &format!(
            "checks:\n  - glob: s.yml\n    command: 'cp {{}} {}; if grep -q forbidden {{}}; then echo refused >&2; exit 1; fi'\n",
            seen.display()
        ),
    );
    let (dry, _) = dry_then_real(&env, &["write", "s.yml"], "a: 2\n");
    assert!(dry.stdout.contains("+a: 2"), "{}", dry.stdout);
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "a: 2\n", "the check ran on the new content");
    let refused = dry_run(&env, &["write", "s.yml"], "a: forbidden\n");
    refused.fails_with(1);
    assert!(refused.stderr.contains("refused"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "a: forbidden\n");
    // In an empty store too, where the write would make the first commit.
    let empty = Env::new();
    empty.put(".cfg.yaml", &std::fs::read_to_string(env.path(".cfg.yaml")).unwrap());
    let first = dry_run(&empty, &["write", "s.yml"], "a: 3\n");
    first.ok();
    assert!(first.stdout.contains("+a: 3"), "{first:#?}");
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "a: 3\n");
}
