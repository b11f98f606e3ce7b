//! `cfg run FILE... -- CMD ARGS...`: let another program edit managed files in
//! place (`yq -i`, `sed -i`, a generator), safely.
//!
//! Through the one write path: take the store lock, record outside edits of the
//! named files, remember their content, run the command with the lock held (so
//! no cfg writer or `flock .cfg/lock` script runs meanwhile), then validate each
//! named file. All valid: one commit of every changed file, with the command
//! line in the message, and the files replaced durably (the command's own
//! writes need not have been synced). The command failing, a file invalid or a
//! named file removed: every named file is put back to its content from before
//! the command (durably, without a commit) and the run fails.
//!
//! Limitations: the command runs with cfg's standard streams and working folder;
//! files it changes that were not named are neither checked nor recorded (the
//! next write of them records them as outside edits). A command that itself
//! calls a writing cfg command waits for the lock until it times out.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::Rev;
use crate::validate::Report;

use super::on_write::HookFailure;
use super::session::{Committed, WriteSession};
use super::{Error, resolve, validator};

#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The files the command may change; at least one.
    pub files: Vec<PathBuf>,
    /// The program and its arguments.
    pub command: Vec<OsString>,
    /// Default: `run CMD ARGS`.
    pub message: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The commit holding the command's changes, or the branch tip when it
    /// changed nothing (`None` for an empty store).
    pub rev: Option<Rev>,
    /// The named files the command changed (and that were committed).
    pub changed: Vec<RelPath>,
    /// The commit that recorded outside edits first, if there were any.
    pub external: Option<Rev>,
    pub hooks: Vec<HookFailure>,
}

/// Why the command's changes were not committed. The named files were put back.
#[derive(Debug)]
pub enum RunFailure {
    /// The program could not be started.
    Spawn(std::io::Error),
    /// It exited unsuccessfully or was killed: `Display` of its status.
    Status(String),
    /// It left invalid content: each file's report and text.
    Invalid(Vec<(Report, String)>),
    /// It removed named files (cfg records content, not deletions).
    Removed(Vec<RelPath>),
}

pub fn run(settings: &Settings, request: RunRequest) -> Result<RunOutcome, Error> {
    let Some(program) = request.command.first() else {
        return Err(Error::Usage("no command given after `--`".into()));
    };
    if request.files.is_empty() {
        return Err(Error::Usage("name the files the command changes".into()));
    }
    super::require_message(settings, request.message.as_deref())?;
    let mut paths: Vec<RelPath> = Vec::new();
    for file in &request.files {
        let path = resolve(settings, file)?;
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    let line = shell_line(&request.command);
    let validator = validator(settings)?;
    let session = WriteSession::begin(settings)?;
    let external = session.track(&paths)?;
    let before = paths.iter().map(|p| Ok((p.clone(), session.on_disk(p)?))).collect::<Result<Vec<_>, Error>>()?;

    let status = std::process::Command::new(program).args(&request.command[1..]).current_dir(&settings.cwd).status();
    let failure = match status {
        Err(e) => Some(RunFailure::Spawn(e)),
        Ok(status) if !status.success() => Some(RunFailure::Status(status.to_string())),
        Ok(_) => None,
    };
    let failed = |failure| Error::Run { command: line.clone(), failure };
    if let Some(failure) = failure {
        session.put_back(&before)?;
        return Err(failed(failure));
    }

    let mut changed = Vec::new();
    let mut invalid = Vec::new();
    let mut removed = Vec::new();
    for (path, old) in &before {
        match session.on_disk(path)?.content {
            None if old.content.is_some() => removed.push(path.clone()),
            None => {}
            Some(new) if Some(&new) == old.content.as_ref() => {}
            Some(new) => match super::session::check(&validator, path, new) {
                Ok(file) => changed.push(file),
                Err((report, new)) => invalid.push((report, String::from_utf8_lossy(&new).into_owned())),
            },
        }
    }
    if !invalid.is_empty() || !removed.is_empty() {
        session.put_back(&before)?;
        let failure = if invalid.is_empty() { RunFailure::Removed(removed) } else { RunFailure::Invalid(invalid) };
        return Err(failed(failure));
    }
    let names: Vec<RelPath> = changed.iter().map(|file| file.path().clone()).collect();
    if changed.is_empty() {
        let rev = session.head()?;
        return Ok(RunOutcome { rev, changed: names, external, hooks: Vec::new() });
    }
    let message = request.message.unwrap_or_else(|| format!("run {line}"));
    let rev = match session.commit(&validator, changed, &message, session.trailers()) {
        Ok(Committed::Written { rev, .. }) => rev,
        Ok(Committed::Preview(_)) => unreachable!("`cfg run` never opens a dry-run session"),
        Err(Error::Rejected { reports }) => {
            session.put_back(&before)?;
            let texts = reports.into_iter().map(|report| (report, String::new())).collect();
            return Err(failed(RunFailure::Invalid(texts)));
        }
        Err(error) => return Err(error),
    };
    let hooks = session.finish(&validator);
    Ok(RunOutcome { rev: Some(rev), changed: names, external, hooks })
}

/// The command as a shell would read it back, for the commit message.
fn shell_line(command: &[OsString]) -> String {
    let words: Vec<String> = command.iter().map(|word| super::child::shell_quote(&word.to_string_lossy())).collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn shell_line_quotes_what_a_shell_would_split() {
        let words = ["yq", "-i", ".a = 1", "it's", "f.yml"].map(std::ffi::OsString::from);
        assert_eq!(super::shell_line(&words), r"yq -i '.a = 1' 'it'\''s' f.yml");
    }
}
