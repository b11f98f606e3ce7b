//! `cfg set`, `cfg unset`, `cfg append`: change one value in a YAML file,
//! keeping every other byte, through the one write path.
//!
//! The edit is applied under the store lock to the latest version (after an
//! outside edit was recorded), so concurrent `cfg set` calls never lose each
//! other's change. With `--expect REV` it is applied to the file as it was at
//! REV instead, and the result is merged with what changed since, exactly as
//! `cfg write --expect` would merge content the writer had edited from REV.

use std::path::PathBuf;

use crate::edit::{self, EditError};
use crate::settings::Settings;

use super::expect::{Expect, OnChange};
use super::session::{Mode, WriteSession};
use super::write::{Finished, Preview, WriteOutcome, finish_write};
use super::{Error, resolve, validator};

/// One change at a path such as `schedules[2].enabled`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueEdit {
    /// Set the value (YAML text), creating missing mapping keys.
    Set { path: String, value: String },
    /// Remove the mapping entry or list item.
    Unset { path: String },
    /// Add an item (YAML text) at the end of the list.
    Append { path: String, value: String },
}

impl ValueEdit {
    fn verb(&self) -> (&'static str, &str) {
        match self {
            ValueEdit::Set { path, .. } => ("set", path),
            ValueEdit::Unset { path } => ("unset", path),
            ValueEdit::Append { path, .. } => ("append to", path),
        }
    }

    /// Applies the change to `text` (pure).
    pub fn apply(&self, text: &str) -> Result<String, EditError> {
        match self {
            ValueEdit::Set { path, value } => edit::set(text, path, value),
            ValueEdit::Unset { path } => edit::unset(text, path),
            ValueEdit::Append { path, value } => edit::append(text, path, value),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ValueRequest {
    pub file: PathBuf,
    pub edit: ValueEdit,
    pub message: Option<String>,
    pub expect: Option<Expect>,
    pub on_change: OnChange,
}

impl ValueRequest {
    pub fn new(file: impl Into<PathBuf>, edit: ValueEdit) -> ValueRequest {
        ValueRequest { file: file.into(), edit, message: None, expect: None, on_change: OnChange::Merge }
    }
}

pub fn change_value(settings: &Settings, request: ValueRequest) -> Result<WriteOutcome, Error> {
    Ok(change_value_in(settings, request, Mode::Write)?.written())
}

/// What [`change_value`] would commit; nothing is written or committed.
pub fn preview_change_value(settings: &Settings, request: ValueRequest) -> Result<Preview, Error> {
    Ok(change_value_in(settings, request, Mode::DryRun)?.previewed())
}

fn change_value_in(settings: &Settings, request: ValueRequest, mode: Mode) -> Result<Finished<WriteOutcome>, Error> {
    let path = resolve(settings, &request.file)?;
    let validator = validator(settings)?;
    let session = WriteSession::begin_in(settings, mode)?;
    let external = session.track(std::slice::from_ref(&path))?;
    let base = match &request.expect {
        Some(Expect::Rev(spec)) => session.store.read(session.store.resolve(spec)?, &path)?,
        Some(Expect::Absent) => None,
        None => session.latest(&path)?,
    };
    let edit_error = |source| Error::Edit { path: path.clone(), source };
    let text = String::from_utf8(base.unwrap_or_default())
        .map_err(|_| edit_error(EditError::Syntax("the file is not UTF-8".into())))?;
    let new = request.edit.apply(&text).map_err(edit_error)?.into_bytes();
    let (verb, value_path) = request.edit.verb();
    let message = request.message.unwrap_or_else(|| format!("{verb} {value_path} in {path}"));
    let expectation = (request.expect, request.on_change);
    finish_write(session, &validator, path, new, message, expectation, external)
}
