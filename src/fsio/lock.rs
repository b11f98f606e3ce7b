//! The store lock: `flock(2)` on `.cfg/lock`, a file that is never renamed or
//! deleted (locking the target would not work: the atomic replace swaps its inode).
//!
//! The kernel releases the lock when its holder dies, so a killed writer never
//! blocks the next one, and wakes a waiter as soon as the lock is free. While
//! holding the lock, the holder writes its pid, host and command into the
//! file, so that a writer that gives up can say who held it.
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
    /// Waits up to `timeout` for the lock. A waiter blocks in `flock(2)` on a
    /// helper thread, so the kernel wakes it the moment the holder lets go
    /// (polling would sleep past that, and let a steady stream of newcomers
    /// starve it). On timeout the helper is left blocked; if it ever gets the
    /// lock it closes its descriptor at once, which releases it: the lock
    /// belongs to the open file, and the caller has dropped its own handle.
    pub fn acquire(path: &Path, timeout: Duration, holder: &Holder) -> Result<StoreLock, LockError> {
        let file = open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let start = Instant::now();
                let waiter = file.try_clone().at(Step::Open, path)?;
                let (sender, receiver) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let _ = sender.send(waiter.lock());
                });
                match receiver.recv_timeout(timeout) {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return Err(IoError::new(Step::Open, path, e).into()),
                    Err(_) => {
                        let waited = start.elapsed();
                        return Err(LockError::Busy { path: path.to_owned(), waited, holder: read_holder(&file) });
                    }
                }
            }
            Err(TryLockError::Error(e)) => return Err(IoError::new(Step::Open, path, e).into()),
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
