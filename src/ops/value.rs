//! `cfg set`, `cfg unset`, `cfg append`: change one value in a YAML or JSON
//! file (by its extension), keeping every other byte, through the one write
//! path, under the project's parsing limits.
//!
//! The edit is applied under the store lock to the latest version (after an
//! outside edit was recorded), so concurrent `cfg set` calls never lose each
//! other's change. With `--expect REV` it is applied to the file as it was at
//! REV instead, and the result is merged with what changed since, exactly as
//! `cfg write --expect` would merge content the writer had edited from REV.

use std::path::{Path, PathBuf};

use crate::document::{self, Format};
use crate::edit::{EditError, Editor};
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
    pub fn apply(&self, editor: &Editor, text: &str) -> Result<String, EditError> {
        match self {
            ValueEdit::Set { path, value } => editor.set(text, path, value),
            ValueEdit::Unset { path } => editor.unset(text, path),
            ValueEdit::Append { path, value } => editor.append(text, path, value),
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
    super::require_message(settings, request.message.as_deref())?;
    let path = resolve(settings, &request.file)?;
    let validator = validator(settings)?;
    // The new content is made under the lock; its schema need not be.
    validator.prepare(path.as_str());
    let session = WriteSession::begin_in(settings, mode)?;
    let external = session.track(std::slice::from_ref(&path))?;
    let base = match &request.expect {
        Some(Expect::Rev(spec)) => session.store.read(session.store.resolve(spec)?, &path)?,
        Some(Expect::Absent) => None,
        None => session.latest(&path)?,
    };
    let edit_error = |source| Error::Edit { path: path.clone(), source };
    let format = Format::of_path(Path::new(path.as_str()));
    let text = String::from_utf8(base.unwrap_or_default())
        .map_err(|_| edit_error(EditError::Syntax { format, message: "the file is not UTF-8".into() }))?;
    let editor = Editor::new(format, limits(settings));
    let new = request.edit.apply(&editor, &text).map_err(edit_error)?.into_bytes();
    let (verb, value_path) = request.edit.verb();
    let message = request.message.unwrap_or_else(|| format!("{verb} {value_path} in {path}"));
    let expectation = (request.expect, request.on_change);
    let new = super::session::validate(&validator, &path, new)?;
    finish_write(session, &validator, new, message, expectation, external)
}

/// The parsing limits of the project's `.cfg.yaml` (nesting, aliases).
pub(crate) fn limits(settings: &Settings) -> document::Limits {
    let limits = &settings.project.limits;
    document::Limits { max_depth: limits.max_depth, max_alias_nodes: limits.max_alias_nodes }
}
