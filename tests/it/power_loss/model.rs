//! The file-system model: what each recorded call did to the tree, what a
//! power cut would keep of it.
//!
//! A tree of inodes under the temp root. A regular file has a *volatile*
//! content (what a reader sees) and a *durable* content (what a power cut
//! keeps); a folder has volatile and durable entries. Everything present before
//! the first traced command is durable.
//!
//! - `fsync`/`fdatasync` of a file makes its durable content the volatile
//!   content it had when the call *began*, once the call returns; of a folder,
//!   the same for its entries. `sync`/`syncfs` do that for every inode.
//!   `sync_file_range` makes nothing durable.
//! - An entry created, renamed, linked or removed is durable only once its
//!   folder is synced (the POSIX-conservative rule; ext4 often does better,
//!   and nothing may rely on it).
//! - Metadata operations not yet durable may still reach the disk in program
//!   order, as ext4's ordered journal commits them: a crash state is the
//!   durable entries plus the first `j` pending operations, for some `j`
//!   ([`Model::pending`], [`Model::crash`]). Within one rename both of its
//!   entries change together.
//! - File data is never ordered with metadata: a crash keeps a file's durable
//!   content ([`Variant::Synced`]: data never synced reads as empty, as ext4's
//!   delayed allocation leaves a renamed, unsynced file), or, for a file whose
//!   content was not synced, nothing at all if it was truncated since
//!   ([`Variant::Truncated`]: the truncate reached the disk, the data did
//!   not), or zeros where its unsynced bytes would be ([`Variant::Zeroed`]:
//!   the new size reached the disk, the data did not).
//!
//! Limits: modes, owners and times are not modelled (`fchmod`, `fchown`,
//! `utimensat` are ignored), nor torn writes within one file (a file holds one
//! of the contents listed above, never a mix of two writes), nor a folder
//! renamed while it has pending entries of its own beyond what the entries
//! say. A call the model does not know that names a path or fd under the root
//! fails the replay, so a new kind of call cannot slip past it; so does a
//! successful call the model says should have failed (the model is then out of
//! step with the disk, which the replay also checks after every command).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use super::trace::{Arg, Call, Event};

pub(crate) type Content = Arc<Vec<u8>>;
type Ino = usize;
type Entries = BTreeMap<String, Ino>;

const AT_FDCWD: i64 = -100;
const O_ACCMODE: i64 = 0o3;
const O_CREAT: i64 = 0o100;
const O_EXCL: i64 = 0o200;
const O_TRUNC: i64 = 0o1000;
const O_APPEND: i64 = 0o2000;
const O_DIRECTORY: i64 = 0o200000;
const O_TMPFILE: i64 = 0o20000000 | O_DIRECTORY;
const AT_EMPTY_PATH: i64 = 0x1000;
const RENAME_NOREPLACE: i64 = 1;
const RENAME_EXCHANGE: i64 = 2;
const CLONE_THREAD: i64 = 0x10000;
const CLOSE_RANGE_CLOEXEC: i64 = 4;
const F_DUPFD: i64 = 0;
const F_SETFL: i64 = 4;
const F_DUPFD_CLOEXEC: i64 = 1030;
const PROT_WRITE: i64 = 2;
const MAP_SHARED: i64 = 1;

/// Calls that change nothing the model holds. Mode, owner and time changes are
/// here on purpose: the model does not hold them.
const NO_EFFECT: &[&str] = &[
    "access",
    "faccessat",
    "faccessat2",
    "stat",
    "lstat",
    "fstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "readlink",
    "readlinkat",
    "getdents",
    "getdents64",
    "getcwd",
    "flock",
    "fadvise64",
    "pread64",
    "preadv",
    "preadv2",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "sync_file_range",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chmod",
    "fchown",
    "fchownat",
    "chown",
    "lchown",
    "utimensat",
    "utime",
    "utimes",
    "futimesat",
];

/// What a power cut keeps of a file whose content was not synced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Variant {
    /// Its durable content (never synced: empty).
    Synced,
    /// Empty if it was truncated since its last sync, else its durable content.
    Truncated,
    /// Its unsynced size, zeros where the unsynced bytes would be.
    Zeroed,
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Variant::Synced => "unsynced data lost",
            Variant::Truncated => "unsynced truncated files empty",
            Variant::Zeroed => "unsynced bytes zero-filled",
        })
    }
}

#[derive(Debug, Clone)]
enum Inode {
    /// `truncations` counts the times it was truncated (`O_TRUNC`, a shorter
    /// `ftruncate`); `durable_truncations`, those a sync has covered.
    File {
        volatile: Content,
        durable: Content,
        truncations: usize,
        durable_truncations: usize,
    },
    /// `durable_upto`: the metadata operations before this index are in `durable`.
    Dir {
        volatile: Entries,
        durable: Entries,
        durable_upto: usize,
    },
    Symlink(String),
}

/// One metadata operation: the entries it sets or removes, all together.
#[derive(Debug, Clone)]
struct MetaOp {
    effects: Vec<(Ino, String, Option<Ino>)>,
    what: String,
}

/// An open file description (shared by `dup`ed fds).
#[derive(Debug)]
struct Open {
    ino: Ino,
    offset: usize,
    append: bool,
}

/// The state a sync call saw when it began.
#[derive(Debug)]
enum Seen {
    One(Ino, Inode, usize),
    All(Vec<Inode>, usize),
}

/// Where a path leads.
#[derive(Debug, PartialEq, Eq)]
enum Loc {
    Outside,
    /// A folder named by the path itself (the root, or `.`).
    Itself(Ino),
    /// An entry (existing or not) of a folder.
    Entry(Ino, String),
}

pub(crate) struct Model {
    root_path: String,
    inodes: Vec<Inode>,
    ops: Vec<MetaOp>,
    fds: HashMap<i64, Rc<RefCell<Open>>>,
    syncs: HashMap<u32, Seen>,
    /// Threads inside a `close`: the fd is gone from the table from the moment it began.
    closing: HashMap<u32, i64>,
    execs: usize,
}

const ROOT: Ino = 0;

impl Model {
    /// A model of `initial`, all of it durable, for a root at `root_path`.
    pub(crate) fn new(root_path: &str, initial: &Tree) -> Model {
        let root = Inode::Dir { volatile: Entries::new(), durable: Entries::new(), durable_upto: 0 };
        let mut model = Model {
            root_path: root_path.to_owned(),
            inodes: vec![root],
            ops: Vec::new(),
            fds: HashMap::new(),
            syncs: HashMap::new(),
            closing: HashMap::new(),
            execs: 0,
        };
        let mut inode_of: HashMap<&str, Ino> = HashMap::from([("", ROOT)]);
        for (path, node) in &initial.0 {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            let inode = match node {
                Node::Dir => Inode::Dir { volatile: Entries::new(), durable: Entries::new(), durable_upto: 0 },
                Node::File(content) => new_file(content.clone()),
                Node::Symlink(target) => Inode::Symlink(target.clone()),
            };
            let ino = model.inodes.len();
            model.inodes.push(inode);
            inode_of.insert(path, ino);
            let Inode::Dir { volatile, durable, .. } = &mut model.inodes[inode_of[parent]] else {
                unreachable!("a parent in a tree is a folder")
            };
            volatile.insert(name.to_owned(), ino);
            durable.insert(name.to_owned(), ino);
        }
        model
    }

    /// Replays one event; returns whether it changed the volatile or durable state.
    pub(crate) fn apply(&mut self, event: &Event) -> Result<bool, String> {
        match event {
            Event::Start { .. } => {
                self.fds.clear();
                self.syncs.clear();
                self.closing.clear();
                self.execs = 0;
                Ok(false)
            }
            Event::Exit { .. } => Ok(false),
            Event::Enter { tid, name, args } if name == "close" => {
                let fd = match args.first() {
                    Some(Arg::Int(fd) | Arg::Fd(fd, _)) => *fd,
                    other => return Err(format!("`close` without an fd: {other:?}")),
                };
                self.fds.remove(&fd);
                self.closing.insert(*tid, fd);
                Ok(false)
            }
            Event::Enter { tid, name, args } => {
                let seen = if name == "sync" || name == "syncfs" {
                    Seen::All(self.inodes.clone(), self.ops.len())
                } else {
                    match self.open_fd(args.first(), name)? {
                        Some(open) => {
                            let ino = open.borrow().ino;
                            Seen::One(ino, self.inodes[ino].clone(), self.ops.len())
                        }
                        None => return Ok(false),
                    }
                };
                self.syncs.insert(*tid, seen);
                Ok(false)
            }
            Event::Done(call) => self.done(call),
        }
    }

    fn done(&mut self, call: &Call) -> Result<bool, String> {
        let ok = matches!(call.ret, Some(ret) if ret >= 0);
        let name = call.name.as_str();
        if name == "close" {
            // Closed where it began, if it was seen to begin.
            if self.closing.remove(&call.tid).is_none() {
                self.fds.remove(&call.int(0)?);
            }
            return Ok(false);
        }
        if !ok {
            self.syncs.remove(&call.tid);
            return Ok(false);
        }
        let ret = call.ret.unwrap_or(-1);
        match name {
            "open" => self.open(call, None, call.str(0)?, call.int(1)?),
            "creat" => self.open(call, None, call.str(0)?, O_CREAT | O_TRUNC | 1),
            "openat" => self.open(call, call.args.first(), call.str(1)?, call.int(2)?),
            "read" | "readv" => {
                if let Some(open) = self.open_fd(call.args.first(), name)? {
                    open.borrow_mut().offset += ret as usize;
                }
                Ok(false)
            }
            "lseek" => {
                if let Some(open) = self.open_fd(call.args.first(), name)? {
                    open.borrow_mut().offset = ret as usize;
                }
                Ok(false)
            }
            "write" | "writev" | "pwrite64" | "pwritev" | "pwritev2" => self.write(call),
            "ftruncate" => {
                let Some(open) = self.open_fd(call.args.first(), name)? else { return Ok(false) };
                let ino = open.borrow().ino;
                self.resize(ino, call.int(1)? as usize)
            }
            "truncate" => match self.locate(None, call.str(0)?)? {
                Loc::Entry(dir, entry) => {
                    let ino = self.lookup(dir, &entry).ok_or_else(|| out_of_step(call))?;
                    self.resize(ino, call.int(1)? as usize)
                }
                Loc::Outside => Ok(false),
                Loc::Itself(_) => Err(out_of_step(call)),
            },
            "fsync" | "fdatasync" => self.sync_one(call),
            "sync" | "syncfs" => Ok(self.sync_all(call.tid)),
            "rename" => self.rename(call, (None, call.str(0)?), (None, call.str(1)?), 0),
            "renameat" => self.rename(call, (call.args.first(), call.str(1)?), (call.args.get(2), call.str(3)?), 0),
            "renameat2" => {
                let flags = call.int(4)?;
                self.rename(call, (call.args.first(), call.str(1)?), (call.args.get(2), call.str(3)?), flags)
            }
            "unlink" | "rmdir" => self.unlink(call, None, call.str(0)?),
            // With or without AT_REMOVEDIR: the entry goes either way.
            "unlinkat" => self.unlink(call, call.args.first(), call.str(1)?),
            "mkdir" => self.create(
                call,
                None,
                call.str(0)?,
                Inode::Dir { volatile: Entries::new(), durable: Entries::new(), durable_upto: self.ops.len() },
            ),
            "mkdirat" => self.create(
                call,
                call.args.first(),
                call.str(1)?,
                Inode::Dir { volatile: Entries::new(), durable: Entries::new(), durable_upto: self.ops.len() },
            ),
            "symlink" => self.create(call, None, call.str(1)?, Inode::Symlink(call.str(0)?.to_owned())),
            "symlinkat" => self.create(call, call.args.get(1), call.str(2)?, Inode::Symlink(call.str(0)?.to_owned())),
            "link" => self.link(call, (None, call.str(0)?), (None, call.str(1)?)),
            "linkat" => {
                if call.int(4)? & AT_EMPTY_PATH != 0 {
                    return self.unmodelled(call, "linkat with AT_EMPTY_PATH");
                }
                self.link(call, (call.args.first(), call.str(1)?), (call.args.get(2), call.str(3)?))
            }
            "close_range" => {
                if call.int(2)? & CLOSE_RANGE_CLOEXEC == 0 {
                    let (first, last) = (call.int(0)?, call.int(1)?);
                    self.fds.retain(|fd, _| *fd < first || *fd > last);
                }
                Ok(false)
            }
            "dup" | "dup2" | "dup3" => self.dup(call.int(0)?, ret),
            "fcntl" => match call.int(1)? {
                F_DUPFD | F_DUPFD_CLOEXEC => self.dup(call.int(0)?, ret),
                F_SETFL => {
                    if let Some(open) = self.open_fd(call.args.first(), name)? {
                        open.borrow_mut().append = call.int(2)? & O_APPEND != 0;
                    }
                    Ok(false)
                }
                _ => Ok(false),
            },
            "mmap" => {
                let (prot, flags) = (call.int(2)?, call.int(3)?);
                // MAP_SHARED and MAP_SHARED_VALIDATE both have this bit.
                let shared_write = prot & PROT_WRITE != 0 && flags & MAP_SHARED != 0;
                if shared_write && self.open_fd(call.args.get(4), name)?.is_some() {
                    return self.unmodelled(call, "a shared writable mapping of a file under the root");
                }
                Ok(false)
            }
            "clone" | "clone3" => {
                if call.clone_flags()? & CLONE_THREAD == 0 {
                    return self.unmodelled(call, "a child process (its fd table is not modelled)");
                }
                Ok(false)
            }
            "fork" | "vfork" => self.unmodelled(call, "a child process (its fd table is not modelled)"),
            "execve" | "execveat" => {
                self.execs += 1;
                if self.execs > 1 {
                    return self.unmodelled(call, "a second program in one traced command");
                }
                Ok(false)
            }
            "chdir" | "fchdir" | "chroot" => self.unmodelled(call, "a change of the current folder"),
            _ if NO_EFFECT.contains(&name) => Ok(false),
            _ => {
                if self.touches_root(call) {
                    return self.unmodelled(call, "a call the model does not know, on a path or fd under the root");
                }
                Ok(false)
            }
        }
    }

    fn unmodelled(&self, call: &Call, what: &str) -> Result<bool, String> {
        Err(format!(
            "unmodelled file-system call ({what}): `{}`; teach tests/it/power_loss/model.rs what it does",
            call.text
        ))
    }

    /// Whether a call names something under the root: an fd on it, an
    /// absolute path in it, or a relative path beside an fd (the current
    /// folder, which is the root, counts).
    fn touches_root(&self, call: &Call) -> bool {
        let has_dirfd = call.args.iter().any(|arg| matches!(arg, Arg::Fd(..)));
        let names_root = |arg: &Arg| match arg {
            Arg::Fd(AT_FDCWD, _) => false,
            Arg::Fd(fd, path) => self.fds.contains_key(fd) || self.under_root(path),
            Arg::Str { text, truncated: false } => self.under_root(text) || (has_dirfd && !text.starts_with('/')),
            _ => false,
        };
        call.args.iter().any(names_root) || call.ret_path.as_deref().is_some_and(|path| self.under_root(path))
    }

    fn under_root(&self, path: &str) -> bool {
        path == self.root_path || path.strip_prefix(&self.root_path).is_some_and(|rest| rest.starts_with('/'))
    }

    /// The open file an fd argument refers to: `None` for an fd outside the root.
    fn open_fd(&self, arg: Option<&Arg>, call: &str) -> Result<Option<Rc<RefCell<Open>>>, String> {
        let (fd, path) = match arg {
            Some(Arg::Fd(fd, path)) => (*fd, Some(path.as_str())),
            Some(Arg::Int(fd)) => (*fd, None),
            other => return Err(format!("`{call}` without an fd: {other:?}")),
        };
        if let Some(open) = self.fds.get(&fd) {
            return Ok(Some(open.clone()));
        }
        match path {
            Some(path) if self.under_root(path) => {
                Err(format!("`{call}` on fd {fd} ({path}), which no recorded call opened: the model lost track of it"))
            }
            _ => Ok(None),
        }
    }

    fn locate(&self, dirfd: Option<&Arg>, path: &str) -> Result<Loc, String> {
        let start = match dirfd {
            _ if path.starts_with('/') => None,
            None | Some(Arg::Int(AT_FDCWD) | Arg::Fd(AT_FDCWD, _)) => None,
            Some(arg) => match self.open_fd(Some(arg), "a call relative to a folder")? {
                Some(open) => Some(open.borrow().ino),
                None => return Ok(Loc::Outside),
            },
        };
        let components: Vec<String> = match start {
            Some(_) => path.split('/').map(str::to_owned).collect(),
            None => {
                // The current folder of every traced command is the root.
                let absolute =
                    if path.starts_with('/') { path.to_owned() } else { format!("{}/{path}", self.root_path) };
                let mut parts: Vec<&str> = Vec::new();
                for part in absolute.split('/') {
                    match part {
                        "" | "." => {}
                        ".." => {
                            parts.pop();
                        }
                        part => parts.push(part),
                    }
                }
                let root: Vec<&str> = self.root_path.split('/').filter(|p| !p.is_empty()).collect();
                if !parts.starts_with(&root) {
                    return Ok(Loc::Outside);
                }
                parts[root.len()..].iter().map(|p| (*p).to_owned()).collect()
            }
        };
        let components: Vec<&String> = components.iter().filter(|c| !c.is_empty() && *c != ".").collect();
        let mut dir = start.unwrap_or(ROOT);
        let Some((last, walk)) = components.split_last() else {
            return Ok(Loc::Itself(dir));
        };
        for part in walk {
            if *part == ".." {
                return Err(format!("`..` in a path relative to an fd: {path}"));
            }
            dir = match self.lookup(dir, part) {
                Some(ino) if matches!(self.inodes[ino], Inode::Dir { .. }) => ino,
                Some(ino) if matches!(self.inodes[ino], Inode::Symlink(_)) => {
                    return Err(format!("a path through a symlink: {path}"));
                }
                _ => return Err(format!("the model has no folder `{part}` on the way to {path}")),
            };
        }
        Ok(Loc::Entry(dir, (*last).clone()))
    }

    fn lookup(&self, dir: Ino, name: &str) -> Option<Ino> {
        match &self.inodes[dir] {
            Inode::Dir { volatile, .. } => volatile.get(name).copied(),
            _ => None,
        }
    }

    /// Records a metadata operation and applies it to the volatile entries.
    fn meta(&mut self, effects: Vec<(Ino, String, Option<Ino>)>, what: String) {
        for (dir, name, to) in &effects {
            let Inode::Dir { volatile, .. } = &mut self.inodes[*dir] else { unreachable!("entries live in folders") };
            match to {
                Some(ino) => volatile.insert(name.clone(), *ino),
                None => volatile.remove(name),
            };
        }
        self.ops.push(MetaOp { effects, what });
    }

    fn relative<'p>(&self, path: &'p str) -> &'p str {
        path.strip_prefix(&self.root_path).map_or(path, |rest| rest.trim_start_matches('/'))
    }

    fn open(&mut self, call: &Call, dirfd: Option<&Arg>, path: &str, flags: i64) -> Result<bool, String> {
        let fd = call.ret.unwrap_or(-1);
        self.fds.remove(&fd);
        let loc = self.locate(dirfd, path)?;
        if loc != Loc::Outside && flags & O_TMPFILE == O_TMPFILE {
            return self.unmodelled(call, "O_TMPFILE");
        }
        let (ino, changed) = match loc {
            Loc::Outside => return Ok(false),
            Loc::Itself(ino) => (ino, false),
            Loc::Entry(dir, name) => match self.lookup(dir, &name) {
                Some(ino) => {
                    if flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL {
                        return Err(format!("{} created a file the model already has", call.text));
                    }
                    match &mut self.inodes[ino] {
                        Inode::File { volatile, truncations, .. } if flags & O_TRUNC != 0 && flags & O_ACCMODE != 0 => {
                            let changed = !volatile.is_empty();
                            *volatile = Content::default();
                            *truncations += 1;
                            (ino, changed)
                        }
                        Inode::Symlink(_) => return self.unmodelled(call, "opening through a symlink"),
                        _ => (ino, false),
                    }
                }
                None if flags & O_CREAT != 0 => {
                    let ino = self.inodes.len();
                    self.inodes.push(new_file(Content::default()));
                    self.meta(vec![(dir, name, Some(ino))], format!("create {}", self.relative(path)));
                    (ino, true)
                }
                None => return Err(out_of_step(call)),
            },
        };
        self.fds.insert(fd, Rc::new(RefCell::new(Open { ino, offset: 0, append: flags & O_APPEND != 0 })));
        Ok(changed)
    }

    fn write(&mut self, call: &Call) -> Result<bool, String> {
        let Some(open) = self.open_fd(call.args.first(), &call.name)? else { return Ok(false) };
        let written = call.ret.unwrap_or(0) as usize;
        if call.data.len() != written {
            return Err(format!("`{}` wrote {written} bytes but strace dumped {}", call.text, call.data.len()));
        }
        let mut open = open.borrow_mut();
        let Inode::File { volatile, .. } = &mut self.inodes[open.ino] else {
            return Err(format!("`{}` writes to something that is not a file", call.text));
        };
        let positional = match call.name.as_str() {
            "pwrite64" | "pwritev" => Some(call.int(3)? as usize),
            "pwritev2" if call.int(3)? != -1 => Some(call.int(3)? as usize),
            _ => None,
        };
        let at = match positional {
            Some(at) => at,
            None if open.append => volatile.len(),
            None => open.offset,
        };
        let bytes = Arc::make_mut(volatile);
        if bytes.len() < at + written {
            bytes.resize(at + written, 0);
        }
        bytes[at..at + written].copy_from_slice(&call.data);
        if positional.is_none() {
            open.offset = at + written;
        }
        Ok(written > 0)
    }

    fn resize(&mut self, ino: Ino, len: usize) -> Result<bool, String> {
        let Inode::File { volatile, truncations, .. } = &mut self.inodes[ino] else {
            return Err("truncating something that is not a file".into());
        };
        if volatile.len() == len {
            return Ok(false);
        }
        if len < volatile.len() {
            *truncations += 1;
        }
        Arc::make_mut(volatile).resize(len, 0);
        Ok(true)
    }

    fn sync_one(&mut self, call: &Call) -> Result<bool, String> {
        let Some(open) = self.open_fd(call.args.first(), &call.name)? else { return Ok(false) };
        let ino = open.borrow().ino;
        let (seen, seen_ops) = match self.syncs.remove(&call.tid) {
            Some(Seen::One(seen_ino, seen, ops)) if seen_ino == ino => (seen, ops),
            _ => (self.inodes[ino].clone(), self.ops.len()),
        };
        Ok(make_durable(&mut self.inodes[ino], &seen, seen_ops))
    }

    fn sync_all(&mut self, tid: u32) -> bool {
        let (seen, seen_ops) = match self.syncs.remove(&tid) {
            Some(Seen::All(seen, ops)) => (seen, ops),
            _ => (self.inodes.clone(), self.ops.len()),
        };
        let mut changed = false;
        for (inode, seen) in self.inodes.iter_mut().zip(&seen) {
            changed |= make_durable(inode, seen, seen_ops);
        }
        changed
    }

    fn rename(
        &mut self,
        call: &Call,
        from: (Option<&Arg>, &str),
        to: (Option<&Arg>, &str),
        flags: i64,
    ) -> Result<bool, String> {
        let (source, target) = (self.locate(from.0, from.1)?, self.locate(to.0, to.1)?);
        let (Loc::Entry(from_dir, from_name), Loc::Entry(to_dir, to_name)) = (source, target) else {
            return match (self.locate(from.0, from.1)?, self.locate(to.0, to.1)?) {
                (Loc::Outside, Loc::Outside) => Ok(false),
                _ => self.unmodelled(call, "a rename into, out of, or of the root"),
            };
        };
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE) != 0 {
            return self.unmodelled(call, "renameat2 flags other than RENAME_NOREPLACE and RENAME_EXCHANGE");
        }
        let moved = self.lookup(from_dir, &from_name).ok_or_else(|| out_of_step(call))?;
        let replaced = self.lookup(to_dir, &to_name);
        let what = format!("rename {} -> {}", self.relative(from.1), self.relative(to.1));
        if flags & RENAME_EXCHANGE != 0 {
            let other = replaced.ok_or_else(|| out_of_step(call))?;
            self.meta(vec![(to_dir, to_name, Some(moved)), (from_dir, from_name, Some(other))], what);
            return Ok(true);
        }
        if replaced == Some(moved) {
            return Ok(false); // two names of one inode: rename does nothing
        }
        self.meta(vec![(to_dir, to_name, Some(moved)), (from_dir, from_name, None)], what);
        Ok(true)
    }

    fn unlink(&mut self, call: &Call, dirfd: Option<&Arg>, path: &str) -> Result<bool, String> {
        match self.locate(dirfd, path)? {
            Loc::Outside => Ok(false),
            Loc::Itself(_) => self.unmodelled(call, "removing the root"),
            Loc::Entry(dir, name) => {
                self.lookup(dir, &name).ok_or_else(|| out_of_step(call))?;
                self.meta(vec![(dir, name, None)], format!("remove {}", self.relative(path)));
                Ok(true)
            }
        }
    }

    fn create(&mut self, call: &Call, dirfd: Option<&Arg>, path: &str, inode: Inode) -> Result<bool, String> {
        match self.locate(dirfd, path)? {
            Loc::Outside => Ok(false),
            Loc::Itself(_) => Err(out_of_step(call)),
            Loc::Entry(dir, name) => {
                if self.lookup(dir, &name).is_some() {
                    return Err(out_of_step(call));
                }
                let kind = if matches!(inode, Inode::Dir { .. }) { "mkdir" } else { "symlink" };
                let ino = self.inodes.len();
                self.inodes.push(inode);
                self.meta(vec![(dir, name, Some(ino))], format!("{kind} {}", self.relative(path)));
                Ok(true)
            }
        }
    }

    fn link(&mut self, call: &Call, from: (Option<&Arg>, &str), to: (Option<&Arg>, &str)) -> Result<bool, String> {
        match (self.locate(from.0, from.1)?, self.locate(to.0, to.1)?) {
            (Loc::Outside, Loc::Outside) => Ok(false),
            (Loc::Entry(from_dir, from_name), Loc::Entry(to_dir, to_name)) => {
                let ino = self.lookup(from_dir, &from_name).ok_or_else(|| out_of_step(call))?;
                let what = format!("link {} -> {}", self.relative(from.1), self.relative(to.1));
                self.meta(vec![(to_dir, to_name, Some(ino))], what);
                Ok(true)
            }
            _ => self.unmodelled(call, "a link into or out of the root"),
        }
    }

    fn dup(&mut self, old: i64, new: i64) -> Result<bool, String> {
        match self.fds.get(&old).cloned() {
            Some(open) => self.fds.insert(new, open),
            None => self.fds.remove(&new),
        };
        Ok(false)
    }

    /// The metadata operations not yet durable in every folder they touch, in
    /// program order.
    pub(crate) fn pending(&self) -> Vec<usize> {
        (0..self.ops.len())
            .filter(|&seq| self.ops[seq].effects.iter().any(|(dir, ..)| self.is_pending(seq, *dir)))
            .collect()
    }

    fn is_pending(&self, seq: usize, dir: Ino) -> bool {
        match &self.inodes[dir] {
            Inode::Dir { durable_upto, .. } => seq >= *durable_upto,
            _ => false,
        }
    }

    /// What the pending operation `seq` does, for reports.
    pub(crate) fn describe(&self, seq: usize) -> &str {
        &self.ops[seq].what
    }

    /// The tree a power cut now leaves when the first `j` of `pending` reached the disk.
    pub(crate) fn crash(&self, pending: &[usize], j: usize, variant: Variant) -> Tree {
        let mut entries: HashMap<Ino, Entries> = HashMap::new();
        for (ino, inode) in self.inodes.iter().enumerate() {
            if let Inode::Dir { durable, .. } = inode {
                entries.insert(ino, durable.clone());
            }
        }
        for &seq in &pending[..j] {
            for (dir, name, to) in &self.ops[seq].effects {
                if !self.is_pending(seq, *dir) {
                    continue;
                }
                let map = entries.get_mut(dir).expect("entries live in folders");
                match to {
                    Some(ino) => map.insert(name.clone(), *ino),
                    None => map.remove(name),
                };
            }
        }
        self.tree(&entries, |inode| match inode {
            Inode::File { volatile, durable, truncations, durable_truncations } => {
                let truncated = truncations > durable_truncations;
                match variant {
                    Variant::Synced => durable.clone(),
                    _ if volatile == durable => durable.clone(),
                    Variant::Truncated if truncated => Content::default(),
                    Variant::Truncated => durable.clone(),
                    Variant::Zeroed if truncated => Arc::new(vec![0; volatile.len()]),
                    // Grown: the new size made it, the new bytes did not.
                    Variant::Zeroed => {
                        let mut bytes = durable.to_vec();
                        bytes.resize(volatile.len().max(durable.len()), 0);
                        Arc::new(bytes)
                    }
                }
            }
            _ => unreachable!("only files have content"),
        })
    }

    /// The tree as a reader sees it now (what is on the disk while the power stays on).
    pub(crate) fn volatile(&self) -> Tree {
        let mut entries = HashMap::new();
        for (ino, inode) in self.inodes.iter().enumerate() {
            if let Inode::Dir { volatile, .. } = inode {
                entries.insert(ino, volatile.clone());
            }
        }
        self.tree(&entries, |inode| match inode {
            Inode::File { volatile, .. } => volatile.clone(),
            _ => unreachable!("only files have content"),
        })
    }

    fn tree(&self, entries: &HashMap<Ino, Entries>, content: impl Fn(&Inode) -> Content) -> Tree {
        let mut tree = Tree::default();
        let mut stack = vec![(ROOT, String::new())];
        while let Some((dir, path)) = stack.pop() {
            for (name, &ino) in &entries[&dir] {
                let path = if path.is_empty() { name.clone() } else { format!("{path}/{name}") };
                let node = match &self.inodes[ino] {
                    Inode::Dir { .. } => {
                        // A folder renamed into its own subfolder cannot be; a
                        // partial crash state could still name one twice.
                        if path.matches('/').count() < 64 {
                            stack.push((ino, path.clone()));
                        }
                        Node::Dir
                    }
                    Inode::Symlink(target) => Node::Symlink(target.clone()),
                    file => Node::File(content(file)),
                };
                tree.0.insert(path, node);
            }
        }
        tree
    }
}

fn new_file(content: Content) -> Inode {
    Inode::File { volatile: content.clone(), durable: content, truncations: 0, durable_truncations: 0 }
}

/// Makes durable what `seen` held when the sync began; returns whether that changed anything.
fn make_durable(inode: &mut Inode, seen: &Inode, seen_ops: usize) -> bool {
    match (inode, seen) {
        (
            Inode::File { durable, durable_truncations, .. },
            Inode::File { volatile: seen, truncations: seen_truncations, .. },
        ) => {
            let changed = durable != seen || durable_truncations != seen_truncations;
            *durable = seen.clone();
            *durable_truncations = *seen_truncations;
            changed
        }
        (Inode::Dir { durable, durable_upto, .. }, Inode::Dir { volatile: seen, .. }) => {
            let changed = durable != seen || *durable_upto < seen_ops;
            *durable = seen.clone();
            *durable_upto = (*durable_upto).max(seen_ops);
            changed
        }
        _ => false,
    }
}

fn out_of_step(call: &Call) -> String {
    format!("`{}` succeeded where the model says it cannot: the model is out of step with the disk", call.text)
}

/// A file tree, keyed by path relative to the root (folders before their content).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Tree(pub(crate) BTreeMap<String, Node>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Node {
    Dir,
    File(Content),
    Symlink(String),
}

impl Tree {
    /// The tree on disk under `root`.
    pub(crate) fn read(root: &Path) -> Tree {
        let mut tree = Tree::default();
        let mut stack = vec![(root.to_owned(), String::new())];
        while let Some((dir, prefix)) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
                let entry = entry.unwrap();
                let name = entry.file_name().into_string().expect("UTF-8 names");
                let path = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
                let kind = entry.file_type().unwrap();
                let node = if kind.is_dir() {
                    stack.push((entry.path(), path.clone()));
                    Node::Dir
                } else if kind.is_symlink() {
                    Node::Symlink(std::fs::read_link(entry.path()).unwrap().to_string_lossy().into_owned())
                } else {
                    Node::File(Arc::new(std::fs::read(entry.path()).unwrap()))
                };
                tree.0.insert(path, node);
            }
        }
        tree
    }

    /// Writes the tree under `root` (an empty folder).
    pub(crate) fn write(&self, root: &Path) {
        for (path, node) in &self.0 {
            let target = root.join(path);
            match node {
                Node::Dir => std::fs::create_dir_all(&target),
                Node::File(content) => std::fs::write(&target, content.as_slice()),
                Node::Symlink(to) => std::os::unix::fs::symlink(to, &target),
            }
            .unwrap_or_else(|e| panic!("materialize {}: {e}", target.display()));
        }
    }

    pub(crate) fn file(&self, path: &str) -> Option<&Content> {
        match self.0.get(path) {
            Some(Node::File(content)) => Some(content),
            _ => None,
        }
    }

    /// The paths where two trees differ, for messages.
    pub(crate) fn differences(&self, other: &Tree) -> Vec<String> {
        let mut paths: Vec<&String> = self.0.keys().chain(other.0.keys()).collect();
        paths.sort();
        paths.dedup();
        paths
            .into_iter()
            .filter(|path| self.0.get(*path) != other.0.get(*path))
            .map(|path| format!("{path}: {} vs {}", show(self.0.get(path)), show(other.0.get(path))))
            .collect()
    }
}

fn show(node: Option<&Node>) -> String {
    match node {
        None => "absent".into(),
        Some(Node::Dir) => "folder".into(),
        Some(Node::Symlink(to)) => format!("symlink to {to}"),
        Some(Node::File(content)) => {
            format!("{} bytes {:?}", content.len(), String::from_utf8_lossy(&content[..content.len().min(60)]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::power_loss::trace::parse;

    fn replay(model: &mut Model, log: &str) {
        for event in parse(log).unwrap() {
            model.apply(&event).unwrap();
        }
    }

    fn file(tree: &Tree, path: &str) -> Option<Vec<u8>> {
        tree.file(path).map(|content| content.to_vec())
    }

    #[test]
    fn a_rename_before_a_sync_can_leave_an_empty_file() {
        let mut model = Model::new("/r", &Tree::default());
        replay(
            &mut model,
            concat!(
                "1 openat(-100</r>, \"/r/a.tmp\", 0x241, 0666) = 3</r/a.tmp>\n",
                "1 write(3</r/a.tmp>, \"\"..., 2) = 2\n",
                " | 00000  68 69\n",
                "1 rename(\"/r/a.tmp\", \"/r/a\") = 0\n",
            ),
        );
        let pending = model.pending();
        assert_eq!(pending.len(), 2, "create and rename");
        assert_eq!(model.crash(&pending, 0, Variant::Synced), Tree::default(), "nothing reached the disk");
        assert_eq!(file(&model.crash(&pending, 1, Variant::Synced), "a.tmp"), Some(vec![]));
        assert_eq!(file(&model.crash(&pending, 2, Variant::Synced), "a"), Some(vec![]), "renamed, data lost");
        assert_eq!(file(&model.crash(&pending, 2, Variant::Zeroed), "a"), Some(vec![0, 0]));
        assert_eq!(file(&model.volatile(), "a"), Some(b"hi".to_vec()));

        // The file's sync makes its data durable, not its name.
        replay(&mut model, "1 fsync(3</r/a>) = 0\n");
        let pending = model.pending();
        assert_eq!(file(&model.crash(&pending, 2, Variant::Synced), "a"), Some(b"hi".to_vec()));
        assert_eq!(model.crash(&pending, 0, Variant::Synced), Tree::default());

        // The folder's sync makes the name durable: nothing is pending.
        replay(&mut model, "1 openat(-100</r>, \"/r\", 0x90800) = 4</r>\n1 fsync(4</r>) = 0\n");
        assert!(model.pending().is_empty());
        assert_eq!(file(&model.crash(&[], 0, Variant::Synced), "a"), Some(b"hi".to_vec()));
    }

    #[test]
    fn only_a_truncated_file_can_come_back_empty() {
        let initial = Tree(BTreeMap::from([
            ("log".to_owned(), Node::File(Arc::new(b"ab".to_vec()))),
            ("journal".to_owned(), Node::File(Arc::new(b"old".to_vec()))),
        ]));
        let mut model = Model::new("/r", &initial);
        replay(
            &mut model,
            concat!(
                "1 openat(-100</r>, \"/r/log\", 0x441) = 3</r/log>\n",
                "1 write(3</r/log>, \"\"..., 1) = 1\n",
                " | 00000  63\n",
                "1 openat(-100</r>, \"/r/journal\", 0x241, 0666) = 4</r/journal>\n",
                "1 write(4</r/journal>, \"\"..., 2) = 2\n",
                " | 00000  6e 77\n",
            ),
        );
        assert_eq!(file(&model.volatile(), "log"), Some(b"abc".to_vec()));
        let crash = |variant| model.crash(&[], 0, variant);
        assert_eq!(file(&crash(Variant::Synced), "log"), Some(b"ab".to_vec()));
        assert_eq!(file(&crash(Variant::Truncated), "log"), Some(b"ab".to_vec()), "appended, never truncated");
        assert_eq!(file(&crash(Variant::Zeroed), "log"), Some(b"ab\0".to_vec()));
        assert_eq!(file(&crash(Variant::Synced), "journal"), Some(b"old".to_vec()));
        assert_eq!(file(&crash(Variant::Truncated), "journal"), Some(vec![]));
        assert_eq!(file(&crash(Variant::Zeroed), "journal"), Some(vec![0, 0]));
    }

    #[test]
    fn a_sync_covers_what_was_written_before_it_began() {
        let mut model = Model::new("/r", &Tree::default());
        replay(
            &mut model,
            concat!(
                "1 openat(-100</r>, \"/r/a\", 0x241, 0666) = 3</r/a>\n",
                "1 openat(-100</r>, \"/r\", 0x90800) = 4</r>\n",
                "1 fsync(4</r>) = 0\n",
                "2 fsync(3</r/a> <unfinished ...>\n",
                "1 write(3</r/a>, \"\"..., 1) = 1\n",
                " | 00000  78\n",
                "2 <... fsync resumed>) = 0\n",
            ),
        );
        assert_eq!(file(&model.crash(&model.pending(), 0, Variant::Synced), "a"), Some(vec![]));
    }

    #[test]
    fn an_unknown_call_under_the_root_fails_the_replay() {
        let mut model = Model::new("/r", &Tree::default());
        let events = parse("1 fallocate(-100</r>, \"/r/a\", 0, 4096) = 0\n").unwrap();
        let error = model.apply(&events[0]).unwrap_err();
        assert!(error.contains("unmodelled"), "{error}");
        let outside = parse("1 fallocate(-100</r>, \"/elsewhere\", 0, 4096) = 0\n").unwrap();
        assert!(!model.apply(&outside[0]).unwrap());
    }
}
