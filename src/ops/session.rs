//! The one write path. Every command that changes a managed file (write,
//! restore, merge, and the later edit, run and set) opens a [`WriteSession`] and
//! goes through the same sequence:
//!
//! 1. resolve each file inside the root (refusing escapes, the store, symlinks);
//! 2. take the store lock, then finish or undo what a killed writer left
//!    (the journal, temp files, git `*.lock` files);
//! 3. commit any content on disk that differs from the store's latest version
//!    (an edit made outside cfg) as its own commit, so nothing is ever lost;
//! 4. validate the new content; invalid content ends the write here;
//! 5. skip files whose content is unchanged (no change: no commit);
//! 6. make it durable, in this order, so that a crash anywhere leaves each file
//!    holding its old or new bytes and the next command able to finish the job:
//!    a. write the blob, tree and commit objects (not yet referenced);
//!    b. write the journal naming the commit and the temp files;
//!    c. write each temp file next to its target, with the target's mode;
//!    d. sync the objects, the journal, the store folder and each temp file,
//!    all at once (none of them is visible yet, so their order does not
//!    matter, and concurrent flushes cost about one);
//!    e. rename each temp file over its target and sync its folder;
//!    f. move the branch by compare-and-swap and sync the ref;
//!    g. remove the journal. A journal whose commit is already the branch
//!    tip means only this step was lost; recovery just removes it.
//!
//! A crash before (d) completes can leave a journal whose objects were never
//! synced; after a power loss some may be missing, and recovery then drops
//! the journal (no file was replaced yet). After (d), recovery rolls forward.

use std::cell::RefCell;
use std::collections::BTreeMap;

use crate::fsio::{self, Dir, Durable, FileMeta, Holder, RelPath, Root, StagedFile, StoreLock};
use crate::settings::Settings;
use crate::store::{CommitMeta, Journal, JournalEntry, Rev, Store, TRAILER_COMMAND, TRAILER_HOST};
use crate::validate::{Diagnostic, Validator};

use super::Error;
use super::on_write::HookFailure;

/// An open store with its lock held.
pub(crate) struct WriteSession<'s> {
    pub(crate) settings: &'s Settings,
    pub(crate) store: Store,
    pub(crate) root: Root,
    journal: Journal,
    _lock: StoreLock,
    /// The branch tip when the session began, and each commit [`Self::commit`]
    /// made since with the files it changed: what `on_write` commands are told
    /// about once the lock is released ([`Self::finish`]).
    started_at: Option<Rev>,
    written: RefCell<Vec<(Rev, Vec<RelPath>)>>,
}

/// A file as it is on disk now.
pub(crate) struct OnDisk {
    pub(crate) content: Option<Vec<u8>>,
    pub(crate) meta: Option<FileMeta>,
}

impl<'s> WriteSession<'s> {
    /// Opens the store, takes the lock (waiting up to the lock timeout), and
    /// recovers from any interrupted write.
    pub(crate) fn begin(settings: &'s Settings) -> Result<WriteSession<'s>, Error> {
        let store = Store::open(&settings.root)?;
        let root = Root::open(&settings.root)?;
        let lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &holder(settings))?;
        let journal = Journal::new(store.git_dir());
        let mut session =
            WriteSession { settings, store, root, journal, _lock: lock, started_at: None, written: RefCell::default() };
        session.recover()?;
        session.started_at = session.head()?;
        Ok(session)
    }

    /// Like [`WriteSession::begin`], but only if the lock is free right now; used by
    /// read-only commands to clean up after a killed writer without waiting.
    pub(crate) fn try_begin(settings: &'s Settings, store: Store) -> Result<Option<WriteSession<'s>>, Error> {
        let Some(lock) = StoreLock::try_acquire(&store.lock_path(), &holder(settings))? else {
            return Ok(None);
        };
        let root = Root::open(&settings.root)?;
        let journal = Journal::new(store.git_dir());
        let session =
            WriteSession { settings, store, root, journal, _lock: lock, started_at: None, written: RefCell::default() };
        session.recover()?;
        Ok(Some(session))
    }

    pub(crate) fn into_store(self) -> Store {
        self.store
    }

    pub(crate) fn head(&self) -> Result<Option<Rev>, Error> {
        Ok(self.store.head()?)
    }

    fn dir(&self, path: &RelPath, create: bool) -> Result<Option<Dir>, Error> {
        Ok(self.root.parent_of(path, create)?)
    }

    pub(crate) fn on_disk(&self, path: &RelPath) -> Result<OnDisk, Error> {
        let Some(dir) = self.dir(path, false)? else {
            return Ok(OnDisk { content: None, meta: None });
        };
        Ok(match dir.read(path.split().1, path)? {
            Some((content, meta)) => OnDisk { content: Some(content), meta: Some(meta) },
            None => OnDisk { content: None, meta: None },
        })
    }

    /// Step 3: commits, as one "external change" commit, the content on disk of
    /// each path that differs from the latest version. Files missing on disk are
    /// left alone: their last content is in the store already.
    pub(crate) fn absorb_external_edits(&self, paths: &[RelPath]) -> Result<Option<Rev>, Error> {
        let head = self.head()?;
        let mut changed = Vec::new();
        let mut modified = 0;
        for path in paths {
            let disk = self.on_disk(path)?;
            let (Some(content), Some(meta)) = (disk.content, disk.meta) else {
                continue;
            };
            let stored = match head {
                Some(head) => self.store.read(head, path)?,
                None => None,
            };
            if stored.as_deref() != Some(content.as_slice()) {
                modified = modified.max(meta.modified);
                changed.push((path.clone(), content));
            }
        }
        if changed.is_empty() {
            return Ok(None);
        }
        let names: Vec<&str> = changed.iter().map(|(p, _)| p.as_str()).collect();
        let mut author = self.settings.author();
        // Not the author's work: record it as an outside edit, at the time the
        // file was last modified.
        author.name = "outside cfg".into();
        author.email = format!("external@{}", self.settings.host);
        author.seconds = modified;
        let meta = CommitMeta {
            author,
            committer: self.settings.committer(),
            message: format!(
                "external change to {}\n\nFound on disk, changed outside cfg, before: {}",
                names.join(", "),
                self.settings.command
            ),
            trailers: self.trailers(),
        };
        let files: Vec<(&RelPath, &[u8])> = changed.iter().map(|(p, c)| (p, c.as_slice())).collect();
        let rev = self.store.write_commit(head, &files, &meta)?;
        self.store.sync_objects()?;
        self.store.advance(head, rev, "cfg: external change")?;
        Ok(Some(rev))
    }

    /// Step 4: refuses content the validator rejects; returns its warnings
    /// (YAML 1.1 look-alikes and the like), which do not block a write.
    pub(crate) fn validate(
        &self,
        validator: &Validator,
        path: &RelPath,
        content: &[u8],
    ) -> Result<Vec<Diagnostic>, Error> {
        let report = validator.check(path.as_str(), content);
        if report.has_errors() {
            return Err(Error::Invalid { report, source_text: String::from_utf8_lossy(content).into_owned() });
        }
        Ok(report.diagnostics)
    }

    /// The trailers every commit carries: the command line and the host.
    pub(crate) fn trailers(&self) -> Vec<(String, String)> {
        vec![(TRAILER_COMMAND.into(), self.settings.command.clone()), (TRAILER_HOST.into(), self.settings.host.clone())]
    }

    /// Steps 5 and 6: commits `files` (already validated) and replaces them on
    /// disk, durably. Returns the new revision, or the current one when nothing
    /// changed.
    pub(crate) fn commit(
        &self,
        files: Vec<(RelPath, Vec<u8>)>,
        message: &str,
        trailers: Vec<(String, String)>,
    ) -> Result<Committed, Error> {
        let head = self.head()?;
        let mut changed = Vec::new();
        for (path, content) in files {
            let stored = match head {
                Some(head) => self.store.read(head, &path)?,
                None => None,
            };
            let disk = self.on_disk(&path)?;
            if stored.as_deref() == Some(content.as_slice()) && disk.content.as_deref() == Some(content.as_slice()) {
                continue;
            }
            changed.push((path, content));
        }
        if changed.is_empty() {
            return match head {
                Some(rev) => Ok(Committed { rev, changed: false }),
                None => Err(Error::Usage("nothing to commit in an empty store".into())),
            };
        }
        let meta = CommitMeta {
            author: self.settings.author(),
            committer: self.settings.committer(),
            message: message.to_owned(),
            trailers,
        };
        let refs: Vec<(&RelPath, &[u8])> = changed.iter().map(|(p, c)| (p, c.as_slice())).collect();
        let rev = self.store.write_commit(head, &refs, &meta)?;
        let entry = JournalEntry {
            parent: head,
            commit: rev,
            files: changed.iter().map(|(p, _)| (p.clone(), temp_name(p, rev))).collect(),
        };
        if let Err(error) = self.journal.write(&entry) {
            let _ = self.journal.remove();
            return Err(error.into());
        }
        let published = self.replace_files(&entry, &changed).and_then(|()| {
            self.store.advance(head, rev, "cfg: commit")?;
            Ok(())
        });
        if let Err(error) = published {
            self.undo(&entry);
            return Err(error);
        }
        // The write is complete and durable; a journal that cannot be removed
        // names the branch tip, which the next command recognises as done.
        let _ = self.journal.remove();
        self.written.borrow_mut().push((rev, changed.into_iter().map(|(p, _)| p).collect()));
        Ok(Committed { rev, changed: true })
    }

    /// Ends a session that committed: releases the lock, then runs the
    /// project's `on_write` commands for each file written. They run without
    /// the lock so that a command may itself read or write through cfg; their
    /// failures are reported, never undo the write.
    #[must_use = "on_write failures are to be reported"]
    pub(crate) fn finish(self) -> Vec<HookFailure> {
        let WriteSession { settings, started_at, written, _lock, .. } = self;
        drop(_lock);
        super::on_write::run(settings, started_at, &written.into_inner())
    }

    /// Puts files back to the content they had, durably, without a commit:
    /// for `cfg run`, whose command changed files in place that then failed
    /// validation. `None` removes a file the command created. A journal
    /// naming the branch tip covers the temp files, so that after a crash
    /// the next command removes them; each file then holds its old content
    /// or the command's, which that command records as an outside edit.
    pub(crate) fn put_back(&self, files: &[(RelPath, OnDisk)]) -> Result<(), Error> {
        let head = self.head()?;
        let mut restore = Vec::new();
        for (path, before) in files {
            let Some(dir) = self.dir(path, before.content.is_some())? else { continue };
            let now = self.on_disk(path)?.content;
            match (&before.content, now) {
                (old, now) if *old == now => {}
                (None, Some(_)) => {
                    dir.remove(path.split().1)?;
                    dir.sync()?;
                }
                (Some(old), _) => restore.push((dir, path, old, before.meta.as_ref())),
                (None, None) => {}
            }
        }
        let (Some(head), false) = (head, restore.is_empty()) else {
            return Ok(());
        };
        let entry = JournalEntry {
            parent: Some(head),
            commit: head,
            files: restore.iter().map(|(_, p, _, _)| ((*p).clone(), temp_name(p, head))).collect(),
        };
        self.journal.write(&entry)?;
        let mut staged = Vec::new();
        for ((dir, _, old, meta), (_, temp)) in restore.iter().zip(&entry.files) {
            staged.push(dir.stage(temp, old, *meta)?);
        }
        self.barrier(&staged)?;
        for ((dir, path, _, _), (_, temp)) in restore.iter().zip(&entry.files) {
            dir.rename(temp, path.split().1)?;
            dir.sync()?;
        }
        Ok(self.journal.remove()?)
    }

    /// After a failed step: puts every file back to its old content and the
    /// branch back to its old commit, so that a command that reports failure
    /// changed nothing. If undoing fails too, the journal stays, and the next
    /// command finishes the write instead: either way each file ends up with
    /// its old or its new content, consistent with the history.
    fn undo(&self, entry: &JournalEntry) {
        let undone = (|| -> Result<(), Error> {
            if self.head()? == Some(entry.commit) {
                let Some(parent) = entry.parent else {
                    return Err(Error::Usage("cannot undo the first commit".into()));
                };
                self.store.advance(Some(entry.commit), parent, "cfg: undo a failed write")?;
            }
            let mut restore = Vec::new();
            let mut delete = Vec::new();
            for (path, temp) in &entry.files {
                let Some(dir) = self.dir(path, false)? else { continue };
                dir.remove(temp)?;
                if self.on_disk(path)?.content != self.store.read(entry.commit, path)? {
                    continue;
                }
                match entry.parent.map(|parent| self.store.read(parent, path)).transpose()?.flatten() {
                    Some(old) => restore.push((path.clone(), old)),
                    None => delete.push((dir, path)),
                }
            }
            let back = JournalEntry {
                files: entry.files.iter().filter(|(p, _)| restore.iter().any(|(r, _)| r == p)).cloned().collect(),
                ..entry.clone()
            };
            self.replace_files(&back, &restore)?;
            for (dir, path) in delete {
                dir.remove(path.split().1)?;
                dir.sync()?;
            }
            Ok(self.journal.remove()?)
        })();
        let _ = undone;
    }

    /// Steps 6c–6e for every file of a journal entry.
    fn replace_files(&self, entry: &JournalEntry, contents: &[(RelPath, Vec<u8>)]) -> Result<(), Error> {
        if contents.is_empty() {
            return Ok(());
        }
        let mut dirs = Vec::new();
        let mut staged = Vec::new();
        for ((path, temp), (_, content)) in entry.files.iter().zip(contents) {
            let dir = self.dir(path, true)?.expect("created");
            let name = path.split().1;
            let like = dir.meta(name)?;
            staged.push(dir.stage(temp, content, like.as_ref())?);
            dirs.push((dir, name, temp));
        }
        self.barrier(&staged)?;
        for (dir, name, temp) in &dirs {
            dir.rename(temp, name)?;
        }
        let mut synced: BTreeMap<&std::path::Path, ()> = BTreeMap::new();
        for (dir, _, _) in &dirs {
            if synced.insert(dir.path(), ()).is_none() {
                dir.sync()?;
            }
        }
        Ok(())
    }

    /// Step 6d, the one wait before anything becomes visible: the objects not
    /// yet durable, the journal and the store folder naming it, and the temp
    /// files, all at once.
    fn barrier(&self, staged: &[StagedFile]) -> Result<(), Error> {
        let mut items: Vec<Durable<'_>> = self.store.take_unsynced().into_iter().map(Durable::Path).collect();
        items.push(Durable::Path(self.journal.path().to_owned()));
        items.push(Durable::Path(self.store.git_dir().to_owned()));
        items.extend(staged.iter().map(Durable::Staged));
        Ok(fsio::sync_all(&items)?)
    }

    /// Finishes or drops an interrupted write, then removes leftovers.
    fn recover(&self) -> Result<(), Error> {
        self.store.remove_leftovers()?;
        let Some(entry) = self.journal.read()? else {
            return Ok(self.journal.remove()?);
        };
        let head = self.head()?;
        let complete = head == Some(entry.commit);
        // Objects are synced together with the journal, not before it: after a
        // power loss the journal may name a commit whose tree or blobs are gone.
        let readable = || entry.files.iter().all(|(path, _)| self.store.read(entry.commit, path).is_ok());
        let roll_forward = !complete && head == entry.parent && self.store.commit(entry.commit).is_ok() && readable();
        for (path, temp) in &entry.files {
            if let Some(dir) = self.dir(path, false)? {
                dir.remove(temp)?;
            }
        }
        if roll_forward {
            let mut pending = Vec::new();
            for (path, _) in &entry.files {
                let new = self.store.read(entry.commit, path)?;
                let old = match entry.parent {
                    Some(parent) => self.store.read(parent, path)?,
                    None => None,
                };
                let disk = self.on_disk(path)?.content;
                // Only a file still holding its old content is rolled forward; one
                // edited since the crash is left for step 3 to record.
                if disk == old
                    && let Some(new) = new
                {
                    pending.push((path.clone(), new));
                }
            }
            let redo = JournalEntry {
                files: pending.iter().map(|(p, _)| (p.clone(), temp_name(p, entry.commit))).collect(),
                ..entry.clone()
            };
            self.replace_files(&redo, &pending)?;
            self.store.advance(entry.parent, entry.commit, "cfg: finish interrupted write")?;
        }
        self.journal.remove()?;
        Ok(())
    }
}

/// The result of [`WriteSession::commit`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Committed {
    pub(crate) rev: Rev,
    pub(crate) changed: bool,
}

/// A temp name next to the target, derived from the commit so that recovery can
/// find it from the journal alone.
fn temp_name(path: &RelPath, rev: Rev) -> String {
    let hex = rev.to_string();
    format!(".{}.cfg-{}.tmp", path.split().1, &hex[..12])
}

fn holder(settings: &Settings) -> Holder {
    Holder { pid: std::process::id(), host: settings.host.clone(), command: settings.command.clone() }
}
