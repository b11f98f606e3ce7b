//! Git hooks: the plain pre-commit hook checks STAGED content, `cfg hook
//! install` puts it in place without clobbering another hook, and the real
//! pre-commit framework runs `.pre-commit-hooks.yaml` from this repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Env, Out, cfg_bin, hermetic};

const GOOD: &str = "version: 1.0.0\nschedules: []\n";
const BAD: &str = "version: 1.0.0\nschedules: []\nschedules: []\n";

/// A git repository (the test root) with `cfg` first on PATH.
pub(crate) struct Repo {
    pub(crate) env: Env,
    path: String,
}

impl Repo {
    pub(crate) fn new() -> Repo {
        let env = Env::bare();
        let bin_dir = Path::new(cfg_bin()).parent().unwrap().to_owned();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let repo = Repo { env, path };
        repo.git(&["init", "-q", "-b", "main"]).ok();
        repo
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        hermetic(&mut command, self.env.dir.path());
        command
            .current_dir(&self.env.root)
            .env("PATH", &self.path)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.org")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.org");
        command
    }

    pub(crate) fn git(&self, args: &[&str]) -> Out {
        self.command("git").args(args).output().unwrap().into()
    }

    pub(crate) fn commits(&self) -> usize {
        let out = self.git(&["rev-list", "--count", "--all"]);
        out.stdout.trim().parse().unwrap_or(0)
    }
}

#[test]
fn the_git_hook_checks_staged_content_not_the_working_file() {
    let repo = Repo::new();
    let env = &repo.env;
    env.cfg(&["hook", "install"]).ok();
    let hook = env.path(".git/hooks/pre-commit");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), cfg::ops::PRE_COMMIT_HOOK);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111, 0o111);

    // Good content staged, bad content in the working copy: the commit passes.
    env.put("conf/schedule_config.yml", GOOD);
    repo.git(&["add", "conf/schedule_config.yml"]).ok();
    env.put("conf/schedule_config.yml", BAD);
    repo.git(&["commit", "-q", "-m", "good"]).ok();
    assert_eq!(repo.commits(), 1);

    // Bad content staged, good in the working copy: the commit is refused.
    repo.git(&["add", "conf/schedule_config.yml"]).ok();
    env.put("conf/schedule_config.yml", GOOD);
    let refused = repo.git(&["commit", "-q", "-m", "bad"]);
    assert_ne!(refused.code, 0, "{refused:#?}");
    assert!(refused.stderr.contains("conf/schedule_config.yml:3:1"), "{}", refused.stderr);
    assert!(refused.stderr.contains("duplicate key `schedules`"), "{}", refused.stderr);
    assert_eq!(repo.commits(), 1);

    // The project's schema applies to the staged content too.
    env.put(".cfg.yaml", "schemas:\n  '**/schedule_config.yml': builtin:schedule\n");
    env.put("conf/schedule_config.yml", "version: one\nschedules: []\n");
    repo.git(&["add", "conf/schedule_config.yml"]).ok();
    let refused = repo.git(&["commit", "-q", "-m", "bad version"]);
    assert!(refused.stderr.contains("conf/schedule_config.yml:1:10"), "{}", refused.stderr);
    env.put("conf/schedule_config.yml", "version: 1.0.1\nschedules: []\n");
    repo.git(&["add", "conf/schedule_config.yml"]).ok();
    repo.git(&["commit", "-q", "-m", "fixed"]).ok();
    assert_eq!(repo.commits(), 2);
}

#[test]
fn hook_install_keeps_a_different_hook_unless_forced() {
    let repo = Repo::new();
    let env = &repo.env;
    let hook = env.path(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = env.cfg(&["hook", "install"]);
    out.fails_with(2);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");
    env.cfg(&["hook", "install", "--force"]).ok();
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), cfg::ops::PRE_COMMIT_HOOK);
    let again = env.cfg(&["hook", "install"]);
    again.ok();
    assert!(again.stderr.contains("already installed"), "{}", again.stderr);
    // Outside a git repository it is a usage error.
    let outside = Env::bare();
    outside.cfg(&["hook", "install"]).fails_with(2);
}

/// The real pre-commit framework, running this repository's
/// `.pre-commit-hooks.yaml` (it builds `cfg` with cargo, like a user's would).
#[test]
fn pre_commit_framework_runs_the_hooks() {
    let available = Command::new("pre-commit").arg("--version").output().is_ok_and(|o| o.status.success());
    crate::common::require("pre-commit", available, "python3 -m pip install pre-commit");
    let repo = Repo::new();
    let env = &repo.env;
    let this_repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Builds of the hook's cfg are reused between runs.
    let build_dir = this_repo.join("target/pre-commit-build");
    let home = env.dir.path().join("pre-commit-home");
    env.put("good.yaml", "a: 1\n");
    env.put("bad.yaml", "a: 1\na: 2\n");
    env.put("schedule_config.yml", "version: 1.0.0\nschedules: {}\n");
    repo.git(&["add", "."]).ok();
    let try_repo = |hook: &str, files: &[&str]| -> Out {
        repo.command("pre-commit")
            .args(["try-repo", this_repo.to_str().unwrap(), hook, "--files"])
            .args(files)
            .env("PRE_COMMIT_HOME", &home)
            .env("CARGO_TARGET_DIR", &build_dir)
            .env("CARGO_HOME", real_home_dir("CARGO_HOME", ".cargo"))
            .env("RUSTUP_HOME", real_home_dir("RUSTUP_HOME", ".rustup"))
            .output()
            .unwrap()
            .into()
    };
    let passed = try_repo("cfg-check", &["good.yaml"]);
    assert_eq!(passed.code, 0, "{passed:#?}");
    let blocked = try_repo("cfg-check", &["good.yaml", "bad.yaml"]);
    assert_eq!(blocked.code, 1, "{blocked:#?}");
    assert!(blocked.stdout.contains("duplicate key `a`"), "{}", blocked.stdout);
    let schedule = try_repo("cfg-check-schedule", &["schedule_config.yml", "bad.yaml"]);
    assert_eq!(schedule.code, 1, "{schedule:#?}");
    assert!(schedule.stdout.contains("schedule_config.yml:2:12"), "{}", schedule.stdout);
    // bad.yaml does not match the schedule hook's `files`, so only one file failed.
    assert!(!schedule.stdout.contains("bad.yaml"), "{}", schedule.stdout);
}

/// The real user's cargo or rustup folder: the hermetic HOME must not hide
/// the toolchain or the registry cache.
fn real_home_dir(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map_or_else(|| Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(default), PathBuf::from)
}
