//! The only code that writes files in the managed tree: the store lock, path
//! resolution that refuses escapes and symlinks, and the durable atomic replace.
//!
//! Every path below the managed root is reached with `openat(2)` from a handle on
//! the root, one component at a time, with `O_NOFOLLOW`: a symlink swapped into a
//! folder component while a write runs makes the write fail; it is never followed.
//!
//! After a crash at any point a replaced file holds its old or its new bytes, never
//! a mix: the new bytes go to a temp file in the same folder, which is synced before
//! it is renamed over the target, and the folder is synced after. A crash can leave
//! the temp file behind; its name is recorded in the store's journal before it is
//! created, so the next command removes it.

// The one module that writes files (see clippy.toml).
#![allow(clippy::disallowed_methods)]

mod file;
mod lock;
mod path;
mod tree;

use std::io;
use std::path::PathBuf;

pub use file::{
    NewFile, REPLACE_SUFFIX, append, append_durably, create, create_dir, create_dir_all, create_new, remove_empty_dir,
    remove_file, rename, replace, sync_path, temp_beside,
};
pub use lock::{Holder, LockError, StoreLock};
pub use path::{PathError, RelPath, normalize};
pub use tree::{Dir, FileMeta, Root, StatKey};

/// What the failing system call was doing, named in messages so that a person
/// reading "failed to fsync `x`" knows which step of a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Open,
    Read,
    Write,
    Sync,
    Rename,
    CreateDir,
    Remove,
    SetPermissions,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::Open => "open",
            Step::Read => "read",
            Step::Write => "write",
            Step::Sync => "fsync",
            Step::Rename => "rename",
            Step::CreateDir => "create folder",
            Step::Remove => "remove",
            Step::SetPermissions => "set permissions of",
        })
    }
}

/// A refused path or an I/O error on the way to a managed file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error(transparent)]
    Io(#[from] IoError),
}

/// An I/O error with the step and the path it happened on.
#[derive(Debug, thiserror::Error)]
#[error("failed to {step} `{}`", path.display())]
pub struct IoError {
    pub step: Step,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl IoError {
    pub fn new(step: Step, path: impl Into<PathBuf>, source: impl Into<io::Error>) -> Self {
        IoError { step, path: path.into(), source: source.into() }
    }
}

/// Attach a step and a path to an I/O result where the call is made.
pub trait IoResultExt<T> {
    fn at(self, step: Step, path: impl Into<PathBuf>) -> Result<T, IoError>;
}

impl<T, E: Into<io::Error>> IoResultExt<T> for Result<T, E> {
    fn at(self, step: Step, path: impl Into<PathBuf>) -> Result<T, IoError> {
        self.map_err(|e| IoError::new(step, path, e))
    }
}

/// Something [`sync_all`] makes durable.
#[derive(Clone)]
pub enum Durable<'a> {
    /// A file or folder by path.
    Path(PathBuf),
    /// A new file through its own handle: never reopened by path, so a
    /// symlink swapped in meanwhile is not followed.
    File(&'a NewFile),
    /// A folder through its handle, for the same reason.
    Dir(&'a Dir),
}

impl Durable<'_> {
    fn sync(&self) -> Result<(), IoError> {
        match self {
            Durable::Path(path) => sync_path(path),
            Durable::File(file) => file.sync(),
            Durable::Dir(dir) => dir.sync(),
        }
    }
}

/// Makes every item durable at once, for a set whose order does not matter:
/// the disk merges concurrent flushes, so N files cost about one flush instead
/// of N. Returns when all are done, with the first error.
pub fn sync_all(items: &[Durable<'_>]) -> Result<(), IoError> {
    // A few threads, each taking the next item, rather than one per item: a
    // thread costs about what a flush of an idle disk does.
    const THREADS: usize = 4;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut result = Ok(());
        while let Some(item) = items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
            result = result.and(item.sync());
        }
        result
    };
    std::thread::scope(|scope| {
        // Without a thread (the system refused one), the others take its share.
        let helpers: Vec<_> = (1..items.len().min(THREADS))
            .filter_map(|_| std::thread::Builder::new().stack_size(64 << 10).spawn_scoped(scope, work).ok())
            .collect();
        let mut result = work();
        for helper in helpers {
            result = result.and(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        result
    })
}
