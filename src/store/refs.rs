//! The branch `refs/heads/main`, read and moved by cfg itself.
//!
//! Moving it follows git's lock protocol: `main.lock` is created exclusively
//! (a git process holding it makes the move fail rather than race), written
//! with the new id, synced, and only then renamed over `main` after checking
//! that the branch still holds the expected commit. The caller places the
//! two halves around its flush barriers ([`Store::stage_branch`] before the
//! first, [`Store::publish_branch`] before the second, which syncs
//! `refs/heads/`). A lock renamed before it was synced could leave `main`
//! empty after a power cut, and every command failing from then on.
//!
//! Reading does not go through gix for the common case: a loose `main` that
//! does not parse is reported as [`Error::BrokenBranch`], which recovery
//! repairs from the journal, instead of as an opaque parse failure.
//! A branch that `git pack-refs` (or `git gc`) moved into `packed-refs` is
//! read through gix; moving it writes a loose ref again, which git prefers.

use std::path::PathBuf;

use gix::ObjectId;

use super::{BRANCH, Error, Rev, Store, git};
use crate::fsio::{self, Durable, IoError, NewFile, Step};

/// The branch's lock file, written and not yet renamed.
#[must_use = "a staged branch move is published or discarded"]
#[derive(Debug)]
pub struct StagedBranch {
    lock: NewFile,
    from: Option<Rev>,
    to: Rev,
}

impl StagedBranch {
    pub fn durable(&self) -> Durable<'_> {
        Durable::File(&self.lock)
    }

    pub fn to(&self) -> Rev {
        self.to
    }
}

impl Store {
    /// The latest commit, or `None` for an empty store.
    pub fn head(&self) -> Result<Option<Rev>, Error> {
        let path = self.branch_path();
        match std::fs::read(&path) {
            Ok(bytes) => parse_ref(&bytes).map(Some).ok_or(Error::BrokenBranch { path }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let reference = self.repo.try_find_reference(BRANCH).map_err(git("read the branch", &self.git_dir))?;
                Ok(reference.and_then(|r| r.target().try_id().map(|id| Rev(id.to_owned()))))
            }
            Err(e) => Err(IoError::new(Step::Read, &path, e).into()),
        }
    }

    /// Writes the branch's lock file naming `to`, for a move from `from`.
    /// Not synced: see the module docs.
    pub fn stage_branch(&self, from: Option<Rev>, to: Rev) -> Result<StagedBranch, Error> {
        let path = self.branch_path();
        let folder = path.parent().expect("a ref has a folder");
        fsio::create_dir_all(folder)?;
        let lock = lock_path(&path);
        let file = fsio::create_new(&lock, format!("{to}\n").as_bytes(), 0o666).map_err(|e| {
            if e.source.kind() == std::io::ErrorKind::AlreadyExists {
                Error::BranchLocked { path: lock.clone() }
            } else {
                e.into()
            }
        })?;
        Ok(StagedBranch { lock: file, from, to })
    }

    /// Moves the branch by renaming the synced lock over it, if it still
    /// holds the expected commit; returns the folder to sync.
    pub fn publish_branch(&self, staged: StagedBranch) -> Result<PathBuf, Error> {
        let path = self.branch_path();
        let current = match self.head() {
            Ok(head) => head,
            // A branch left empty by a power cut under an older cfg: the
            // caller (recovery) knows from the journal what it should hold.
            Err(Error::BrokenBranch { .. }) => staged.from,
            Err(e) => {
                self.discard_branch(staged)?;
                return Err(e);
            }
        };
        if current != staged.from {
            let expected = staged.from.map_or_else(|| "no commit".into(), |r| r.to_string());
            self.discard_branch(staged)?;
            return Err(Error::Moved { expected });
        }
        fsio::rename(staged.lock.path(), &path)?;
        Ok(path.parent().expect("a ref has a folder").to_owned())
    }

    pub fn discard_branch(&self, staged: StagedBranch) -> Result<(), Error> {
        fsio::remove_file(staged.lock.path())?;
        Ok(())
    }

    /// Moves the branch from `from` to `to` (whose objects are durable) and
    /// waits until the move is durable: two flushes.
    pub fn advance(&self, from: Option<Rev>, to: Rev) -> Result<(), Error> {
        let staged = self.stage_branch(from, to)?;
        if let Err(e) = fsio::sync_all(&[staged.durable()]) {
            self.discard_branch(staged)?;
            return Err(e.into());
        }
        let folder = self.publish_branch(staged)?;
        Ok(fsio::sync_path(&folder)?)
    }

    /// Publishes staged objects and then moves the branch to `to`, each step
    /// durable before the next is visible: two flushes for both.
    pub fn commit_staged(&self, objects: super::StagedObjects, from: Option<Rev>, to: Rev) -> Result<(), Error> {
        let branch = self.stage_branch(from, to)?;
        let mut items = objects.durables();
        items.push(branch.durable());
        if let Err(e) = fsio::sync_all(&items) {
            drop(items);
            self.discard_objects(objects)?;
            self.discard_branch(branch)?;
            return Err(e.into());
        }
        let mut folders = self.publish_objects(objects)?;
        folders.push(self.publish_branch(branch)?);
        Ok(fsio::sync_all(&folders.into_iter().map(Durable::Path).collect::<Vec<_>>())?)
    }

    /// Makes the branch as it is now durable: after a writer was killed
    /// between renaming its lock (synced before) and syncing the folder.
    pub fn settle_branch(&self) -> Result<(), Error> {
        Ok(fsio::sync_path(self.branch_path().parent().expect("a ref has a folder"))?)
    }

    /// Removes a damaged branch whose first commit was never finished: the
    /// store is empty again.
    pub fn forget_branch(&self) -> Result<(), Error> {
        let path = self.branch_path();
        fsio::remove_file(&path)?;
        Ok(fsio::sync_path(path.parent().expect("a ref has a folder"))?)
    }

    pub(super) fn branch_path(&self) -> PathBuf {
        self.git_dir.join(BRANCH)
    }

    /// Whether a lock file of the branch is left behind.
    pub(super) fn has_branch_lock(&self) -> bool {
        lock_path(&self.branch_path()).exists()
    }
}

pub(super) fn lock_path(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn parse_ref(bytes: &[u8]) -> Option<Rev> {
    let text = std::str::from_utf8(bytes).ok()?;
    let hex = text.strip_suffix('\n').unwrap_or(text);
    ObjectId::from_hex(hex.as_bytes()).ok().map(Rev)
}
