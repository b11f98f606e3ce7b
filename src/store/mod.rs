//! The side repository `.cfg/`: an ordinary bare git repository written with gix.
//!
//! One branch, `refs/heads/main`, holds a linear history; each commit's tree is
//! the set of managed files at that point. gix stays inside this module: callers
//! see [`Rev`], [`CommitInfo`] and plain bytes.
//!
//! gix never syncs what it writes. This module remembers every object it wrote
//! since the last [`Store::sync_objects`], which makes them durable, and
//! [`Store::advance`] syncs the branch after moving it. A crash can leave gix's
//! temp files and `*.lock` files behind; [`Store::remove_leftovers`], called under
//! the store lock, removes them.

mod history;
mod journal;
mod prune;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use crate::fsio::{self, Durable, IoError, IoResultExt, RelPath, Step};

pub use history::{ChangeKind, CommitInfo, FileChange};
pub use journal::{Journal, JournalEntry};
pub use prune::{Freed, Pruned};

/// The folder of the side repository inside the managed root.
pub const STORE_DIR: &str = ".cfg";
const BRANCH: &str = "refs/heads/main";
/// Trailer keys recorded in every commit message.
pub const TRAILER_COMMAND: &str = "Cfg-Command";
pub const TRAILER_HOST: &str = "Cfg-Host";

/// A commit of the side repository: a version of the managed files.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rev(ObjectId);

impl Rev {
    pub fn short(&self) -> String {
        self.0.to_hex_with_len(7).to_string()
    }
}

impl std::fmt::Display for Rev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::fmt::Debug for Rev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rev({})", self.0)
    }
}

impl std::str::FromStr for Rev {
    type Err = ();
    /// Parses a full 40-hex id (no lookup).
    fn from_str(s: &str) -> Result<Rev, ()> {
        if s.len() != 40 {
            return Err(());
        }
        ObjectId::from_hex(s.as_bytes()).map(Rev).map_err(|_| ())
    }
}

/// Who made a change, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub email: String,
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The author's UTC offset in seconds.
    pub offset: i32,
}

/// What a new commit records besides the files.
#[derive(Debug, Clone)]
pub struct CommitMeta {
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
    /// `(key, value)` pairs appended as git trailers.
    pub trailers: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no store at `{}`", path.display())]
    NotFound { path: PathBuf },
    #[error("revision `{spec}` is not in the store{}", match pruned {
        Some(p) => format!(": it was pruned by `cfg gc` on {} (policy: {})", p.when, p.policy),
        None => String::new(),
    })]
    UnknownRev { spec: String, pruned: Option<Pruned> },
    #[error("the store has no commits yet")]
    Empty,
    #[error("the store changed while writing: the branch is no longer at {expected}")]
    Moved { expected: String },
    #[error("failed to {action} in the store `{}`", path.display())]
    Git {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// An opened side repository.
pub struct Store {
    repo: gix::Repository,
    git_dir: PathBuf,
    /// Objects written since the last `sync_objects`, to be made durable.
    unsynced: RefCell<Vec<ObjectId>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("git_dir", &self.git_dir).finish()
    }
}

impl Store {
    /// Creates `root/.cfg` as a bare repository, or opens it if it exists.
    pub fn init(root: &Path) -> Result<Store, Error> {
        let git_dir = root.join(STORE_DIR);
        if git_dir.join("HEAD").is_file() {
            return Store::open(root);
        }
        let repo = gix::init_bare(&git_dir).map_err(git("create the repository", &git_dir))?;
        drop(repo);
        // A fixed branch name, whatever `init.defaultBranch` says.
        std::fs::write(git_dir.join("HEAD"), format!("ref: {BRANCH}\n")).at(Step::Write, git_dir.join("HEAD"))?;
        std::fs::write(git_dir.join("lock"), b"").at(Step::Write, git_dir.join("lock"))?;
        for dir in ["objects", "refs/heads", "refs", ""] {
            fsio::sync_path(&git_dir.join(dir))?;
        }
        fsio::sync_path(root)?;
        Store::open(root)
    }

    pub fn open(root: &Path) -> Result<Store, Error> {
        let git_dir = root.join(STORE_DIR);
        if !git_dir.join("HEAD").is_file() {
            return Err(Error::NotFound { path: git_dir });
        }
        // Isolated: the user's and the system's git configuration must not change
        // what cfg writes (hooks, hash kind, ref storage).
        let mut repo =
            gix::open_opts(&git_dir, gix::open::Options::isolated()).map_err(git("open the repository", &git_dir))?;
        // One write reads the branch tip's commit and tree more than once
        // (outside-edit check, unchanged check, new tree); a small cache reads
        // each loose object from disk once.
        repo.object_cache_size_if_unset(256 << 10);
        Ok(Store { repo, git_dir, unsynced: RefCell::new(Vec::new()) })
    }

    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn lock_path(&self) -> PathBuf {
        self.git_dir.join("lock")
    }

    /// The latest commit, or `None` for an empty store.
    pub fn head(&self) -> Result<Option<Rev>, Error> {
        let reference = self.repo.try_find_reference(BRANCH).map_err(git("read the branch", &self.git_dir))?;
        Ok(reference.and_then(|r| r.target().try_id().map(|id| Rev(id.to_owned()))))
    }

    /// Resolves anything git can (full or abbreviated ids, `HEAD~3`) to a commit.
    /// Old ids of commits that `cfg gc` rewrote resolve to their new ids; ids
    /// it pruned give an error that says so.
    pub fn resolve(&self, spec: &str) -> Result<Rev, Error> {
        let found = self
            .repo
            .rev_parse_single(spec)
            .ok()
            .and_then(|id| id.object().ok())
            .and_then(|object| object.peel_to_commit().ok())
            .map(|commit| Rev(commit.id));
        found
            .or_else(|| self.rewritten(spec))
            .ok_or_else(|| Error::UnknownRev { spec: spec.to_owned(), pruned: self.pruned(spec) })
    }

    /// Content of `path` at `rev`, or `None` if the file is not in that version.
    pub fn read(&self, rev: Rev, path: &RelPath) -> Result<Option<Vec<u8>>, Error> {
        let Some(id) = self.blob_id(rev, path)? else {
            return Ok(None);
        };
        let object = self.repo.find_object(id).map_err(git("read a file", &self.git_dir))?;
        Ok(Some(object.detach().data))
    }

    fn tree_of(&self, rev: Rev) -> Result<ObjectId, Error> {
        let commit = self.repo.find_commit(rev.0).map_err(git("read a commit", &self.git_dir))?;
        commit.tree_id().map(|id| id.detach()).map_err(git("read a commit", &self.git_dir))
    }

    fn blob_id(&self, rev: Rev, path: &RelPath) -> Result<Option<ObjectId>, Error> {
        let tree = self.repo.find_tree(self.tree_of(rev)?).map_err(git("read a tree", &self.git_dir))?;
        let entry = tree.lookup_entry_by_path(path.as_str()).map_err(git("read a tree", &self.git_dir))?;
        Ok(entry.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
    }

    /// Every file in the version `rev`, in tree order.
    pub fn files(&self, rev: Rev) -> Result<Vec<RelPath>, Error> {
        let mut out = Vec::new();
        let mut pending = vec![(self.tree_of(rev)?, String::new())];
        while let Some((tree_id, prefix)) = pending.pop() {
            let tree = self.repo.find_tree(tree_id).map_err(git("read a tree", &self.git_dir))?;
            let decoded = tree.decode().map_err(git("read a tree", &self.git_dir))?;
            for entry in &decoded.entries {
                let name = format!("{prefix}{}", entry.filename.to_str_lossy());
                if entry.mode.is_tree() {
                    pending.push((entry.oid.to_owned(), format!("{name}/")));
                } else if entry.mode.is_blob()
                    && let Ok(path) = RelPath::new(&name)
                {
                    out.push(path);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Writes a commit on top of `parent` that sets each path to its content.
    /// The objects are written but not yet durable, and the branch does not move:
    /// see [`Store::sync_objects`] and [`Store::advance`].
    pub fn write_commit(
        &self,
        parent: Option<Rev>,
        files: &[(&RelPath, &[u8])],
        meta: &CommitMeta,
    ) -> Result<Rev, Error> {
        let path = &self.git_dir;
        let mut editor = match parent {
            Some(rev) => self.repo.edit_tree(self.tree_of(rev)?),
            None => self.repo.empty_tree().edit(),
        }
        .map_err(git("edit a tree", path))?;
        for (file, content) in files {
            let blob = self.repo.write_blob(content).map_err(git("write a file", path))?.detach();
            self.unsynced.borrow_mut().push(blob);
            editor.upsert(file.as_str(), gix::object::tree::EntryKind::Blob, blob).map_err(git("edit a tree", path))?;
        }
        let tree = editor
            .detach()
            .write(|tree| {
                let id = self.repo.write_object(tree)?.detach();
                self.unsynced.borrow_mut().push(id);
                Ok::<_, gix::Error>(id)
            })
            .map_err(git("write a tree", path))?;
        let commit = gix::objs::Commit {
            tree,
            parents: parent.map(|p| p.0).into_iter().collect(),
            author: signature(&meta.author),
            committer: signature(&meta.committer),
            encoding: None,
            message: message_with_trailers(&meta.message, &meta.trailers).into(),
            extra_headers: Vec::new(),
        };
        let id = self.repo.write_object(&commit).map_err(git("write a commit", path))?.detach();
        self.unsynced.borrow_mut().push(id);
        Ok(Rev(id))
    }

    /// Makes every object written since the last call durable.
    pub fn sync_objects(&self) -> Result<(), Error> {
        let paths = self.take_unsynced();
        Ok(fsio::sync_all(&paths.into_iter().map(Durable::Path).collect::<Vec<_>>())?)
    }

    /// What makes the objects written since the last call durable, for the
    /// caller to sync (with whatever else may be synced at the same time):
    /// each object file, its fan-out folder and `objects/`. Empty when there
    /// are none.
    pub fn take_unsynced(&self) -> Vec<PathBuf> {
        let objects = self.git_dir.join("objects");
        let mut paths = Vec::new();
        for id in self.unsynced.borrow_mut().drain(..) {
            let hex = id.to_string();
            let folder = objects.join(&hex[..2]);
            paths.push(folder.join(&hex[2..]));
            if !paths.contains(&folder) {
                paths.push(folder);
            }
        }
        if !paths.is_empty() {
            paths.push(objects);
        }
        paths
    }

    /// Moves the branch from `from` to `to` with a compare-and-swap, then syncs
    /// the ref file and its folder.
    pub fn advance(&self, from: Option<Rev>, to: Rev, reason: &str) -> Result<(), Error> {
        let expected = match from {
            Some(rev) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(rev.0)),
            None => PreviousValue::MustNotExist,
        };
        let edit = RefEdit {
            change: Change::Update {
                log: LogChange { mode: RefLog::AndReference, force_create_reflog: false, message: reason.into() },
                expected,
                new: gix::refs::Target::Object(to.0),
            },
            name: BRANCH.try_into().expect("valid ref name"),
            deref: false,
        };
        let committer = gix::actor::Signature::default();
        self.repo.edit_references_as(Some(edit), Some(committer.to_ref(&mut Default::default()))).map_err(|e| {
            match self.head() {
                Ok(head) if head != from => {
                    Error::Moved { expected: from.map_or_else(|| "no commit".into(), |r| r.to_string()) }
                }
                _ => git("move the branch", &self.git_dir)(e),
            }
        })?;
        let ref_file = self.git_dir.join(BRANCH);
        let folder = ref_file.parent().expect("ref has a folder").to_owned();
        fsio::sync_all(&[Durable::Path(ref_file), Durable::Path(folder)])?;
        Ok(())
    }

    /// Whether a killed process may have left work behind: a journal, a git
    /// `*.lock` file, or a temp object file. Cheap enough for every command.
    pub fn needs_recovery(&self) -> bool {
        let has_leftover = |dir: &Path, prefix: &str, suffix: &str| {
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.starts_with(prefix) && name.ends_with(suffix)
                })
            })
        };
        self.git_dir.join("pending").exists()
            || has_leftover(&self.git_dir, "", ".lock")
            || has_leftover(&self.git_dir.join("refs/heads"), "", ".lock")
            || has_leftover(&self.git_dir.join("objects"), ".tmp", "")
    }

    /// Removes what a killed process can leave in the store: gix's temp object
    /// files and git `*.lock` files. Only call this while holding the store lock.
    pub fn remove_leftovers(&self) -> Result<Vec<PathBuf>, Error> {
        let mut removed = Vec::new();
        let candidates = [
            (self.git_dir.clone(), false),
            (self.git_dir.join("refs/heads"), false),
            (self.git_dir.join("objects"), true),
        ];
        for (dir, temp_objects) in candidates {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(IoError::new(Step::Read, &dir, e).into()),
            };
            for entry in entries {
                let entry = entry.at(Step::Read, &dir)?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let leftover = name.ends_with(".lock") || (temp_objects && name.starts_with(".tmp"));
                if leftover && entry.file_type().is_ok_and(|t| t.is_file()) {
                    std::fs::remove_file(entry.path()).at(Step::Remove, entry.path())?;
                    removed.push(entry.path());
                }
            }
        }
        Ok(removed)
    }
}

fn signature(sig: &Signature) -> gix::actor::Signature {
    gix::actor::Signature {
        name: sig.name.as_str().into(),
        email: sig.email.as_str().into(),
        time: gix::date::Time { seconds: sig.seconds, offset: sig.offset },
    }
}

fn message_with_trailers(message: &str, trailers: &[(String, String)]) -> String {
    let mut out = message.trim_end().to_owned();
    out.push('\n');
    if !trailers.is_empty() {
        out.push('\n');
        for (key, value) in trailers {
            out.push_str(&format!("{key}: {}\n", value.replace('\n', " ")));
        }
    }
    out
}

fn git<E: std::error::Error + Send + Sync + 'static>(action: &'static str, path: &Path) -> impl FnOnce(E) -> Error {
    let path = path.to_owned();
    move |e| Error::Git { action, path, source: Box::new(e) }
}
