//! Read-only operations: `cat`, `rev`, `log`, `show`, `diff`, `status`.
//! None takes the lock for long: when it is free and a killed writer left work
//! behind, they finish it first (see [`super::open_for_reading`]).

use std::path::PathBuf;

use crate::fsio::{RelPath, Root};
use crate::settings::Settings;
use crate::store::{ChangeKind, CommitInfo, FileChange, Rev, Store};

use super::{Error, open_for_reading, resolve};

/// The committed content of FILE at `rev` (default: the latest version), with
/// the revision it was read at.
pub fn cat(settings: &Settings, file: &std::path::Path, rev: Option<&str>) -> Result<(Vec<u8>, Rev), Error> {
    let path = resolve(settings, file)?;
    let store = open_for_reading(settings)?;
    let at = at_or_head(&store, rev)?;
    let content = store.read(at, &path)?.ok_or_else(|| Error::UnknownFile { path: path.to_string(), at: Some(at) })?;
    Ok((content, at))
}

/// The revision that made FILE's latest version: the oldest commit, walking back
/// from the tip, that already had the current content.
pub fn rev(settings: &Settings, file: &std::path::Path) -> Result<Rev, Error> {
    let path = resolve(settings, file)?;
    let store = open_for_reading(settings)?;
    let head = store.head()?.ok_or_else(|| Error::UnknownFile { path: path.to_string(), at: None })?;
    if store.read(head, &path)?.is_none() {
        return Err(Error::UnknownFile { path: path.to_string(), at: Some(head) });
    }
    let mut found = head;
    for info in store.walk(head) {
        let info = info?;
        found = info.rev;
        if store.touches(&info, &path)? {
            break;
        }
    }
    Ok(found)
}

#[derive(Debug, Clone, Default)]
pub struct LogRequest {
    /// Only commits that changed this file.
    pub file: Option<PathBuf>,
    pub limit: Option<usize>,
}

/// One commit as `cfg log` and `cfg show` present it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub info: CommitInfo,
    pub changes: Vec<FileChange>,
}

/// History, newest first (by commit time, as `git log`), merge commits and
/// the commits they merged included. Walks only as far back as `limit` needs.
pub fn log(settings: &Settings, request: &LogRequest) -> Result<Vec<LogEntry>, Error> {
    let path = request.file.as_deref().map(|f| resolve(settings, f)).transpose()?;
    let store = open_for_reading(settings)?;
    let Some(head) = store.head()? else {
        return Ok(Vec::new());
    };
    let limit = request.limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    // Every commit, the other hosts' ones a pull merged in included.
    for info in store.walk_all(&[head]) {
        if out.len() >= limit {
            break;
        }
        let info = info?;
        if let Some(path) = &path
            && !store.touches(&info, path)?
        {
            continue;
        }
        let changes = store.changes(&info)?;
        out.push(LogEntry { info, changes });
    }
    Ok(out)
}

/// One file's two versions, for a diff.
#[derive(Debug, Clone)]
pub struct FileDiff {
    pub path: RelPath,
    pub old_label: String,
    pub new_label: String,
    pub old: Option<Vec<u8>>,
    pub new: Option<Vec<u8>>,
}

/// A commit's metadata and, for each file it changed, both versions.
pub fn show(settings: &Settings, rev: &str) -> Result<(LogEntry, Vec<FileDiff>), Error> {
    let store = open_for_reading(settings)?;
    let at = store.resolve(rev)?;
    let info = store.commit(at)?;
    let changes = store.changes(&info)?;
    let mut diffs = Vec::new();
    for change in &changes {
        let old = match (info.parent, change.kind) {
            (Some(parent), ChangeKind::Modified | ChangeKind::Deleted) => store.read(parent, &change.path)?,
            _ => None,
        };
        diffs.push(FileDiff {
            path: change.path.clone(),
            old_label: info.parent.map_or_else(|| "(none)".into(), |p| p.short()),
            new_label: at.short(),
            old,
            new: store.read(at, &change.path)?,
        });
    }
    Ok((LogEntry { info, changes }, diffs))
}

#[derive(Debug, Clone, Default)]
pub struct DiffRequest {
    pub file: PathBuf,
    /// Default: the latest version.
    pub from: Option<String>,
    /// Default: the file on disk.
    pub to: Option<String>,
}

/// FILE between two revisions, or between a revision and the disk.
pub fn diff(settings: &Settings, request: &DiffRequest) -> Result<FileDiff, Error> {
    let path = resolve(settings, &request.file)?;
    let store = open_for_reading(settings)?;
    let from = at_or_head(&store, request.from.as_deref())?;
    let old = store.read(from, &path)?;
    let (new, new_label) = match &request.to {
        Some(to) => {
            let to = store.resolve(to)?;
            (store.read(to, &path)?, to.short())
        }
        None => (read_disk(settings, &path)?, "disk".to_owned()),
    };
    if old.is_none() && new.is_none() {
        return Err(Error::UnknownFile { path: path.to_string(), at: Some(from) });
    }
    Ok(FileDiff { path, old_label: from.short(), new_label, old, new })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// On disk, different from the latest version (edited outside cfg).
    Modified,
    /// In the store, not on disk.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub path: RelPath,
    pub status: FileStatus,
}

/// Files whose content on disk differs from their latest version, and files
/// the store holds that are missing on disk.
pub fn status(settings: &Settings) -> Result<Vec<StatusEntry>, Error> {
    let store = open_for_reading(settings)?;
    let Some(head) = store.head()? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for path in store.files(head)? {
        let status = match read_disk(settings, &path)? {
            None => FileStatus::Missing,
            Some(disk) if Some(&disk) != store.read(head, &path)?.as_ref() => FileStatus::Modified,
            Some(_) => continue,
        };
        out.push(StatusEntry { path, status });
    }
    Ok(out)
}

fn at_or_head(store: &Store, rev: Option<&str>) -> Result<Rev, Error> {
    match rev {
        Some(spec) => Ok(store.resolve(spec)?),
        None => store.head()?.ok_or(Error::Store(crate::store::Error::Empty)),
    }
}

fn read_disk(settings: &Settings, path: &RelPath) -> Result<Option<Vec<u8>>, Error> {
    let root = Root::open(&settings.root)?;
    let Some(dir) = root.parent_of(path, false)? else {
        return Ok(None);
    };
    Ok(dir.read(path.split().1, path)?.map(|(content, _)| content))
}

/// A unified diff of two versions (`similar`), empty when they are equal.
pub fn unified_diff(diff: &FileDiff) -> String {
    let old = String::from_utf8_lossy(diff.old.as_deref().unwrap_or_default());
    let new = String::from_utf8_lossy(diff.new.as_deref().unwrap_or_default());
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{} ({})", diff.path, diff.old_label), &format!("b/{} ({})", diff.path, diff.new_label))
        .to_string()
}
