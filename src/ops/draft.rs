//! Drafts for `cfg edit`: the visudo / `crontab -e` flow without holding the
//! lock while a person edits.
//!
//! [`start_edit`] takes the lock just long enough to record outside edits of
//! the file, notes the revision, and copies the file's content into a draft in
//! `.cfg/drafts/` (mode 0600: config can hold secrets; inside the store so that
//! nothing is written outside the root and `.cfg/`). The person edits the draft;
//! [`Draft::submit`] writes it through the one write path with `--expect` that
//! revision, so a change that landed meanwhile is merged, or refused as a
//! conflict while the draft stays. The draft is removed by [`Draft::discard`]
//! (or after a successful submit by the caller), or kept under a name of the
//! person's choosing by [`Draft::keep`].
//!
//! Drafts are scratch copies: written plainly, not durably. A crash can leave
//! one behind in `.cfg/drafts/`, where its name says which file it was for.

use std::path::{Path, PathBuf};

use crate::fsio::{IoError, IoResultExt as _, RelPath, Step};
use crate::settings::Settings;
use crate::store::Rev;

use super::expect::{Expect, OnChange};
use super::session::WriteSession;
use super::write::{WriteOutcome, WriteRequest, write};
use super::{Error, resolve};

/// The folder of drafts, inside the store.
pub const DRAFTS_DIR: &str = "drafts";

/// A file being edited.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The managed file.
    pub file: RelPath,
    /// The draft's path (absolute).
    pub path: PathBuf,
    /// The revision the edit started from; `None` for a file not yet in the store.
    pub base: Option<Rev>,
    /// The content the edit started from.
    pub original: Vec<u8>,
}

/// Records outside edits of `file`, then copies its latest content (empty for a
/// new file) into a new draft.
pub fn start_edit(settings: &Settings, file: &Path) -> Result<Draft, Error> {
    let path = resolve(settings, file)?;
    let session = WriteSession::begin(settings)?;
    session.track(std::slice::from_ref(&path))?;
    let head = session.head()?;
    let stored = match head {
        Some(head) => session.store.read(head, &path)?,
        None => None,
    };
    let base = stored.as_ref().and(head);
    let original = stored.unwrap_or_default();
    let dir = session.store.git_dir().join(DRAFTS_DIR);
    drop(session);
    crate::fsio::create_dir_all(&dir)?;
    let draft_path = new_draft(&dir, &path, &original)?;
    Ok(Draft { file: path, path: draft_path, base, original })
}

/// Creates the draft file: `.cfg/drafts/<path with / as %>.<pid>[.<n>].<ext>`;
/// the extension stays last so that editors pick the right syntax.
fn new_draft(dir: &Path, file: &RelPath, content: &[u8]) -> Result<PathBuf, IoError> {
    let flat = file.as_str().replace('/', "%");
    let (stem, ext) = match flat.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (flat.clone(), String::new()),
    };
    let pid = std::process::id();
    for n in 0.. {
        let name = if n == 0 { format!("{stem}.{pid}{ext}") } else { format!("{stem}.{pid}.{n}{ext}") };
        let path = dir.join(name);
        match crate::fsio::create_new(&path, content, 0o600) {
            Ok(_) => return Ok(path),
            Err(e) if e.source.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("some draft name is free")
}

impl Draft {
    /// The draft's current content.
    pub fn read(&self) -> Result<Vec<u8>, Error> {
        Ok(std::fs::read(&self.path).at(Step::Read, &self.path)?)
    }

    /// Writes the draft to the file through the one write path, expecting the
    /// revision the edit started from. The draft stays; the caller removes it
    /// once the write succeeded.
    pub fn submit(&self, settings: &Settings, message: Option<String>) -> Result<WriteOutcome, Error> {
        super::require_message(settings, message.as_deref())?;
        let mut request = WriteRequest::new(self.file.to_path(&settings.root), self.read()?);
        request.message = Some(message.unwrap_or_else(|| format!("edit {}", self.file)));
        request.expect = Some(match self.base {
            Some(rev) => Expect::Rev(rev.to_string()),
            None => Expect::Absent,
        });
        request.on_change = OnChange::Merge;
        write(settings, request)
    }

    /// Removes the draft.
    pub fn discard(self) -> Result<(), Error> {
        crate::fsio::remove_file(&self.path)?;
        Ok(())
    }

    /// Keeps the draft: where it is, or moved to `to`. Returns where it is.
    pub fn keep(self, to: Option<&Path>) -> Result<PathBuf, Error> {
        let Some(to) = to else {
            return Ok(self.path);
        };
        if crate::fsio::rename(&self.path, to).is_err() {
            // Another file system: copy, then remove.
            crate::fsio::create(to, &self.read()?)?;
            crate::fsio::remove_file(&self.path)?;
        }
        Ok(to.to_owned())
    }
}
