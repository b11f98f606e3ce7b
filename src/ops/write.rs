//! `cfg write`: replace a managed file with new content.

use std::path::PathBuf;

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::Rev;

use super::expect::{self, Expect, OnChange};
use super::on_write::HookFailure;
use super::session::WriteSession;
use super::{Error, resolve, validator};

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

pub fn write(settings: &Settings, request: WriteRequest) -> Result<WriteOutcome, Error> {
    let path = resolve(settings, &request.file)?;
    let validator = validator(settings)?;
    let session = WriteSession::begin(settings)?;
    let external = session.absorb_external_edits(std::slice::from_ref(&path))?;
    let message = request.message.unwrap_or_else(|| format!("write {path}"));
    let expectation = (request.expect, request.on_change);
    finish_write(session, &validator, path, request.content, message, expectation, external)
}

/// The end of every single-file write, once the new content is known and
/// outside edits are recorded: validate, check the expected revision (merging
/// if needed), commit durably, release the lock and run the `on_write` hooks.
pub(crate) fn finish_write(
    session: WriteSession<'_>,
    validator: &crate::validate::Validator,
    path: RelPath,
    content: Vec<u8>,
    mut message: String,
    (expect, on_change): (Option<Expect>, OnChange),
    external: Option<Rev>,
) -> Result<WriteOutcome, Error> {
    let warnings = session.validate(validator, &path, &content)?;
    let mut trailers = session.trailers();
    let resolved = match &expect {
        Some(expect) => expect::resolve(&session, validator, &path, expect, on_change, content)?,
        None => expect::Resolved { content, merged: None },
    };
    expect::describe(&expect, resolved.merged, &mut message, &mut trailers);
    let committed = session.commit(vec![(path.clone(), resolved.content)], &message, trailers)?;
    let hooks = session.finish();
    Ok(WriteOutcome {
        path,
        rev: committed.rev,
        changed: committed.changed,
        external,
        merged: resolved.merged,
        hooks,
        warnings,
    })
}
