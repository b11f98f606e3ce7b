//! `cfg write`: replace a managed file with new content.

use std::path::PathBuf;

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::Rev;

use super::session::WriteSession;
use super::{Error, resolve, validator};

/// New content for one file.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    pub file: PathBuf,
    pub content: Vec<u8>,
    pub message: Option<String>,
}

impl WriteRequest {
    pub fn new(file: impl Into<PathBuf>, content: Vec<u8>) -> WriteRequest {
        WriteRequest {
            file: file.into(),
            content,
            message: None,
        }
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
}

pub fn write(settings: &Settings, request: WriteRequest) -> Result<WriteOutcome, Error> {
    let path = resolve(settings, &request.file)?;
    let validator = validator(settings)?;
    let session = WriteSession::begin(settings)?;
    let external = session.absorb_external_edits(std::slice::from_ref(&path))?;
    session.validate(&validator, &path, &request.content)?;
    let message = request.message.unwrap_or_else(|| format!("write {path}"));
    let trailers = session.trailers();
    let committed = session.commit(
        vec![(path.clone(), request.content)],
        &message,
        trailers,
        None,
    )?;
    Ok(WriteOutcome {
        path,
        rev: committed.rev,
        changed: committed.changed,
        external,
    })
}
