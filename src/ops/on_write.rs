//! `on_write` commands from `.cfg.yaml`: run after each successful write, like
//! confd's reload command, so that a service can reload or copy its config.
//! Each runs as `sh -c COMMAND` in the root ([`super::child`]), with
//!
//! * `CFG_FILE`: the file's path relative to the root (as the store names it;
//!   empty for a `once` command);
//! * `CFG_FILES`, and the positional arguments `"$@"`: every file the run is
//!   for, relative to the root (`CFG_FILES` one per line);
//! * `CFG_OLD_REV`: the branch tip before the write (empty for the first
//!   commit); `cfg diff FILE --from $CFG_OLD_REV --to $CFG_NEW_REV` is the
//!   change, an outside edit recorded on the way included;
//! * `CFG_NEW_REV`: the commit that wrote the file;
//! * `CFG_ROOT`: the managed root.
//!
//! In the order they are listed, each command runs once per file written that
//! its `glob` matches (every file without one), or with `once: true`, once
//! for the whole write with every matching file listed; not at all when no
//! file matches. They run after the store lock is released, one after the
//! other, with standard input closed and their standard output sent to cfg's
//! standard error (cfg's standard output is the revision, for scripts). A
//! command still running at its `timeout` (default 60 s) is killed with its
//! process group. A command that fails or times out is reported back, never
//! undoes the write: the write is durable and committed by then.

use crate::fsio::RelPath;
use crate::project::OnWrite;
use crate::settings::Settings;
use crate::store::Rev;

use super::child::{Child, Output};

/// An `on_write` command that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookFailure {
    pub command: String,
    /// The files it ran for (none when the commands were not run at all).
    pub files: Vec<RelPath>,
    /// Its exit status, its timeout, or why it could not run.
    pub reason: String,
}

impl std::fmt::Display for HookFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.files.is_empty() {
            return write!(f, "on_write commands not run: {}", self.reason);
        }
        let files: Vec<String> = self.files.iter().map(|file| format!("`{file}`")).collect();
        write!(f, "on_write command `{}` for {} {}", self.command, files.join(", "), self.reason)
    }
}

/// Runs the commands for each `(commit, files)` written since `start`.
pub(crate) fn run(settings: &Settings, start: Option<Rev>, written: &[(Rev, Vec<RelPath>)]) -> Vec<HookFailure> {
    let Some((last, _)) = written.last() else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    for hook in &settings.project.on_write {
        let matching = |files: &[RelPath]| -> Vec<RelPath> {
            files
                .iter()
                .filter(|file| hook.glob.as_ref().is_none_or(|glob| glob.is_match(file.as_str())))
                .cloned()
                .collect()
        };
        if hook.once {
            let mut files: Vec<RelPath> = Vec::new();
            for file in written.iter().flat_map(|(_, files)| matching(files)) {
                if !files.contains(&file) {
                    files.push(file);
                }
            }
            if !files.is_empty() {
                failures.extend(run_one(settings, hook, files, "", (start, *last)));
            }
            continue;
        }
        let mut old = start;
        for (new, files) in written {
            for file in matching(files) {
                failures.extend(run_one(settings, hook, vec![file.clone()], file.as_str(), (old, *new)));
            }
            old = Some(*new);
        }
    }
    failures
}

fn run_one(
    settings: &Settings,
    hook: &OnWrite,
    files: Vec<RelPath>,
    file: &str,
    (old, new): (Option<Rev>, Rev),
) -> Option<HookFailure> {
    let names: Vec<&str> = files.iter().map(RelPath::as_str).collect();
    let child = Child {
        command: &hook.command,
        args: &names,
        env: vec![
            ("CFG_FILE", file.into()),
            ("CFG_FILES", names.join("\n").into()),
            ("CFG_OLD_REV", old.map(|r| r.to_string()).unwrap_or_default().into()),
            ("CFG_NEW_REV", new.to_string().into()),
            ("CFG_ROOT", settings.root.clone().into()),
        ],
        dir: &settings.root,
        timeout: hook.timeout,
    };
    let (result, _) = child.run(Output::ToStderr);
    let failure = result.err()?;
    Some(HookFailure { command: hook.command.clone(), files, reason: failure.to_string() })
}
