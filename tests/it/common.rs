//! The hermetic test environment: a temp managed root, its own `HOME`, no
//! user or system git configuration, a fixed author. When a test ends without
//! panicking, the environment checks that `git fsck --strict` accepts the store
//! and that no lock, temp or journal file was left behind.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub(crate) const AUTHOR: &str = "Test User <test@example.org>";

pub(crate) struct Env {
    pub(crate) dir: tempfile::TempDir,
    /// The managed root.
    pub(crate) root: PathBuf,
}

/// What a command did.
#[derive(Debug)]
pub(crate) struct Out {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Out {
    /// Asserts success and returns standard output, trimmed.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success:\n{self:#?}");
        self.stdout.trim()
    }

    #[track_caller]
    pub(crate) fn fails_with(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "expected exit code {code}:\n{self:#?}");
        self
    }
}

impl From<Output> for Out {
    fn from(output: Output) -> Out {
        Out {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

pub(crate) fn cfg_bin() -> &'static str {
    env!("CARGO_BIN_EXE_cfg")
}

impl Env {
    /// A new managed root with an initialized store.
    pub(crate) fn new() -> Env {
        let env = Env::bare();
        env.cfg(&["init", "."]).ok();
        env
    }

    /// A new folder without a store.
    pub(crate) fn bare() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let root = root.canonicalize().unwrap();
        Env { dir, root }
    }

    /// A `cfg` command with the hermetic environment, run from the root.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(cfg_bin());
        command.current_dir(&self.root);
        hermetic(&mut command, self.dir.path());
        command.env("CFG_AUTHOR", AUTHOR);
        command
    }

    pub(crate) fn cfg(&self, args: &[&str]) -> Out {
        self.command().args(args).stdin(Stdio::null()).output().expect("run cfg").into()
    }

    /// Runs `cfg` with `stdin` as standard input.
    pub(crate) fn cfg_in(&self, args: &[&str], stdin: &[u8]) -> Out {
        pipe(self.command().args(args), stdin)
    }

    /// `cfg write FILE` with `content` on standard input.
    pub(crate) fn write(&self, file: &str, content: &str) -> Out {
        self.cfg_in(&["write", file], content.as_bytes())
    }

    pub(crate) fn path(&self, file: &str) -> PathBuf {
        self.root.join(file)
    }

    pub(crate) fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
    }

    pub(crate) fn put(&self, file: &str, content: &str) {
        let path = self.path(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }

    /// The real git CLI on the side repository.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let mut command = Command::new("git");
        hermetic(&mut command, self.dir.path());
        let output = command.arg("--git-dir").arg(self.root.join(".cfg")).args(args).output().expect("run git");
        assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Commit ids, newest first, as git lists them.
    pub(crate) fn git_log(&self) -> Vec<String> {
        if !self.root.join(".cfg/refs/heads/main").exists() && !self.root.join(".cfg/packed-refs").exists() {
            return Vec::new();
        }
        self.git(&["log", "--format=%H", "main"]).lines().map(str::to_owned).collect()
    }

    #[track_caller]
    pub(crate) fn fsck(&self) {
        let mut command = Command::new("git");
        hermetic(&mut command, self.dir.path());
        let output = command
            .arg("--git-dir")
            .arg(self.root.join(".cfg"))
            .args(["fsck", "--strict", "--no-dangling"])
            .output()
            .unwrap();
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "git fsck --strict: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Files a killed or failed command could leave behind.
    pub(crate) fn leftovers(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let store = self.root.join(".cfg");
        for dir in [store.clone(), store.join("refs/heads"), store.join("objects")] {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".lock") || name.starts_with(".tmp") || name == "pending" {
                    found.push(entry.path());
                }
            }
        }
        let mut pending = vec![self.root.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() && name != ".cfg" {
                    pending.push(entry.path());
                } else if name.contains(".cfg-") && name.ends_with(".tmp") {
                    found.push(entry.path());
                }
            }
        }
        found
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if std::thread::panicking() || !self.root.join(".cfg/HEAD").exists() {
            return;
        }
        let leftovers = self.leftovers();
        assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
        self.fsck();
    }
}

/// Fails the test, naming the command that installs `tool`, unless `found`.
/// A test whose tool is missing proves nothing, so it never passes quietly.
#[track_caller]
pub(crate) fn require(tool: &str, found: bool, install: &str) {
    assert!(found, "`{tool}` is not installed; install it with `{install}` (`.ci/run` does)");
}

/// `strace`, for the crash, I/O-error and power-loss tests.
#[track_caller]
pub(crate) fn require_strace() {
    let found = Command::new("strace").arg("-V").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    require("strace", found, "apt-get install strace");
}

/// No user or system configuration, its own HOME, and no variables of ours
/// that the caller's shell may have set.
pub(crate) fn hermetic(command: &mut Command, home: &Path) {
    command
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("CFG_ROOT")
        .env_remove("CFG_AUTHOR")
        .env_remove("GIT_AUTHOR_DATE")
        .env_remove("GIT_COMMITTER_DATE")
        .env_remove("GIT_DIR");
}

pub(crate) fn pipe(command: &mut Command, stdin: &[u8]) -> Out {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("wait");
    feeder.join().unwrap();
    output.into()
}

/// Holds the store lock the way a shell script would (`flock`), in a process
/// that is itself the holder, so killing it releases the lock.
pub(crate) fn hold_lock(env: &Env) -> std::process::Child {
    let child = Command::new("sh")
        .args(["-c", "exec 9>>\"$0\" && flock 9 && echo locked && exec sleep 60"])
        .arg(env.path(".cfg/lock"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn lock holder");
    let mut child = child;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut line).unwrap();
    assert_eq!(line.trim(), "locked");
    child
}
