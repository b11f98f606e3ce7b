//! The one write path. Every command that changes a managed file (write,
//! restore, merge, edit, run, set, pull) opens a [`WriteSession`] and goes through
//! the same sequence, which its types enforce:
//!
//! 1. resolve each file inside the root (refusing escapes, the store, symlinks);
//! 2. take the store lock, then finish or undo what a killed writer left
//!    ([`WriteSession::begin`]);
//! 3. record outside edits: content on disk that differs from the store's
//!    latest version is committed first, as its own commit
//!    ([`WriteSession::track`], which [`WriteSession::commit`] also runs for
//!    any file not tracked yet, so no caller can skip it);
//! 4. validate: [`WriteSession::commit`] takes only [`Validated`] content,
//!    which only [`WriteSession::validate`] and [`WriteSession::check`] make;
//! 5. skip files whose content is unchanged (no change: no commit);
//! 6. make it durable in two flush waits, like a bare durable replace:
//!    a. stage: the new objects in temp files (`objects/tmp_obj_<id>`), the
//!    journal naming the commit, its objects and the temp files, a temp
//!    file next to each target with the target's mode, and the branch's lock
//!    file holding the new commit id; none of these is visible under a name
//!    anyone reads. When `checks:` of `.cfg.yaml` apply to a file, they run
//!    on its complete temp file before the branch's lock file is staged
//!    ([`super::checks`]); meanwhile the journal names only the temp files,
//!    under the current tip as its commit, so that if cfg dies while a check
//!    runs, recovery removes them and rolls nothing forward (the checks never
//!    passed). A check that fails removes everything staged and refuses the
//!    write ([`Error::Rejected`]); once all pass, the journal is written again
//!    in full. Neither journal is synced on its own: no extra flush wait;
//!    b. first barrier: sync all of them and the folders naming the journal
//!    and the temp objects, at once (a disk merges concurrent flushes);
//!    c. look at each target once more: an editor that saved it since step 3
//!    is recorded as an outside edit and merged, and the write starts over
//!    (see [`WriteSession::commit`]);
//!    d. rename: objects into place, temp files over their targets, the lock
//!    over the branch (after checking the branch did not move);
//!    e. second barrier: sync the folders the renames changed;
//!    f. remove the journal; a journal whose commit is the branch tip means
//!    only this step was lost, and recovery just removes it.
//!
//! Why each order is safe: nothing is renamed before everything it depends
//! on is durable (b before d), so after a power cut at any point a renamed
//! name holds whole bytes, and the journal exists whenever anything was
//! renamed. Renames within the second barrier may persist in any order: a
//! target replaced while the branch did not move, or the reverse, is finished
//! by recovery from the journal, which redoes (d) and (e). A crash before
//! (b) completes leaves no renamed name, so recovery drops the journal and
//! the temp files. Recovery syncs whatever it relies on before it moves
//! anything (a killed writer's files may be in the page cache only).
//!
//! A dry run ([`Mode::DryRun`], `--dry-run`) goes through the same steps up to
//! the first barrier, writing nothing into the store: outside edits are
//! noted, not committed (later steps read the file's latest content through
//! [`WriteSession::latest`], which sees them), content is validated and
//! merged, and checks run on staged temp files under a journal naming only
//! them, both removed afterwards ([`WriteSession::rehearse`]); no object is
//! written. [`WriteSession::commit`] returns the diff it would have
//! committed. After a dry run the store is byte for byte as before.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use crate::fsio::{self, Dir, Durable, FileMeta, Holder, RelPath, Root, StatKey, StoreLock};
use crate::settings::Settings;
use crate::store::{self, CommitMeta, Journal, JournalEntry, Rev, Store, TRAILER_COMMAND, TRAILER_HOST, TRAILER_SUDO};
use crate::validate::{Diagnostic, Report, Validator};

use super::on_write::HookFailure;
use super::{Error, FileDiff};

/// How often a write starts over because an editor keeps saving the file
/// while cfg writes it, before it gives up with a conflict.
const ATTEMPTS: usize = 3;

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
    tracked: RefCell<BTreeMap<RelPath, Snapshot>>,
    /// The latest commit that recorded an outside edit.
    external: Cell<Option<Rev>>,
    mode: Mode,
    /// In a dry run: the content of each file edited outside cfg, which a
    /// real write would have committed first.
    noted: RefCell<BTreeMap<RelPath, Vec<u8>>>,
}

/// Whether a session writes, or only shows what it would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Write,
    /// Everything up to the renames, then nothing is kept (`--dry-run`).
    DryRun,
}

/// A file as it was when its outside edits were last recorded: the content
/// new content is based on, and what tells whether an editor saved it since.
#[derive(Debug, Clone)]
struct Snapshot {
    /// The branch tip right after recording.
    rev: Option<Rev>,
    /// The content on disk then, or the stored one when the file was missing.
    content: Option<Vec<u8>>,
    key: Option<StatKey>,
}

/// A file as it is on disk now.
pub(crate) struct OnDisk {
    pub(crate) content: Option<Vec<u8>>,
    pub(crate) meta: Option<FileMeta>,
}

/// New content for one file that passed validation: the only thing
/// [`WriteSession::commit`] takes.
#[derive(Debug)]
pub(crate) struct Validated {
    path: RelPath,
    content: Vec<u8>,
    warnings: Vec<Diagnostic>,
}

impl Validated {
    pub(crate) fn path(&self) -> &RelPath {
        &self.path
    }

    pub(crate) fn content(&self) -> &[u8] {
        &self.content
    }

    /// What the validator warned about (YAML 1.1 look-alikes and the like).
    pub(crate) fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

/// Step 4: validates `content`, refusing what the validator rejects
/// ([`Error::Invalid`]). Needs no lock: content given whole is validated
/// before the lock is taken, so writers queue only for the store's work.
pub(crate) fn validate(validator: &Validator, path: &RelPath, content: Vec<u8>) -> Result<Validated, Error> {
    check(validator, path, content).map_err(|(report, content)| Error::Invalid {
        report,
        source_text: String::from_utf8_lossy(&content).into_owned(),
    })
}

/// Step 4 for callers that turn a rejection into something else (an invalid
/// merge is a conflict): the report and the content back.
pub(crate) fn check(validator: &Validator, path: &RelPath, content: Vec<u8>) -> Result<Validated, (Report, Vec<u8>)> {
    let report = validator.check(path.as_str(), &content);
    if report.has_errors() {
        return Err((report, content));
    }
    Ok(Validated { path: path.clone(), content, warnings: report.diagnostics })
}

/// The result of [`WriteSession::commit`].
#[derive(Debug, Clone)]
pub(crate) enum Committed {
    /// Committed and replaced on disk; or, when `changed` is false, nothing
    /// changed and `rev` is the branch tip.
    Written { rev: Rev, changed: bool },
    /// A dry run: each file that would change, its latest content against
    /// the new one (none: nothing would change).
    Preview(Vec<FileDiff>),
}

/// How [`WriteSession::publish_commit`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PublishOutcome {
    Done,
    Moved,
}

/// How one attempt at step 6 ended.
enum Attempt {
    Done(Committed),
    /// These files were saved by someone else since they were tracked.
    EditedMeanwhile(Vec<RelPath>),
}

/// How [`WriteSession::publish`] ended.
enum Published {
    Done,
    EditedMeanwhile(Vec<RelPath>),
}

/// A temp file written next to its target: the target's folder and name,
/// the temp file's name, and the handle to sync it with.
type Staged<'e> = (Dir, &'e str, &'e str, fsio::NewFile);

impl<'s> WriteSession<'s> {
    /// Opens the store, takes the lock (waiting up to the lock timeout), and
    /// recovers from any interrupted write.
    pub(crate) fn begin(settings: &'s Settings) -> Result<WriteSession<'s>, Error> {
        WriteSession::begin_in(settings, Mode::Write)
    }

    /// [`WriteSession::begin`] for a write or a dry run.
    pub(crate) fn begin_in(settings: &'s Settings, mode: Mode) -> Result<WriteSession<'s>, Error> {
        let store = Store::open(&settings.root)?;
        let lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &holder(settings))?;
        let mut session = WriteSession::locked(settings, store, lock)?;
        session.started_at = session.head()?;
        session.mode = mode;
        Ok(session)
    }

    /// Like [`WriteSession::begin`], but only if the lock is free right now; used by
    /// read-only commands to clean up after a killed writer without waiting.
    pub(crate) fn try_begin(settings: &'s Settings, store: Store) -> Result<Option<WriteSession<'s>>, Error> {
        let Some(lock) = StoreLock::try_acquire(&store.lock_path(), &holder(settings))? else {
            return Ok(None);
        };
        Ok(Some(WriteSession::locked(settings, store, lock)?))
    }

    fn locked(settings: &'s Settings, store: Store, lock: StoreLock) -> Result<WriteSession<'s>, Error> {
        let root = Root::open(&settings.root)?;
        let journal = Journal::new(store.git_dir());
        let session = WriteSession {
            settings,
            store,
            root,
            journal,
            _lock: lock,
            started_at: None,
            written: RefCell::default(),
            tracked: RefCell::default(),
            external: Cell::new(None),
            mode: Mode::Write,
            noted: RefCell::default(),
        };
        session.recover()?;
        Ok(session)
    }

    pub(crate) fn into_store(self) -> Store {
        self.store
    }

    pub(crate) fn head(&self) -> Result<Option<Rev>, Error> {
        Ok(self.store.head()?)
    }

    /// The latest commit this session made to record an outside edit.
    pub(crate) fn external(&self) -> Option<Rev> {
        self.external.get()
    }

    /// In a dry run, the files edited outside cfg that a real write would
    /// have recorded first.
    pub(crate) fn noted(&self) -> Vec<RelPath> {
        self.noted.borrow().keys().cloned().collect()
    }

    /// The latest content of `path` once outside edits are recorded: the
    /// branch tip's, or in a dry run the noted outside edit.
    pub(crate) fn latest(&self, path: &RelPath) -> Result<Option<Vec<u8>>, Error> {
        if let Some(content) = self.noted.borrow().get(path) {
            return Ok(Some(content.clone()));
        }
        match self.head()? {
            Some(head) => Ok(self.store.read(head, path)?),
            None => Ok(None),
        }
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
    /// each path not tracked yet that differs from the latest version, and
    /// remembers each file's state. Files missing on disk are left alone:
    /// their last content is in the store already. Returns that commit. A dry
    /// run only notes the edits ([`WriteSession::noted`]) and returns `None`.
    pub(crate) fn track(&self, paths: &[RelPath]) -> Result<Option<Rev>, Error> {
        let head = self.head()?;
        let mut changed = Vec::new();
        let mut snapshots: Vec<(RelPath, Option<Vec<u8>>, Option<StatKey>)> = Vec::new();
        let mut modified = 0;
        for path in paths {
            if self.tracked.borrow().contains_key(path) || snapshots.iter().any(|(p, _, _)| p == path) {
                continue;
            }
            let disk = self.on_disk(path)?;
            let stored = match head {
                Some(head) => self.store.read(head, path)?,
                None => None,
            };
            if let (Some(content), Some(meta)) = (&disk.content, &disk.meta)
                && stored.as_deref() != Some(content.as_slice())
            {
                modified = modified.max(meta.modified);
                changed.push((path.clone(), content.clone()));
            }
            let key = disk.meta.map(|m| m.key);
            snapshots.push((path.clone(), disk.content.or(stored), key));
        }
        let rev = match self.mode {
            _ if changed.is_empty() => head,
            Mode::Write => Some(self.record_outside_edits(head, &changed, modified)?),
            Mode::DryRun => {
                self.noted.borrow_mut().extend(changed.iter().cloned());
                head
            }
        };
        let mut tracked = self.tracked.borrow_mut();
        for (path, content, key) in snapshots {
            tracked.insert(path, Snapshot { rev, content, key });
        }
        Ok((!changed.is_empty() && self.mode == Mode::Write).then_some(rev).flatten())
    }

    fn record_outside_edits(
        &self,
        head: Option<Rev>,
        changed: &[(RelPath, Vec<u8>)],
        modified: i64,
    ) -> Result<Rev, Error> {
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
            signing_key: self.settings.signing_key(),
        };
        let files: Vec<(&RelPath, &[u8])> = changed.iter().map(|(p, c)| (p, c.as_slice())).collect();
        let (rev, objects) = self.store.write_commit(head, &files, &meta)?;
        self.store.commit_staged(objects, head, rev)?;
        self.external.set(Some(rev));
        Ok(rev)
    }

    /// The trailers every commit carries: the command line and the host;
    /// and under `sudo`, the account it ran cfg as.
    pub(crate) fn trailers(&self) -> Vec<(String, String)> {
        let mut trailers = vec![
            (TRAILER_COMMAND.into(), self.settings.command.clone()),
            (TRAILER_HOST.into(), self.settings.host.clone()),
        ];
        trailers.extend(self.settings.sudo.iter().map(|account| (TRAILER_SUDO.into(), account.clone())));
        trailers
    }

    /// Steps 3, 5 and 6: commits `files` and replaces them on disk, durably.
    /// Returns the new revision, or the current one when nothing changed.
    ///
    /// A file an editor saved after it was tracked is recorded as an outside
    /// edit, and the new content is merged with that edit three-way (base:
    /// the content it was based on) and validated again, or the write is a
    /// conflict; then the write starts over.
    pub(crate) fn commit(
        &self,
        validator: &Validator,
        mut files: Vec<Validated>,
        message: &str,
        trailers: Vec<(String, String)>,
    ) -> Result<Committed, Error> {
        let paths: Vec<RelPath> = files.iter().map(|f| f.path.clone()).collect();
        self.track(&paths)?;
        for _ in 0..ATTEMPTS {
            match self.attempt(&files, message, &trailers)? {
                Attempt::Done(committed) => return Ok(committed),
                Attempt::EditedMeanwhile(edited) => files = self.merge_outside_edits(validator, files, &edited)?,
            }
        }
        let path = paths.into_iter().next().expect("files to commit");
        Err(Error::Conflict(Box::new(super::Conflict { path, kind: super::ConflictKind::KeptChanging })))
    }

    fn merge_outside_edits(
        &self,
        validator: &Validator,
        files: Vec<Validated>,
        edited: &[RelPath],
    ) -> Result<Vec<Validated>, Error> {
        let before: Vec<Snapshot> = {
            let mut tracked = self.tracked.borrow_mut();
            edited.iter().map(|p| tracked.remove(p).expect("edited files are tracked")).collect()
        };
        self.track(edited)?;
        let text = |bytes: &Option<Vec<u8>>| String::from_utf8_lossy(bytes.as_deref().unwrap_or_default()).into_owned();
        let mut out = Vec::new();
        for file in files {
            let Some(i) = edited.iter().position(|p| *p == file.path) else {
                out.push(file);
                continue;
            };
            let after = self.tracked.borrow()[&file.path].clone();
            let (Some(base_rev), Some(latest_rev)) = (before[i].rev, after.rev) else {
                out.push(file);
                continue;
            };
            let new = String::from_utf8_lossy(&file.content).into_owned();
            let sides = super::expect::Sides {
                base: (base_rev, text(&before[i].content)),
                latest: (latest_rev, text(&after.content)),
                new,
            };
            out.push(super::expect::merge(validator, &file.path, sides)?);
        }
        Ok(out)
    }

    fn attempt(&self, files: &[Validated], message: &str, trailers: &[(String, String)]) -> Result<Attempt, Error> {
        let head = self.head()?;
        let mut changed = Vec::new();
        let mut diffs = Vec::new();
        for file in files {
            let stored = self.latest(&file.path)?;
            let based_on = self.tracked.borrow().get(&file.path).and_then(|s| s.content.clone());
            if stored.as_deref() == Some(file.content.as_slice())
                && based_on.as_deref() == Some(file.content.as_slice())
            {
                continue;
            }
            changed.push(file);
            if self.mode == Mode::DryRun {
                let old_label = match (&stored, head) {
                    _ if self.noted.borrow().contains_key(&file.path) => "on disk, edited outside cfg".into(),
                    (Some(_), Some(head)) => head.short(),
                    _ => "(none)".into(),
                };
                let (path, new) = (file.path.clone(), Some(file.content.clone()));
                diffs.push(FileDiff { path, old_label, new_label: "dry run".into(), old: stored, new });
            }
        }
        if changed.is_empty() {
            return match head {
                _ if self.mode == Mode::DryRun && head.is_some() => Ok(Attempt::Done(Committed::Preview(diffs))),
                Some(rev) => Ok(Attempt::Done(Committed::Written { rev, changed: false })),
                None => Err(Error::Usage("nothing to commit in an empty store".into())),
            };
        }
        let checked =
            changed.iter().any(|file| !super::checks::applying(&self.settings.project, &file.path).is_empty());
        if self.mode == Mode::DryRun {
            if checked {
                self.rehearse(head, &changed)?;
            }
            return Ok(Attempt::Done(Committed::Preview(diffs)));
        }
        let meta = CommitMeta {
            author: self.settings.author(),
            committer: self.settings.committer(),
            message: message.to_owned(),
            trailers: trailers.to_vec(),
            signing_key: self.settings.signing_key(),
        };
        let contents: Vec<(&RelPath, &[u8])> = changed.iter().map(|f| (&f.path, f.content.as_slice())).collect();
        let (rev, objects) = self.store.write_commit(head, &contents, &meta)?;
        let entry = JournalEntry {
            parent: head,
            commit: rev,
            objects: objects.names(),
            files: changed.iter().map(|f| (f.path.clone(), temp_name(&f.path, rev))).collect(),
        };
        // While checks run, the journal must not let recovery roll the write
        // forward: it names the temp files under a commit that is already
        // the tip (module docs).
        let cover =
            JournalEntry { parent: head, commit: head.unwrap_or(rev), objects: Vec::new(), files: entry.files.clone() };
        let (journal, objects) = self.write_journal(if checked { &cover } else { &entry }, objects)?;
        let outcome = self.publish(&entry, objects, journal, &contents, checked);
        match outcome {
            Ok(Published::EditedMeanwhile(edited)) => Ok(Attempt::EditedMeanwhile(edited)),
            Ok(Published::Done) => {
                // The write is complete and durable; a journal that cannot be
                // removed names the branch tip, which the next command
                // recognises as done.
                let _ = self.journal.remove();
                self.written.borrow_mut().push((rev, entry.files.into_iter().map(|(p, _)| p).collect()));
                Ok(Attempt::Done(Committed::Written { rev, changed: true }))
            }
            // Everything staged is removed already.
            Err(error @ Error::Rejected { .. }) => Err(error),
            Err(error) => Err(Error::Aborted { source: Box::new(error), undone: self.undo(&entry) }),
        }
    }

    /// Steps 3 and 6 for a commit that is not made from new content: one
    /// fetched from a remote (its objects came in a pack, durable already, so
    /// `objects` is empty), or a merge commit whose objects are staged. Moves
    /// the branch from `parent` to `commit` and gives each of `files` (its
    /// content at `commit`, validated) the new content, journaled like any
    /// write (the checks of `.cfg.yaml` included), so that a crash is
    /// finished or undone by the next command.
    ///
    /// [`PublishOutcome::Moved`] when the plan no longer fits: recording
    /// outside edits of `files` moved the branch, or an editor saved one of
    /// them meanwhile (recorded in turn). Nothing was published; the caller
    /// plans again from the new branch tip.
    pub(crate) fn publish_commit(
        &self,
        parent: Option<Rev>,
        commit: Rev,
        objects: store::StagedObjects,
        files: Vec<Validated>,
    ) -> Result<PublishOutcome, Error> {
        let paths: Vec<RelPath> = files.iter().map(|f| f.path.clone()).collect();
        self.track(&paths)?;
        if self.head()? != parent {
            self.store.discard_objects(objects)?;
            return Ok(PublishOutcome::Moved);
        }
        let entry = JournalEntry {
            parent,
            commit,
            objects: objects.names(),
            files: paths.iter().map(|path| (path.clone(), temp_name(path, commit))).collect(),
        };
        let checked = paths.iter().any(|path| !super::checks::applying(&self.settings.project, path).is_empty());
        // As in `attempt`: while checks run, recovery must drop the write. A
        // fetched commit reads whole, so the cover names the tip, or for an
        // empty store a commit that does not exist.
        let at = parent.unwrap_or_else(|| NO_COMMIT.parse().expect("a valid id"));
        let cover = JournalEntry { parent, commit: at, objects: Vec::new(), files: entry.files.clone() };
        let (journal, objects) = self.write_journal(if checked { &cover } else { &entry }, objects)?;
        let contents: Vec<(&RelPath, &[u8])> = files.iter().map(|f| (&f.path, f.content.as_slice())).collect();
        match self.publish(&entry, objects, journal, &contents, checked) {
            Ok(Published::EditedMeanwhile(edited)) => {
                self.tracked.borrow_mut().retain(|path, _| !edited.contains(path));
                self.track(&edited)?;
                Ok(PublishOutcome::Moved)
            }
            Ok(Published::Done) => {
                let _ = self.journal.remove();
                self.written.borrow_mut().push((commit, paths));
                Ok(PublishOutcome::Done)
            }
            // Everything staged is removed already.
            Err(error @ Error::Rejected { .. }) => Err(error),
            Err(error) => Err(Error::Aborted { source: Box::new(error), undone: self.undo(&entry) }),
        }
    }

    /// Writes the journal that makes the staged write recoverable; if it
    /// cannot be written, neither it nor the staged objects stay behind.
    fn write_journal(
        &self,
        entry: &JournalEntry,
        objects: store::StagedObjects,
    ) -> Result<(fsio::NewFile, store::StagedObjects), Error> {
        match self.journal.write(entry) {
            Ok(journal) => Ok((journal, objects)),
            Err(error) => {
                let _ = self.journal.remove();
                let _ = self.store.discard_objects(objects);
                Err(error.into())
            }
        }
    }

    /// Steps 6a (the files, the checks and the branch; the objects and the
    /// journal are written, the journal without its objects when `checked`)
    /// to 6e. When an editor saved a file since it was tracked, or a check
    /// failed, everything staged is removed again.
    fn publish(
        &self,
        entry: &JournalEntry,
        objects: store::StagedObjects,
        mut journal: fsio::NewFile,
        contents: &[(&RelPath, &[u8])],
        checked: bool,
    ) -> Result<Published, Error> {
        let staged = self.stage(entry, contents)?;
        if checked {
            let rejected = self.run_checks(entry, &staged);
            if !rejected.is_empty() {
                for (dir, _, temp, _) in &staged {
                    dir.remove(temp)?;
                }
                self.store.discard_objects(objects)?;
                self.journal.remove()?;
                return Err(Error::Rejected { reports: rejected });
            }
            journal = self.journal.write(entry)?;
        }
        let branch = self.store.stage_branch(entry.parent, entry.commit)?;
        let mut first = objects.durables();
        first.push(Durable::File(&journal));
        first.push(Durable::Path(self.store.git_dir().to_owned()));
        first.extend(staged.iter().map(|(_, _, _, file)| Durable::File(file)));
        first.push(branch.durable());
        fsio::sync_all(&first)?;
        drop(first);

        let edited = self.edited_since_tracked(contents)?;
        if !edited.is_empty() {
            for (dir, _, temp, _) in &staged {
                dir.remove(temp)?;
            }
            self.store.discard_objects(objects)?;
            self.store.discard_branch(branch)?;
            self.journal.remove()?;
            return Ok(Published::EditedMeanwhile(edited));
        }

        let folders = self.store.publish_objects(objects)?;
        for (dir, name, temp, _) in &staged {
            dir.rename(temp, name)?;
        }
        let refs = self.store.publish_branch(branch)?;
        let mut second: Vec<Durable<'_>> = folders.into_iter().chain([refs]).map(Durable::Path).collect();
        second.extend(distinct_dirs(staged.iter().map(|(dir, ..)| dir)).map(Durable::Dir));
        fsio::sync_all(&second)?;
        Ok(Published::Done)
    }

    /// Writes the temp file of each file of `entry` next to its target, with
    /// the target's permission bits (not synced).
    fn stage<'e>(&self, entry: &'e JournalEntry, contents: &[(&RelPath, &[u8])]) -> Result<Vec<Staged<'e>>, Error> {
        let mut staged: Vec<Staged<'_>> = Vec::new();
        for ((path, temp), (_, content)) in entry.files.iter().zip(contents) {
            let dir = self.dir(path, true)?.expect("created");
            let name = path.split().1;
            let like = dir.meta(name)?;
            let file = dir.stage(temp, content, like.as_ref())?;
            staged.push((dir, name, temp, file));
        }
        Ok(staged)
    }

    /// A dry run's step 6a for files that checks apply to: stages the temp
    /// files under a journal that names only them (so that recovery removes
    /// them), runs the checks, and removes it all. No object is written: the
    /// store stays as it was.
    fn rehearse(&self, head: Option<Rev>, files: &[&Validated]) -> Result<(), Error> {
        // In an empty store no commit exists to name; one that cannot be read
        // makes recovery drop the journal all the same.
        let at = head.unwrap_or_else(|| NO_COMMIT.parse().expect("a valid id"));
        let entry = JournalEntry {
            parent: head,
            commit: at,
            objects: Vec::new(),
            files: files.iter().map(|f| (f.path.clone(), temp_name(&f.path, at))).collect(),
        };
        let contents: Vec<(&RelPath, &[u8])> = files.iter().map(|f| (&f.path, f.content.as_slice())).collect();
        let journal = self.journal.write(&entry);
        let rejected = match journal.map_err(Error::from).and_then(|_| self.stage(&entry, &contents)) {
            Ok(staged) => Ok(self.run_checks(&entry, &staged)),
            Err(error) => Err(error),
        };
        for (path, temp) in &entry.files {
            if let Some(dir) = self.dir(path, false)? {
                dir.remove(temp)?;
            }
        }
        self.journal.remove()?;
        match rejected? {
            rejected if rejected.is_empty() => Ok(()),
            reports => Err(Error::Rejected { reports }),
        }
    }

    /// Runs the checks that apply to each staged file, on the staged file
    /// (complete: written before, never written to while a check runs). A
    /// report for each file some check rejected.
    fn run_checks(&self, entry: &JournalEntry, staged: &[Staged<'_>]) -> Vec<Report> {
        let mut rejected = Vec::new();
        for ((path, _), (dir, _, temp, _)) in entry.files.iter().zip(staged) {
            let checks = super::checks::applying(&self.settings.project, path);
            let staged_path = dir.path().join(temp);
            let findings = super::checks::run(&self.settings.root, &checks, path, &staged_path);
            if !findings.is_empty() {
                rejected.push(Report { file: path.to_string(), diagnostics: findings, schema: None });
            }
        }
        rejected
    }

    /// Files whose content on disk is neither what they were tracked with nor
    /// what is about to be written: saved by someone else meanwhile.
    fn edited_since_tracked(&self, contents: &[(&RelPath, &[u8])]) -> Result<Vec<RelPath>, Error> {
        let mut edited = Vec::new();
        for (path, new) in contents {
            let (key, based_on) = {
                let tracked = self.tracked.borrow();
                let snapshot = &tracked[*path];
                (snapshot.key, snapshot.content.clone())
            };
            let Some(dir) = self.dir(path, false)? else { continue };
            let now = dir.meta(path.split().1)?.map(|m| m.key);
            if now.is_none() || now == key {
                continue;
            }
            let disk = self.on_disk(path)?.content;
            if disk.is_some() && disk != based_on && disk.as_deref() != Some(*new) {
                edited.push((*path).clone());
            }
        }
        Ok(edited)
    }

    /// Ends a session that committed: remembers the schemas `validator`
    /// found valid against their meta-schema, releases the lock, then runs the
    /// project's `on_write` commands for each file written. They run without
    /// the lock so that a command may itself read or write through cfg; their
    /// failures are reported, never undo the write.
    #[must_use = "on_write failures are to be reported"]
    pub(crate) fn finish(self, validator: &Validator) -> Vec<HookFailure> {
        let WriteSession { settings, started_at, written, _lock, .. } = self;
        super::remember_meta_checked(&settings.root, validator);
        settings.project.remember_checked(&settings.root);
        drop(_lock);
        super::trust::on_write(settings, started_at, &written.into_inner())
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
                (Some(old), _) => restore.push((path, old, before.meta)),
                (None, None) => {}
            }
        }
        let (Some(head), false) = (head, restore.is_empty()) else {
            return Ok(());
        };
        let restore: Vec<_> = restore
            .into_iter()
            .map(|(path, old, meta)| (path.clone(), temp_name(path, head), old.clone(), meta))
            .collect();
        let entry = JournalEntry {
            parent: Some(head),
            commit: head,
            objects: Vec::new(),
            files: restore.iter().map(|(path, temp, ..)| (path.clone(), temp.clone())).collect(),
        };
        let journal = self.journal.write(&entry)?;
        self.replace_files(&restore, &[Durable::File(&journal), Durable::Path(self.store.git_dir().to_owned())])?;
        Ok(self.journal.remove()?)
    }

    /// After a failed step: puts every file back to its old content and the
    /// branch back to its old commit, so that a command that reports failure
    /// changed nothing. If undoing fails too, the journal stays, and the next
    /// command finishes the write instead: either way each file ends up with
    /// its old or its new content, consistent with the history. Returns
    /// whether it was undone.
    fn undo(&self, entry: &JournalEntry) -> bool {
        let undone = (|| -> Result<(), Error> {
            self.store.recover_objects(&[])?;
            self.store.remove_leftovers()?;
            if self.head()? == Some(entry.commit) {
                let Some(parent) = entry.parent else {
                    return Err(Error::Usage("cannot undo the first commit".into()));
                };
                self.store.advance(Some(entry.commit), parent)?;
            }
            let mut restore = Vec::new();
            let mut delete = Vec::new();
            for (path, temp) in &entry.files {
                // A folder missing now may be back later (renamed away for a
                // moment) with the temp file in it: leave that to recovery.
                let dir =
                    self.dir(path, false)?.ok_or_else(|| Error::Usage(format!("the folder of `{path}` is gone")))?;
                dir.remove(temp)?;
                // Unreadable: its objects were never published, so no file
                // was renamed either.
                let new = self.store.read(entry.commit, path).ok().flatten();
                if new.is_none() || self.on_disk(path)?.content != new {
                    continue;
                }
                match entry.parent.map(|parent| self.store.read(parent, path)).transpose()?.flatten() {
                    Some(old) => restore.push((path.clone(), temp.clone(), old, None)),
                    None => delete.push((dir, path)),
                }
            }
            self.replace_files(&restore, &[])?;
            for (dir, path) in delete {
                dir.remove(path.split().1)?;
                dir.sync()?;
            }
            Ok(self.journal.remove()?)
        })();
        undone.is_ok()
    }

    /// Replaces each file with its content through its temp file, durably
    /// (two flush waits), with `also` synced in the first barrier. The new
    /// file gets the given permission bits, else those of the file it replaces.
    fn replace_files(&self, files: &[Replacement], also: &[Durable<'_>]) -> Result<(), Error> {
        if files.is_empty() {
            return Ok(());
        }
        let mut staged = Vec::new();
        for (path, temp, content, meta) in files {
            let dir = self.dir(path, true)?.expect("created");
            let name = path.split().1;
            let like = match meta {
                Some(meta) => Some(*meta),
                None => dir.meta(name)?,
            };
            let file = dir.stage(temp, content, like.as_ref())?;
            staged.push((dir, name, temp, file));
        }
        let mut first: Vec<Durable<'_>> = staged.iter().map(|(_, _, _, file)| Durable::File(file)).collect();
        first.extend(also.iter().map(Durable::clone));
        fsio::sync_all(&first)?;
        for (dir, name, temp, _) in &staged {
            dir.rename(temp, name)?;
        }
        let second: Vec<Durable<'_>> = distinct_dirs(staged.iter().map(|(dir, ..)| dir)).map(Durable::Dir).collect();
        Ok(fsio::sync_all(&second)?)
    }

    /// Finishes or drops an interrupted write, then removes leftovers. See
    /// the module docs for why each case is safe.
    fn recover(&self) -> Result<(), Error> {
        let entry = self.journal.read()?;
        let wanted = entry.as_ref().map_or(&[][..], |e| e.objects.as_slice());
        let objects_whole = self.store.recover_objects(wanted)?;
        self.store.remove_leftovers()?;
        let Some(entry) = entry else {
            if self.journal.exists() {
                // Torn: it names no temp files, so look for them.
                self.remove_stray_temps()?;
            }
            return Ok(self.journal.remove()?);
        };
        // What follows renames files on the journal's word: the journal of a
        // killed writer may not be on disk yet.
        fsio::sync_all(&[
            Durable::Path(self.journal.path().to_owned()),
            Durable::Path(self.store.git_dir().to_owned()),
        ])?;
        let head = match self.store.head() {
            Ok(head) => Some(head),
            // Left empty by a power cut under an older cfg; the journal
            // says what it should hold.
            Err(store::Error::BrokenBranch { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        for (path, temp) in &entry.files {
            // A folder renamed away for a moment may come back holding the
            // temp file: keep the journal until the folder is there again.
            let dir = self.dir(path, false)?.ok_or_else(|| Error::MissingFolder { path: path.clone() })?;
            dir.remove(temp)?;
        }
        let readable = objects_whole
            && self.store.commit(entry.commit).is_ok()
            && entry.files.iter().all(|(path, _)| self.store.read(entry.commit, path).is_ok());
        let on_track = head.is_none_or(|head| head == entry.parent || head == Some(entry.commit));
        if readable && on_track {
            self.roll_forward(&entry, head)?;
        } else if head.is_none() {
            match entry.parent {
                Some(parent) => self.store.advance(entry.parent, parent)?,
                None => self.store.forget_branch()?,
            }
        }
        Ok(self.journal.remove()?)
    }

    /// Finishes the write of `entry`, whose objects are durable: every file
    /// still holding its old content gets the new one, every rename is made
    /// durable, and the branch moves (`head` is `None` when it was damaged).
    fn roll_forward(&self, entry: &JournalEntry, head: Option<Option<Rev>>) -> Result<(), Error> {
        let mut replace = Vec::new();
        let mut settle = Vec::new();
        for (path, _) in &entry.files {
            let new = self.store.read(entry.commit, path)?;
            let old = match entry.parent {
                Some(parent) => self.store.read(parent, path)?,
                None => None,
            };
            let disk = self.on_disk(path)?.content;
            if disk == new {
                // Renamed before the crash; the rename may not be durable yet.
                settle.extend(self.dir(path, false)?);
            } else if disk == old
                && let Some(new) = new
            {
                // Only a file still holding its old content is rolled forward; one
                // edited since the crash is left for step 3 to record.
                replace.push((path.clone(), temp_name(path, entry.commit), new, None));
            }
        }
        self.replace_files(&replace, &[])?;
        fsio::sync_all(&settle.iter().map(Durable::Dir).collect::<Vec<_>>())?;
        match head {
            Some(Some(head)) if head == entry.commit => self.store.settle_branch()?,
            Some(head) => self.store.advance(head, entry.commit)?,
            None => self.store.advance(entry.parent, entry.commit)?,
        }
        Ok(())
    }

    /// Removes temp files of cfg's naming anywhere under the root (but in
    /// `.cfg/` and `.git/`): after a torn journal nothing says which folders
    /// a write was using, and a first write into a folder is in no commit
    /// yet. Rare (a power cut during a write's first barrier), so a walk of
    /// the tree is affordable; symlinks are not followed.
    fn remove_stray_temps(&self) -> Result<(), Error> {
        let mut pending = vec![self.root.dir()?];
        while let Some(dir) = pending.pop() {
            for (name, is_dir) in dir.entries()? {
                if is_dir {
                    if name != crate::store::STORE_DIR && name != ".git" {
                        pending.extend(dir.child(&name)?);
                    }
                } else if is_temp_name(&name) {
                    dir.remove(&name)?;
                }
            }
        }
        Ok(())
    }
}

/// The commit a dry run's journal names in an empty store: none.
const NO_COMMIT: &str = "0000000000000000000000000000000000000000";

/// A file, its temp file's name, its new content and permission bits.
type Replacement = (RelPath, String, Vec<u8>, Option<FileMeta>);

/// Each folder once, for syncing.
fn distinct_dirs<'a>(dirs: impl Iterator<Item = &'a Dir>) -> impl Iterator<Item = &'a Dir> {
    let mut seen: Vec<&std::path::Path> = Vec::new();
    dirs.filter(move |dir| {
        let new = !seen.contains(&dir.path());
        if new {
            seen.push(dir.path());
        }
        new
    })
}

/// A temp name next to the target, derived from the commit so that recovery can
/// find it from the journal alone.
fn temp_name(path: &RelPath, rev: Rev) -> String {
    let hex = rev.to_string();
    format!(".{}.cfg-{}.tmp", path.split().1, &hex[..12])
}

/// Whether `name` is a name [`temp_name`] makes.
fn is_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { return false };
    rest.rsplit_once(".cfg-")
        .is_some_and(|(file, hex)| !file.is_empty() && hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn holder(settings: &Settings) -> Holder {
    Holder { pid: std::process::id(), host: settings.host.clone(), command: settings.command.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        let rev: Rev = "0123456789abcdef0123456789abcdef01234567".parse().unwrap();
        let name = temp_name(&RelPath::new("conf/a.yml").unwrap(), rev);
        assert_eq!(name, ".a.yml.cfg-0123456789ab.tmp");
        assert!(is_temp_name(&name));
        for other in ["a.yml", ".a.yml.swp", ".a.yml.cfg-0123.tmp", ".cfg-0123456789ab.tmp", ".a.cfg-0123456789az.tmp"]
        {
            assert!(!is_temp_name(other), "{other}");
        }
    }
}
