//! Files named by path: the store's own files (objects, the journal, refs,
//! `HEAD`, records), drafts, hooks and the other few files cfg writes outside
//! the managed tree's `openat` walk.
//!
//! Nothing here waits for the disk unless its name says so: [`create_new`]
//! and [`create`] return a [`NewFile`] that the caller makes durable together
//! with everything else of its step ([`super::sync_all`]), because one
//! concurrent barrier costs about one flush whatever it holds. The two
//! functions that do wait, [`replace`] and [`append_durably`], are for files
//! written once in a while (`HEAD` at init, gc's records), where two flushes
//! do not matter.
//!
//! After a crash: [`replace`] leaves the old or the new bytes and at worst its
//! temp file (`.NAME.cfg-tmp`, which the store's recovery removes); a
//! [`NewFile`] not yet synced may be empty or missing, which is why callers
//! sync it before any rename makes it visible under its final name.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::{IoError, IoResultExt, Step};

/// A file written but not yet durable; [`NewFile::sync`] or
/// [`super::Durable::File`] makes it so, through the handle it was written
/// with (never reopened by path, so a name swapped meanwhile is not followed).
#[derive(Debug)]
pub struct NewFile {
    file: File,
    path: PathBuf,
}

impl NewFile {
    pub(super) fn new(file: File, path: PathBuf) -> NewFile {
        NewFile { file, path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn sync(&self) -> Result<(), IoError> {
        self.file.sync_all().at(Step::Sync, &self.path)
    }
}

/// Creates `path`, which must not exist, with `content` and permission bits
/// `mode` (minus the umask). Not synced.
pub fn create_new(path: &Path, content: &[u8], mode: u32) -> Result<NewFile, IoError> {
    let file = OpenOptions::new().write(true).create_new(true).mode(mode).open(path).at(Step::Open, path)?;
    write_all(file, path, content)
}

/// Creates or truncates `path` and writes `content`. Not synced.
pub fn create(path: &Path, content: &[u8]) -> Result<NewFile, IoError> {
    let file = OpenOptions::new().write(true).create(true).truncate(true).open(path).at(Step::Open, path)?;
    write_all(file, path, content)
}

fn write_all(mut file: File, path: &Path, content: &[u8]) -> Result<NewFile, IoError> {
    file.write_all(content).at(Step::Write, path)?;
    Ok(NewFile { file, path: path.to_owned() })
}

/// Replaces `path` atomically and durably: a temp file beside it, synced,
/// renamed over it, and the folder synced.
pub fn replace(path: &Path, content: &[u8]) -> Result<(), IoError> {
    let temp = temp_beside(path);
    remove_file(&temp)?;
    let file = create_new(&temp, content, 0o666)?;
    file.sync()?;
    rename(&temp, path)?;
    sync_path(folder_of(path))
}

/// The temp name [`replace`] uses for `path`, for recovery to recognise.
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}{REPLACE_SUFFIX}"))
}

/// What [`temp_beside`] names end with.
pub const REPLACE_SUFFIX: &str = ".cfg-tmp";

/// Appends `content` to `path` (created if missing) and makes it durable.
pub fn append_durably(path: &Path, content: &[u8]) -> Result<(), IoError> {
    let existed = path.exists();
    let mut file = OpenOptions::new().create(true).append(true).open(path).at(Step::Open, path)?;
    file.write_all(content).at(Step::Write, path)?;
    file.sync_all().at(Step::Sync, path)?;
    if !existed {
        sync_path(folder_of(path))?;
    }
    Ok(())
}

/// Appends `content` to `path` (created if missing), not synced: for caches,
/// which lose nothing but time when a crash drops what was appended.
pub fn append(path: &Path, content: &[u8]) -> Result<(), IoError> {
    let mut file = OpenOptions::new().create(true).append(true).open(path).at(Step::Open, path)?;
    file.write_all(content).at(Step::Write, path)
}

pub fn rename(from: &Path, to: &Path) -> Result<(), IoError> {
    std::fs::rename(from, to).at(Step::Rename, to)
}

/// Removes a file; `false` when there was none.
pub fn remove_file(path: &Path) -> Result<bool, IoError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(IoError::new(Step::Remove, path, e)),
    }
}

/// Makes a folder; `false` when it existed already. Its entry in the parent
/// is not synced.
pub fn create_dir(path: &Path) -> Result<bool, IoError> {
    match std::fs::create_dir(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::AlreadyExists && path.is_dir() => Ok(false),
        Err(e) => Err(IoError::new(Step::CreateDir, path, e)),
    }
}

/// Makes a folder and its missing parents (not synced).
pub fn create_dir_all(path: &Path) -> Result<(), IoError> {
    std::fs::create_dir_all(path).at(Step::CreateDir, path)
}

/// Removes an empty folder; `false` when it is missing or not empty.
pub fn remove_empty_dir(path: &Path) -> Result<bool, IoError> {
    match std::fs::remove_dir(path) {
        Ok(()) => Ok(true),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::DirectoryNotEmpty) => Ok(false),
        Err(e) => Err(IoError::new(Step::Remove, path, e)),
    }
}

/// Syncs a file or folder given by path.
pub fn sync_path(path: &Path) -> Result<(), IoError> {
    let file = File::open(path).at(Step::Open, path)?;
    file.sync_all().at(Step::Sync, path)
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}
