//! `on_write` commands from `.cfg.yaml`: run after each successful write, once
//! per file written, like confd's reload command, so that a service can reload
//! or copy its config. Each runs as `sh -c COMMAND` in the root, with
//!
//! * `CFG_FILE`: the file's path relative to the root (as the store names it);
//! * `CFG_OLD_REV`: the branch tip before the write (empty for the first
//!   commit); `cfg diff FILE --from $CFG_OLD_REV --to $CFG_NEW_REV` is the
//!   change, an outside edit recorded on the way included;
//! * `CFG_NEW_REV`: the commit that wrote the file;
//! * `CFG_ROOT`: the managed root.
//!
//! They run after the store lock is released, one after the other, with
//! standard input closed and their standard output sent to cfg's standard
//! error (cfg's standard output is the revision, for scripts). A command that
//! fails is reported back, never undoes the write: the write is durable and
//! committed by then.

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::Rev;

/// An `on_write` command that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookFailure {
    pub command: String,
    /// The file it ran for (none when the commands could not be read at all).
    pub file: Option<RelPath>,
    /// Its exit status, or why it could not run.
    pub reason: String,
}

impl std::fmt::Display for HookFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "on_write command `{}` for `{file}` {}", self.command, self.reason),
            None => write!(f, "on_write commands not run: {}", self.reason),
        }
    }
}

/// Runs the commands for each `(commit, files)` written since `start`.
pub(crate) fn run(settings: &Settings, start: Option<Rev>, written: &[(Rev, Vec<RelPath>)]) -> Vec<HookFailure> {
    if written.is_empty() {
        return Vec::new();
    }
    let commands = &settings.project.on_write;
    let mut failures = Vec::new();
    let mut old = start;
    for (new, files) in written {
        for file in files {
            for command in commands {
                if let Err(reason) = run_one(settings, command, file, old, *new) {
                    failures.push(HookFailure { command: command.clone(), file: Some(file.clone()), reason });
                }
            }
        }
        old = Some(*new);
    }
    failures
}

fn run_one(settings: &Settings, command: &str, file: &RelPath, old: Option<Rev>, new: Rev) -> Result<(), String> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(&settings.root)
        .env("CFG_FILE", file.as_str())
        .env("CFG_OLD_REV", old.map(|r| r.to_string()).unwrap_or_default())
        .env("CFG_NEW_REV", new.to_string())
        .env("CFG_ROOT", &settings.root)
        .stdin(std::process::Stdio::null())
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("could not start: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("failed ({status})")) }
}
