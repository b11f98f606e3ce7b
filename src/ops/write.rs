//! `cfg write`: replace a managed file with new content.

use std::path::PathBuf;

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::Rev;

use super::expect::{self, Expect, OnChange};
use super::on_write::HookFailure;
use super::session::{Committed, Mode, Validated, WriteSession};
use super::{Error, FileDiff, resolve, validator};

/// New content for one file.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    pub file: PathBuf,
    pub content: Vec<u8>,
    pub message: Option<String>,
    /// The revision the writer read; `None` writes unconditionally.
    pub expect: Option<Expect>,
    pub on_change: OnChange,
}

impl WriteRequest {
    pub fn new(file: impl Into<PathBuf>, content: Vec<u8>) -> WriteRequest {
        WriteRequest { file: file.into(), content, message: None, expect: None, on_change: OnChange::Merge }
    }

    pub fn expect(mut self, expect: Expect) -> WriteRequest {
        self.expect = Some(expect);
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> WriteRequest {
        self.message = Some(message.into());
        self
    }
}

#[derive(Debug, Clone)]
pub struct WriteOutcome {
    pub path: RelPath,
    /// The file's revision after the write (the current one when unchanged).
    pub rev: Rev,
    /// False when the content was already the latest version: no commit.
    pub changed: bool,
    /// The commit that recorded an edit made outside cfg, if there was one.
    pub external: Option<Rev>,
    /// `(expected, latest)` when the file had changed since the expected
    /// revision and the write is a clean merge.
    pub merged: Option<(Rev, Rev)>,
    /// `on_write` commands that failed (the write stands).
    pub hooks: Vec<HookFailure>,
    /// What the validator warned about in the new content (never errors).
    pub warnings: Vec<crate::validate::Diagnostic>,
}

/// What a write would do (`--dry-run`): it went as far as a write goes
/// before replacing anything (lock, outside edits noted, merge, validation,
/// checks), and nothing was written or committed.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The commit message it would use (without trailers).
    pub message: String,
    /// Each file that would change: its latest content (an outside edit
    /// included) against the new content. Empty: nothing would change.
    pub diffs: Vec<FileDiff>,
    /// Files edited outside cfg, whose edit a real write would first record
    /// as its own commit.
    pub outside_edits: Vec<RelPath>,
    /// `(expected, latest)` when the new content is a merge.
    pub merged: Option<(Rev, Rev)>,
    /// What the validator warned about in the new content.
    pub warnings: Vec<crate::validate::Diagnostic>,
}

/// How an operation that can be a dry run ended.
pub(crate) enum Finished<T> {
    Written(T),
    Previewed(Preview),
}

impl<T> Finished<T> {
    pub(crate) fn written(self) -> T {
        match self {
            Finished::Written(outcome) => outcome,
            Finished::Previewed(_) => unreachable!("only a dry-run session previews"),
        }
    }

    pub(crate) fn previewed(self) -> Preview {
        match self {
            Finished::Previewed(preview) => preview,
            Finished::Written(_) => unreachable!("a dry-run session never writes"),
        }
    }
}

pub fn write(settings: &Settings, request: WriteRequest) -> Result<WriteOutcome, Error> {
    Ok(write_in(settings, request, Mode::Write)?.written())
}

/// What [`write`] would commit; nothing is written or committed.
pub fn preview_write(settings: &Settings, request: WriteRequest) -> Result<Preview, Error> {
    Ok(write_in(settings, request, Mode::DryRun)?.previewed())
}

fn write_in(settings: &Settings, request: WriteRequest, mode: Mode) -> Result<Finished<WriteOutcome>, Error> {
    super::require_message(settings, request.message.as_deref())?;
    let path = resolve(settings, &request.file)?;
    let validator = validator(settings)?;
    let new = super::session::validate(&validator, &path, request.content)?;
    let session = WriteSession::begin_in(settings, mode)?;
    let external = session.track(std::slice::from_ref(&path))?;
    let message = request.message.unwrap_or_else(|| format!("write {path}"));
    let expectation = (request.expect, request.on_change);
    finish_write(session, &validator, new, message, expectation, external)
}

/// The end of every single-file write, once the new content is known and
/// validated and outside edits are recorded: check the expected revision (merging
/// if needed), commit durably, release the lock and run the `on_write` hooks;
/// or in a dry run, all of it up to the point of replacing the file.
pub(crate) fn finish_write(
    session: WriteSession<'_>,
    validator: &crate::validate::Validator,
    new: Validated,
    mut message: String,
    (expect, on_change): (Option<Expect>, OnChange),
    external: Option<Rev>,
) -> Result<Finished<WriteOutcome>, Error> {
    let path = new.path().clone();
    let emptied = emptied_warning(&session, &path, new.content())?;
    let mut warnings = new.warnings().to_vec();
    warnings.extend(emptied);
    let mut trailers = session.trailers();
    let resolved = match &expect {
        Some(expect) => expect::resolve(&session, validator, new, expect, on_change)?,
        None => expect::Resolved { file: new, merged: None },
    };
    expect::describe(&expect, resolved.merged, &mut message, &mut trailers);
    let (rev, changed) = match session.commit(validator, vec![resolved.file], &message, trailers)? {
        Committed::Written { rev, changed } => (rev, changed),
        Committed::Preview(diffs) => {
            let outside_edits = session.noted();
            let merged = resolved.merged;
            return Ok(Finished::Previewed(Preview { message, diffs, outside_edits, merged, warnings }));
        }
    };
    let external = session.external().or(external);
    let hooks = session.finish(validator);
    Ok(Finished::Written(WriteOutcome { path, rev, changed, external, merged: resolved.merged, hooks, warnings }))
}

/// A warning when empty content replaces a file that was not empty: what a
/// generator that crashed before printing anything does to a pipe into
/// `cfg write`. Without a schema, an empty YAML file is valid, so only a
/// warning can catch it.
fn emptied_warning(
    session: &WriteSession<'_>,
    path: &RelPath,
    content: &[u8],
) -> Result<Option<crate::validate::Diagnostic>, Error> {
    if !content.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let Some(latest) = session.latest(path)?.filter(|old| !old.iter().all(u8::is_ascii_whitespace)) else {
        return Ok(None);
    };
    Ok(Some(crate::validate::Diagnostic {
        file: path.to_string(),
        line: 1,
        column: 1,
        span: 0..0,
        pointer: String::new(),
        rule: "empty".into(),
        severity: crate::validate::Severity::Warning,
        message: format!(
            "the new content is empty; `{path}` held {} bytes (did the program writing it fail?)",
            latest.len()
        ),
        help: Some("`cfg log FILE` lists its versions and `cfg restore REV FILE` brings one back".into()),
    }))
}
