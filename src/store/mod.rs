//! The side repository `.cfg/`: an ordinary bare git repository, read with
//! gix and written by cfg itself so that every write is durable.
//!
//! One branch, `refs/heads/main`, holds the history; each commit's tree is
//! the set of managed files at that point. gix stays inside this module:
//! callers see [`Rev`], [`CommitInfo`] and plain bytes.
//!
//! Writing is split in halves that the caller places around its two flush
//! barriers, so that nothing becomes visible under its final name before its
//! bytes are on disk: objects ([`Store::write_commit`] stages them,
//! [`Store::publish_objects`] renames them into place; see `objects.rs`) and
//! the branch ([`Store::stage_branch`], [`Store::publish_branch`]; see
//! `refs.rs`). A crash can leave temp objects, the branch's lock file and
//! the temp files of [`fsio::replace`] behind; [`Store::needs_recovery`]
//! notices them and [`Store::remove_leftovers`] and
//! [`Store::recover_objects`], called under the store lock, clear them.

mod graph;
mod history;
mod journal;
mod objects;
mod prune;
mod refs;
mod remote;
mod sign;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;

use crate::fsio::{self, IoError, RelPath};

pub use history::{ChangeKind, CommitInfo, FileChange};
pub use journal::{Journal, JournalEntry};
pub use objects::StagedObjects;
pub use prune::{Cut, Freed, Pruned};
pub use refs::StagedBranch;
pub use remote::{FetchedPacks, PushResult, Refusal, Remote, Transport, TransportError, redact};
pub use sign::SignatureStatus;

/// The folder of the side repository inside the managed root.
pub const STORE_DIR: &str = ".cfg";
const BRANCH: &str = "refs/heads/main";
/// Trailer keys recorded in every commit message.
pub const TRAILER_COMMAND: &str = "Cfg-Command";
pub const TRAILER_HOST: &str = "Cfg-Host";
/// The account `sudo` ran cfg as, when the author is the user behind it.
pub const TRAILER_SUDO: &str = "Cfg-Sudo";

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

/// Any object of the store (a blob, tree or commit), by its id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ObjectName(ObjectId);

impl std::fmt::Display for ObjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for ObjectName {
    type Err = ();
    fn from_str(s: &str) -> Result<ObjectName, ()> {
        if s.len() != 40 {
            return Err(());
        }
        ObjectId::from_hex(s.as_bytes()).map(ObjectName).map_err(|_| ())
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
    /// The SSH key to sign the commit with (see `sign.rs`).
    pub signing_key: Option<PathBuf>,
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
    #[error("the branch `{}` is damaged (not a commit id)", path.display())]
    BrokenBranch { path: PathBuf },
    #[error("the branch is locked by another git process (`{}` exists)", path.display())]
    BranchLocked { path: PathBuf },
    #[error("failed to {action} in the store `{}`", path.display())]
    Git {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The commit could not be signed; nothing was written.
    #[error("cannot sign the commit with the key `{}`: {reason}", key.display())]
    Sign { key: PathBuf, reason: String },
    #[error("cannot check signatures: {reason}")]
    Verify { reason: String },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// An opened side repository.
pub struct Store {
    repo: gix::Repository,
    git_dir: PathBuf,
    codec: RefCell<objects::Codec>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("git_dir", &self.git_dir).finish()
    }
}

impl Store {
    /// Creates `root/.cfg` as a bare repository, or opens it if it exists.
    /// Every file is durable before `HEAD`, whose presence marks a store
    /// (see [`Store::open`]), is put in place: a crash leaves either no store
    /// or a whole one, and running init again completes a partial one, or
    /// repairs a `HEAD` or `config` that a power cut emptied under an older cfg.
    pub fn init(root: &Path) -> Result<Store, Error> {
        let git_dir = root.join(STORE_DIR);
        let head = format!("ref: {BRANCH}\n");
        let head_whole = std::fs::read(git_dir.join("HEAD")).is_ok_and(|bytes| bytes == head.as_bytes());
        // Empty or zero-filled: what a power cut leaves of unsynced data.
        let config_whole =
            std::fs::read(git_dir.join("config")).is_ok_and(|bytes| !bytes.is_empty() && !bytes.contains(&0));
        if head_whole && config_whole {
            return Store::open(root);
        }
        let created_store_dir = fsio::create_dir(&git_dir)?;
        for dir in ["objects", "objects/info", "objects/pack", "refs", "refs/heads", "refs/tags"] {
            fsio::create_dir(&git_dir.join(dir))?;
        }
        let mut files = Vec::new();
        let lock = git_dir.join("lock");
        if !lock.exists() {
            files.push(fsio::create_new(&lock, b"", 0o666)?);
        }
        if !config_whole {
            let config = git_dir.join("config");
            fsio::remove_file(&config)?;
            files.push(fsio::create_new(&config, CONFIG.as_bytes(), 0o666)?);
        }
        let mut durable: Vec<fsio::Durable<'_>> = files.iter().map(fsio::Durable::File).collect();
        for dir in ["objects", "refs", ""] {
            durable.push(fsio::Durable::Path(git_dir.join(dir)));
        }
        if created_store_dir {
            durable.push(fsio::Durable::Path(root.to_owned()));
        }
        fsio::sync_all(&durable)?;
        if !head_whole {
            fsio::replace(&git_dir.join("HEAD"), head.as_bytes())?;
        }
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
        Ok(Store { repo, git_dir, codec: RefCell::default() })
    }

    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn lock_path(&self) -> PathBuf {
        self.git_dir.join("lock")
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
    /// Its new objects are staged, not yet visible, and the branch does not
    /// move: see the module docs.
    pub fn write_commit(
        &self,
        parent: Option<Rev>,
        files: &[(&RelPath, &[u8])],
        meta: &CommitMeta,
    ) -> Result<(Rev, StagedObjects), Error> {
        self.write_commit_with(parent, parent.into_iter().collect(), files, meta)
    }

    /// Like [`Store::write_commit`], for a merge commit: the tree is `ours`'
    /// with each path set to its content, and the parents are `ours` then
    /// `theirs`, as `git merge` orders them.
    pub fn write_merge(
        &self,
        ours: Rev,
        theirs: Rev,
        files: &[(&RelPath, &[u8])],
        meta: &CommitMeta,
    ) -> Result<(Rev, StagedObjects), Error> {
        self.write_commit_with(Some(ours), vec![ours, theirs], files, meta)
    }

    fn write_commit_with(
        &self,
        base: Option<Rev>,
        parents: Vec<Rev>,
        files: &[(&RelPath, &[u8])],
        meta: &CommitMeta,
    ) -> Result<(Rev, StagedObjects), Error> {
        let path = &self.git_dir;
        let mut staged = StagedObjects::default();
        let mut editor = match base {
            Some(rev) => self.repo.edit_tree(self.tree_of(rev)?),
            None => self.repo.empty_tree().edit(),
        }
        .map_err(git("edit a tree", path))?
        .detach();
        for (file, content) in files {
            let blob = self.put_object(&gix::objs::BlobRef { data: content }, &mut staged)?;
            editor
                .upsert(file.as_str().split('/'), gix::object::tree::EntryKind::Blob, blob)
                .map_err(git("edit a tree", path))?;
        }
        let tree = editor.write(|tree| self.put_object(tree, &mut staged))?;
        let mut commit = gix::objs::Commit {
            tree,
            parents: parents.into_iter().map(|p| p.0).collect(),
            author: signature(&meta.author),
            committer: signature(&meta.committer),
            encoding: None,
            message: message_with_trailers(&meta.message, &meta.trailers).into(),
            extra_headers: Vec::new(),
        };
        // Signed as the commit object is made, so that a key that cannot be
        // used fails the write before any journal exists.
        if let Some(key) = &meta.signing_key
            && let Err(error) = sign::sign_commit(&mut commit, key)
        {
            self.discard_objects(staged)?;
            return Err(error);
        }
        let id = self.put_object(&commit, &mut staged)?;
        Ok((Rev(id), staged))
    }

    /// Whether a killed process may have left work behind: a journal, a
    /// temp object, the branch's lock file, a temp file of an atomic replace.
    /// Cheap enough for every command.
    pub fn needs_recovery(&self) -> bool {
        self.git_dir.join("pending").exists()
            || self.has_temp_objects()
            || self.has_branch_lock()
            || !self.leftovers().is_empty()
    }

    /// Lock files of git (`*.lock`) and temp files of [`fsio::replace`] in
    /// the store folder.
    fn leftovers(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.git_dir) else { return Vec::new() };
        entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                (name.ends_with(".lock") || name.ends_with(fsio::REPLACE_SUFFIX))
                    && e.file_type().is_ok_and(|t| t.is_file())
            })
            .map(|e| e.path())
            .collect()
    }

    /// Removes what a killed process can leave in the store besides temp
    /// objects (see [`Store::recover_objects`]): git `*.lock` files, the
    /// branch's lock file, temp files of [`fsio::replace`]. Only call this
    /// while holding the store lock.
    pub fn remove_leftovers(&self) -> Result<Vec<PathBuf>, Error> {
        let mut removed = self.leftovers();
        let branch_lock = refs::lock_path(&self.branch_path());
        if branch_lock.exists() {
            removed.push(branch_lock);
        }
        for path in &removed {
            fsio::remove_file(path)?;
        }
        Ok(removed)
    }
}

/// The git blob id of `bytes`: a stable hash for records such as the
/// approved command sets of `cfg trust`.
pub fn content_id(bytes: &[u8]) -> ObjectName {
    ObjectName(gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes).expect("sha1 hashes"))
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

/// The store's git configuration: what `git init --bare` writes, with
/// reflogs off (cfg's history is the log).
const CONFIG: &str =
    "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n\tlogallrefupdates = false\n";

fn git<E: std::error::Error + Send + Sync + 'static>(action: &'static str, path: &Path) -> impl FnOnce(E) -> Error {
    let path = path.to_owned();
    move |e| Error::Git { action, path, source: Box::new(e) }
}
