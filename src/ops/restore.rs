//! `cfg restore`: bring files back to their content at an older revision, as a
//! new commit through the one write path. History is never rewritten.

use std::path::PathBuf;

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::Rev;

use super::expect::{self, Expect, OnChange};
use super::on_write::HookFailure;
use super::session::{Committed, Mode, WriteSession};
use super::write::{Finished, Preview};
use super::{Error, resolve, validator};

#[derive(Debug, Clone)]
pub struct RestoreRequest {
    /// The revision to bring back (anything git can resolve).
    pub rev: String,
    /// The files to restore; empty means every file the store holds at `rev`.
    pub files: Vec<PathBuf>,
    pub message: Option<String>,
    /// The revision the writer read; checked for every restored file.
    pub expect: Option<Expect>,
    pub on_change: OnChange,
}

#[derive(Debug, Clone)]
pub struct RestoreOutcome {
    pub from: Rev,
    pub rev: Rev,
    pub changed: bool,
    pub files: Vec<RelPath>,
    /// `on_write` commands that failed (the restore stands).
    pub hooks: Vec<HookFailure>,
}

pub fn restore(settings: &Settings, request: RestoreRequest) -> Result<RestoreOutcome, Error> {
    Ok(restore_in(settings, request, Mode::Write)?.written())
}

/// What [`restore`] would commit; nothing is written or committed.
pub fn preview_restore(settings: &Settings, request: RestoreRequest) -> Result<Preview, Error> {
    Ok(restore_in(settings, request, Mode::DryRun)?.previewed())
}

fn restore_in(settings: &Settings, request: RestoreRequest, mode: Mode) -> Result<Finished<RestoreOutcome>, Error> {
    super::require_message(settings, request.message.as_deref())?;
    let named: Vec<RelPath> = request.files.iter().map(|f| resolve(settings, f)).collect::<Result<_, _>>()?;
    let validator = validator(settings)?;
    let session = WriteSession::begin_in(settings, mode)?;
    let from = session.store.resolve(&request.rev)?;
    let paths = if named.is_empty() { session.store.files(from)? } else { named };
    let mut files = Vec::new();
    for path in &paths {
        let content = session
            .store
            .read(from, path)?
            .ok_or_else(|| Error::UnknownFile { path: path.to_string(), at: Some(from) })?;
        // Old content is restored as it was; its warnings are not news.
        files.push(super::session::validate(&validator, path, content)?);
    }
    session.track(&paths)?;
    let mut merged = None;
    if let Some(expect) = &request.expect {
        let mut resolved_files = Vec::new();
        for file in files {
            let resolved = expect::resolve(&session, &validator, file, expect, request.on_change)?;
            resolved_files.push(resolved.file);
            merged = merged.or(resolved.merged);
        }
        files = resolved_files;
    }
    let listed = paths.iter().map(RelPath::as_str).collect::<Vec<_>>().join(", ");
    let mut message = request.message.unwrap_or_else(|| format!("restore {listed} from {}", from.short()));
    let mut trailers = session.trailers();
    expect::describe(&request.expect, merged, &mut message, &mut trailers);
    trailers.push(("Cfg-Restored-From".into(), from.to_string()));
    let (rev, changed) = match session.commit(&validator, files, &message, trailers)? {
        Committed::Written { rev, changed } => (rev, changed),
        Committed::Preview(diffs) => {
            let outside_edits = session.noted();
            return Ok(Finished::Previewed(Preview { message, diffs, outside_edits, merged, warnings: Vec::new() }));
        }
    };
    let hooks = session.finish(&validator);
    Ok(Finished::Written(RestoreOutcome { from, rev, changed, files: paths, hooks }))
}
