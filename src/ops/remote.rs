//! Remotes: `cfg remote add/list/remove`, which remote a command talks to,
//! the link to it (the sync lock and the `git` transport), and how far the
//! branch is ahead of and behind each remote.
//!
//! Any git server is a remote: a bare repository by path, ssh, https,
//! `git://`. Its branch `main` is the shared history; its compare-and-swap
//! ref update (a push that is not a fast-forward is refused) is what orders
//! the writes of several hosts, so no lock spans hosts. A fetch or a push
//! never holds the store lock (a remote that hangs never makes a local write
//! wait); they hold the sync lock `.cfg/sync-lock` instead, one at a time per
//! store. What a pull then changes goes through the one write path, under the
//! store lock (see [`super::pull`]).

use std::path::PathBuf;

use crate::fsio::{Holder, RelPath, StoreLock};
use crate::settings::Settings;
use crate::store::{self, CommitInfo, PushResult, Remote, Rev, Store, Transport, TransportError};
use crate::validate::Report;

use super::{Conflict, Error};

/// What went wrong with a remote, or with what came from it.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error(
        "`{name}` is not a valid remote name: use letters, digits, `.`, `_` and `-`, starting with a letter or digit"
    )]
    BadName { name: String },
    #[error("a remote named `{name}` exists already")]
    Exists { name: String },
    #[error("no remote named `{name}`")]
    Unknown { name: String },
    #[error("no remote is configured")]
    NoRemote,
    #[error("several remotes are configured ({}); name one", names.join(", "))]
    Ambiguous { names: Vec<String> },
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The remote's branch holds commits this host lacks.
    #[error("remote `{remote}` has commits this host does not have yet; the push was refused")]
    Rejected { remote: String },
    /// Other hosts kept pushing between this host's pull and push.
    #[error("remote `{remote}` kept moving: {attempts} pushes in a row were refused because another host pushed first")]
    KeptMoving { remote: String, attempts: usize },
    /// The remote could not lock its branch at the last of `attempts`
    /// pushes: another push is updating it, or one killed on the remote left
    /// the lock file `said` names.
    #[error("remote `{remote}` refused {attempts} push(es) because its branch is locked: {said}")]
    Locked { remote: String, attempts: usize, said: String },
    #[error("{0}")]
    Refused(Box<Refused>),
    #[error("`{}` holds a cfg store already", path.display())]
    AlreadyAStore { path: PathBuf },
    /// `--push`: the write is durable and committed here, not on the remote.
    #[error("the write is committed here ({}) but was not pushed", rev.short())]
    NotPushed {
        rev: Rev,
        #[source]
        source: Box<Error>,
    },
}

/// A pull that stopped: files changed on both sides conflict, or the remote's
/// version is invalid on this host. Nothing changed: files and branch are as
/// they were (an outside edit found on the way is recorded, as by any write).
#[derive(Debug)]
pub struct Refused {
    pub remote: String,
    /// This host's branch tip.
    pub ours: Option<Rev>,
    /// The remote's.
    pub theirs: Rev,
    /// Their common ancestor; `None` for unrelated histories.
    pub base: Option<Rev>,
    /// The remote's commits this host lacks, newest first (at most 50),
    /// with the files each changed.
    pub incoming: Vec<(CommitInfo, Vec<RelPath>)>,
    /// Files whose three-way merge conflicts, or whose merge is invalid.
    pub conflicts: Vec<Conflict>,
    /// Files whose remote version this host's validation rejects: the report
    /// and the text.
    pub invalid: Vec<(Report, String)>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut problems = Vec::new();
        if !self.conflicts.is_empty() {
            let files: Vec<String> = self.conflicts.iter().map(|c| format!("`{}`", c.path)).collect();
            problems.push(format!("{} conflict{}", files.join(", "), if files.len() == 1 { "s" } else { "" }));
        }
        if !self.invalid.is_empty() {
            let files: Vec<String> = self.invalid.iter().map(|(r, _)| format!("`{}`", r.file)).collect();
            problems.push(format!(
                "the remote's {} invalid here",
                files.join(", ") + if files.len() == 1 { " is" } else { " are" }
            ));
        }
        write!(f, "pull from `{}` stopped: {}; nothing changed", self.remote, problems.join("; "))
    }
}

impl Refused {
    /// The incoming commits that changed `path`, for naming in a report.
    pub fn commits_touching<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a CommitInfo> + 'a {
        self.incoming.iter().filter(move |(_, files)| files.iter().any(|f| f.as_str() == path)).map(|(info, _)| info)
    }
}

/// A remote and how this host stands against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteStatus {
    pub name: String,
    /// The remote's branch as last seen (by a fetch or a push); `None` before
    /// the first.
    pub seen: Option<Rev>,
    /// Commits here the remote lacks.
    pub ahead: usize,
    /// Commits on the remote this host lacks (as last seen).
    pub behind: usize,
}

/// The remotes of the store, in file order.
pub fn remotes(settings: &Settings) -> Result<Vec<Remote>, Error> {
    Ok(Store::open(&settings.root)?.remotes()?)
}

/// `cfg remote add NAME URL`. The on_write commands in `.cfg.yaml` now are
/// this host's own: they stay approved; from now on a changed set needs
/// `cfg trust` (see [`super::trust`]).
pub fn add_remote(settings: &Settings, name: &str, url: &str) -> Result<(), Error> {
    check_name(name)?;
    let store = Store::open(&settings.root)?;
    let _lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &holder(settings))?;
    if store.remotes()?.iter().any(|r| r.name == name) {
        return Err(RemoteError::Exists { name: name.to_owned() }.into());
    }
    super::trust::start(settings, &store, true)?;
    Ok(store.add_remote(name, url)?)
}

/// `cfg remote remove NAME`: the remote and the refs that tracked it.
pub fn remove_remote(settings: &Settings, name: &str) -> Result<(), Error> {
    let store = Store::open(&settings.root)?;
    let _lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &holder(settings))?;
    if !store.remotes()?.iter().any(|r| r.name == name) {
        return Err(RemoteError::Unknown { name: name.to_owned() }.into());
    }
    Ok(store.remove_remote(name)?)
}

/// Which remote to use: the one named, else `remote:` in `.cfg.yaml`, else
/// the only one, else `origin`.
pub(crate) fn pick(store: &Store, settings: &Settings, name: Option<&str>) -> Result<Remote, Error> {
    let remotes = store.remotes()?;
    let wanted = name.or(settings.project.remote.as_deref());
    let found = match wanted {
        Some(name) => remotes.iter().find(|r| r.name == name),
        None if remotes.len() == 1 => remotes.first(),
        None => remotes.iter().find(|r| r.name == "origin"),
    };
    match (found, wanted) {
        (Some(remote), _) => Ok(remote.clone()),
        (None, Some(name)) => Err(RemoteError::Unknown { name: name.to_owned() }.into()),
        (None, None) if remotes.is_empty() => Err(RemoteError::NoRemote.into()),
        (None, None) => Err(RemoteError::Ambiguous { names: remotes.into_iter().map(|r| r.name).collect() }.into()),
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok && !name.ends_with(".lock") && !name.contains("..") {
        Ok(())
    } else {
        Err(RemoteError::BadName { name: name.to_owned() }.into())
    }
}

/// A remote to talk to, with the sync lock held: one fetch or push at a time
/// per store, and the leftovers of a killed one cleared.
pub(crate) struct Link {
    store: Store,
    transport: Transport,
    _lock: StoreLock,
}

impl Link {
    pub(crate) fn open(settings: &Settings, name: Option<&str>) -> Result<Link, Error> {
        let store = Store::open(&settings.root)?;
        let remote = pick(&store, settings, name)?;
        let lock = StoreLock::acquire(&store.sync_lock_path(), settings.lock_timeout, &holder(settings))?;
        store.remove_transport_leftovers()?;
        let transport = store.transport(remote);
        Ok(Link { store, transport, _lock: lock })
    }

    pub(crate) fn name(&self) -> &str {
        &self.transport.remote().name
    }

    /// Fetches, makes what came durable, and returns the remote's branch
    /// tip (`None`: the remote has no branch yet).
    pub(crate) fn fetch(&self) -> Result<Option<Rev>, Error> {
        let packs = self.store.packs_before_fetch()?;
        self.transport.fetch().map_err(RemoteError::from)?;
        packs.make_durable()?;
        Ok(self.store.tracking(self.name())?)
    }

    /// Pushes `rev`; refused when the remote moved on.
    pub(crate) fn push(&self, rev: Rev) -> Result<PushResult, Error> {
        Ok(self.transport.push(rev).map_err(RemoteError::from)?)
    }
}

/// How far the branch is ahead of and behind each remote, as last seen (no
/// network).
pub fn remote_status(settings: &Settings) -> Result<Vec<RemoteStatus>, Error> {
    let store = Store::open(&settings.root)?;
    let head = store.head()?;
    let mut out = Vec::new();
    for remote in store.remotes()? {
        let seen = store.tracking(&remote.name)?;
        let count = |tips: Option<Rev>, hidden: Option<Rev>| -> Result<usize, store::Error> {
            match tips {
                Some(tip) => Ok(store.only_in(&[tip], &hidden.into_iter().collect::<Vec<_>>())?.len()),
                None => Ok(0),
            }
        };
        out.push(RemoteStatus { ahead: count(head, seen)?, behind: count(seen, head)?, seen, name: remote.name });
    }
    Ok(out)
}

pub(crate) fn holder(settings: &Settings) -> Holder {
    Holder { pid: std::process::id(), host: settings.host.clone(), command: settings.command.clone() }
}

/// The paths named with `--take`, resolved inside the root.
pub(crate) fn resolve_all(settings: &Settings, files: &[PathBuf]) -> Result<Vec<RelPath>, Error> {
    files.iter().map(|f| super::resolve(settings, f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_names() {
        for good in ["origin", "a", "backup-2", "x.y_z"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-x", ".x", "a/b", "a b", "x.lock", "a..b", "ü"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
