//! The store lock: `flock(2)` on `.cfg/lock`, a file that is never renamed or
//! deleted (locking the target would not work: the atomic replace swaps its inode).
//!
//! The kernel releases the lock when its holder dies, so a killed writer never
//! blocks the next one. While holding the lock, the holder writes its pid, host and
//! command into the file, so that a writer that gives up can say who held it.
//! Shell scripts take the same lock with `flock .cfg/lock COMMAND`.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{IoError, IoResultExt, Step};

/// Who holds (or wants) the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub command: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} on {} ({})", self.pid, self.host, self.command)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("the store lock `{}` is busy after waiting {waited:?}", path.display())]
    Busy {
        path: PathBuf,
        waited: Duration,
        /// What the holder wrote into the lock file; `None` when it wrote nothing
        /// (for example a shell script holding it with `flock`).
        holder: Option<String>,
    },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// Held store lock, released on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
#[derive(Debug)]
pub struct StoreLock {
    file: File,
}

impl StoreLock {
    /// Waits up to `timeout` for the lock, polling with a growing back-off.
    pub fn acquire(path: &Path, timeout: Duration, holder: &Holder) -> Result<StoreLock, LockError> {
        let file = open(path)?;
        let start = Instant::now();
        let mut backoff = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let waited = start.elapsed();
                    if waited >= timeout {
                        return Err(LockError::Busy { path: path.to_owned(), waited, holder: read_holder(&file) });
                    }
                    std::thread::sleep(backoff.min(timeout - waited));
                    backoff = (backoff * 2).min(Duration::from_millis(20));
                }
                Err(TryLockError::Error(e)) => return Err(IoError::new(Step::Open, path, e).into()),
            }
        }
        let mut lock = StoreLock { file };
        lock.record(holder).at(Step::Write, path)?;
        Ok(lock)
    }

    /// Takes the lock only if it is free right now.
    pub fn try_acquire(path: &Path, holder: &Holder) -> Result<Option<StoreLock>, IoError> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => {
                let mut lock = StoreLock { file };
                lock.record(holder).at(Step::Write, path)?;
                Ok(Some(lock))
            }
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(IoError::new(Step::Open, path, e)),
        }
    }

    fn record(&mut self, holder: &Holder) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()?;
        writeln!(self.file, "pid {}\nhost {}\ncommand {}", holder.pid, holder.host, holder.command)
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // Best effort: a stale record is harmless, a waiter just reports less.
        let _ = self.file.set_len(0);
    }
}

fn open(path: &Path) -> Result<File, IoError> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).at(Step::Open, path)
}

fn read_holder(mut file: &File) -> Option<String> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    let text = text.trim().replace('\n', ", ");
    (!text.is_empty()).then_some(text)
}
