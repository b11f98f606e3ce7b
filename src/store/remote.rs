//! Remotes of the side repository: their names and URLs (in `.cfg/config`,
//! where git keeps them, so `git --git-dir .cfg remote -v` agrees), the
//! commit each was last seen at (`refs/remotes/NAME/main`), and the transport.
//!
//! The transport is the `git` program: `git fetch` and `git push` already
//! speak ssh, https (with credential helpers) and `git://`, and the rest of
//! cfg never needs git installed. Each run is isolated from what could change
//! the store behind cfg's back (hooks, automatic gc and maintenance, a
//! caller's `GIT_DIR` or object directory) and asked to fsync what it writes;
//! fetched objects always arrive as pack files (`fetch.unpackLimit=1`), which
//! [`FetchedPacks::make_durable`] syncs again, with their folder, before any
//! file or branch is moved to a fetched commit.
//!
//! A URL can hold a credential (`https://user:token@host/…`). It is only ever
//! written to `.cfg/config`, as git would; messages show it with the
//! password masked ([`redact`]), and no commit records it.
//!
//! After a crash: git leaves its temp packs (`objects/pack/tmp_*`) and ref
//! lock files (`refs/remotes/**.lock`); [`Store::remove_transport_leftovers`],
//! called before each transport under the sync lock, removes them. A
//! remote-tracking ref lost to a power cut is only a cache: the next fetch
//! writes it again.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gix::bstr::ByteSlice;

use super::{Error, Rev, Store, git};
use crate::fsio::{self, Durable, IoError, IoResultExt, Step};

/// The branch cfg keeps on every remote, as on every host.
const REMOTE_BRANCH: &str = "refs/heads/main";
/// The flock taken around every fetch and push: one transport at a time per
/// store, so that a crashed one's leftovers can be told from a running one's.
const SYNC_LOCK: &str = "sync-lock";

/// A configured remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub name: String,
    pub url: String,
}

/// Why talking to a remote failed. Nothing local changed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot run `git`, which cfg uses to talk to remote `{remote}`")]
    GitMissing {
        remote: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot {action} remote `{remote}` ({url}): {message}")]
    Failed { remote: String, url: String, action: &'static str, message: String },
}

/// How a push ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushResult {
    /// The remote's branch now holds the commit.
    Pushed,
    /// It held it already.
    UpToDate,
    Refused(Refusal),
}

/// Why the remote refused a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The remote's branch holds commits the pushed one lacks: pull first.
    Behind,
    /// The remote could not lock its branch: another push is updating it
    /// right now, or a push killed on the remote left its lock file there
    /// for good. `said` is the remote's own words, naming the file.
    Locked { said: String },
}

/// How to reach a remote: the `git` program, isolated (see the module docs).
#[derive(Debug, Clone)]
pub struct Transport {
    git_dir: PathBuf,
    remote: Remote,
}

/// The pack files of the store before a fetch, to tell the new ones.
#[derive(Debug)]
pub struct FetchedPacks {
    folder: PathBuf,
    before: Vec<String>,
}

impl FetchedPacks {
    /// Syncs every pack file the fetch added and the folder naming them:
    /// afterwards the fetched commits survive a power cut, and a journal may
    /// name them.
    pub fn make_durable(self) -> Result<(), IoError> {
        let mut items: Vec<Durable<'_>> = pack_files(&self.folder)?
            .into_iter()
            .filter(|name| !self.before.contains(name))
            .map(|name| Durable::Path(self.folder.join(name)))
            .collect();
        items.push(Durable::Path(self.folder.clone()));
        fsio::sync_all(&items)
    }
}

impl Store {
    /// The remotes in `.cfg/config`, in file order.
    pub fn remotes(&self) -> Result<Vec<Remote>, Error> {
        let config = self.read_config()?;
        let mut out = Vec::new();
        for section in config.sections_by_name("remote").into_iter().flatten() {
            let Some(name) = section.header().subsection_name() else { continue };
            let Some(url) = section.value("url") else { continue };
            out.push(Remote { name: name.to_str_lossy().into_owned(), url: url.to_str_lossy().into_owned() });
        }
        Ok(out)
    }

    /// Adds a remote as `git remote add` does: its URL and the refspec that
    /// fetches its branches to `refs/remotes/NAME/`. The caller holds the
    /// store lock and has checked that the name is free.
    pub fn add_remote(&self, name: &str, url: &str) -> Result<(), Error> {
        let path = self.git_dir.join("config");
        let mut config = self.read_config()?;
        let mut section = config
            .new_section("remote", Some(name.as_bytes().as_bstr().into()))
            .map_err(git("edit the config", &path))?;
        section.push("url", Some(url.as_bytes().as_bstr())).map_err(git("edit the config", &path))?;
        let refspec = format!("+refs/heads/*:refs/remotes/{name}/*");
        section.push("fetch", Some(refspec.as_bytes().as_bstr())).map_err(git("edit the config", &path))?;
        Ok(fsio::replace(&path, &config.to_bstring())?)
    }

    /// Removes a remote and the refs that tracked it, as `git remote remove`
    /// does. The caller holds the store lock.
    pub fn remove_remote(&self, name: &str) -> Result<(), Error> {
        let path = self.git_dir.join("config");
        let mut config = self.read_config()?;
        while config.remove_section("remote", Some(name.as_bytes().as_bstr())).is_some() {}
        fsio::replace(&path, &config.to_bstring())?;
        let refs = self.git_dir.join("refs/remotes").join(name);
        let mut folders = vec![refs.clone()];
        let mut files = Vec::new();
        while let Some(folder) = folders.pop() {
            for entry in read_dir(&folder)? {
                let kind = entry.file_type().at(Step::Read, entry.path())?;
                if kind.is_dir() { folders.push(entry.path()) } else { files.push(entry.path()) }
            }
        }
        for file in &files {
            fsio::remove_file(file)?;
        }
        let packed = self.git_dir.join("packed-refs");
        if let Ok(text) = std::fs::read_to_string(&packed) {
            let prefix = format!("refs/remotes/{name}/");
            let mut kept = String::new();
            let mut dropping = false;
            for line in text.lines() {
                // A `^` line peels the ref above it, and goes with it.
                if line.starts_with('^') {
                    if !dropping {
                        kept.push_str(line);
                        kept.push('\n');
                    }
                    continue;
                }
                dropping = line.split_once(' ').is_some_and(|(_, reference)| reference.starts_with(&prefix));
                if !dropping {
                    kept.push_str(line);
                    kept.push('\n');
                }
            }
            if kept != text {
                fsio::replace(&packed, kept.as_bytes())?;
            }
        }
        Ok(())
    }

    fn read_config(&self) -> Result<gix::config::File, Error> {
        let path = self.git_dir.join("config");
        let text = std::fs::read_to_string(&path).at(Step::Read, &path)?;
        text.parse::<gix::config::File>().map_err(git("read the config", &path))
    }

    /// The commit `remote`'s branch was last seen at (by a fetch or a push).
    pub fn tracking(&self, remote: &str) -> Result<Option<Rev>, Error> {
        let name = format!("refs/remotes/{remote}/main");
        let reference =
            self.repo.try_find_reference(name.as_str()).map_err(git("read a remote branch", &self.git_dir))?;
        Ok(reference.and_then(|r| r.target().try_id().map(|id| Rev(id.to_owned()))))
    }

    /// What [`Transport`] runs `git` with for `remote`.
    pub fn transport(&self, remote: Remote) -> Transport {
        Transport { git_dir: self.git_dir.clone(), remote }
    }

    /// The path of the lock held around every fetch and push.
    pub fn sync_lock_path(&self) -> PathBuf {
        self.git_dir.join(SYNC_LOCK)
    }

    /// Removes what a killed `git fetch` or `git push` leaves: temp packs and
    /// the lock files of remote-tracking refs. Only call this while holding
    /// the sync lock (see [`Store::sync_lock_path`]).
    pub fn remove_transport_leftovers(&self) -> Result<(), Error> {
        let packs = self.objects_dir().join("pack");
        for entry in read_dir(&packs)? {
            if entry.file_name().to_string_lossy().starts_with("tmp_") {
                fsio::remove_file(&entry.path())?;
            }
        }
        let mut folders = vec![self.git_dir.join("refs/remotes")];
        while let Some(folder) = folders.pop() {
            for entry in read_dir(&folder)? {
                let kind = entry.file_type().at(Step::Read, entry.path())?;
                if kind.is_dir() {
                    folders.push(entry.path());
                } else if entry.file_name().to_string_lossy().ends_with(".lock") {
                    fsio::remove_file(&entry.path())?;
                }
            }
        }
        Ok(())
    }

    /// The pack files now, for [`FetchedPacks::make_durable`] after a fetch.
    pub fn packs_before_fetch(&self) -> Result<FetchedPacks, Error> {
        let folder = self.objects_dir().join("pack");
        Ok(FetchedPacks { before: pack_files(&folder)?, folder })
    }
}

impl Transport {
    pub fn remote(&self) -> &Remote {
        &self.remote
    }

    /// `git fetch`: the remote's branches into `refs/remotes/NAME/`, their
    /// objects as a pack. The caller syncs the pack (see [`FetchedPacks`]).
    pub fn fetch(&self) -> Result<(), TransportError> {
        let name = &self.remote.name;
        let out = self.run(&["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-gc", name])?;
        if out.status.success() { Ok(()) } else { Err(self.failed("fetch from", &out)) }
    }

    /// `git push` of `rev` to the remote's branch, never forced: a remote
    /// whose branch holds commits `rev` lacks refuses it.
    pub fn push(&self, rev: Rev) -> Result<PushResult, TransportError> {
        let refspec = format!("{rev}:{REMOTE_BRANCH}");
        let out = self.run(&["push", "--porcelain", &self.remote.name, &refspec])?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // `FLAG \t FROM:TO \t SUMMARY (REASON)`, one line per ref.
        let line = stdout.lines().find(|line| line.contains(REMOTE_BRANCH));
        let flag = line.and_then(|line| line.chars().next());
        // Refused as not a fast-forward, or the remote's own compare-and-swap
        // of the branch lost to another host's push that was checked at the
        // same moment: either way another host got there first.
        let moved = |line: &str| {
            line.contains("[rejected]")
                || (line.contains("[remote rejected]")
                    && (line.contains("failed to update ref") || line.contains("failed to lock")))
        };
        match flag {
            Some('=') => Ok(PushResult::UpToDate),
            Some(' ' | '*' | '+') if out.status.success() => Ok(PushResult::Pushed),
            Some('!') if line.is_some_and(moved) => {
                Ok(PushResult::Refused(match lock_held(&String::from_utf8_lossy(&out.stderr)) {
                    Some(said) => Refusal::Locked { said: redact_all(said, &self.remote.url) },
                    None => Refusal::Behind,
                }))
            }
            _ => Err(self.failed("push to", &out)),
        }
    }

    fn run(&self, args: &[&str]) -> Result<std::process::Output, TransportError> {
        let mut command = Command::new("git");
        command.arg("--git-dir").arg(&self.git_dir);
        for setting in [
            // Nothing of the user's may run inside the store, nor tidy it
            // behind cfg's back.
            "core.hooksPath=/dev/null/no-hooks",
            "gc.auto=0",
            "maintenance.auto=false",
            "fetch.writeCommitGraph=false",
            "core.logAllRefUpdates=false",
            // Every fetched object in a pack, which git fsyncs before naming
            // it; refs synced before they are renamed into place.
            "fetch.unpackLimit=1",
            "transfer.unpackLimit=1",
            "core.fsync=objects,reference",
            "core.fsyncMethod=fsync",
        ] {
            command.arg("-c").arg(setting);
        }
        for variable in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_COMMON_DIR",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_INDEX_FILE",
            "GIT_NAMESPACE",
            "GIT_SHALLOW_FILE",
            "GIT_QUARANTINE_PATH",
            "GIT_CONFIG_PARAMETERS",
            "GIT_CONFIG_COUNT",
        ] {
            command.env_remove(variable);
        }
        command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        command.output().map_err(|source| TransportError::GitMissing { remote: self.remote.name.clone(), source })
    }

    fn failed(&self, action: &'static str, out: &std::process::Output) -> TransportError {
        let mut message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if message.is_empty() {
            message = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        if message.is_empty() {
            message = format!("git exited with {}", out.status);
        }
        TransportError::Failed {
            remote: self.remote.name.clone(),
            url: redact(&self.remote.url),
            action,
            message: redact_all(&message, &self.remote.url),
        }
    }
}

/// The remote's line saying its branch's lock file exists already, as
/// receive-pack words it (`remote: error: cannot lock ref 'refs/heads/main':
/// Unable to create '…/main.lock': File exists.`), without the prefixes.
/// A push that lost the compare-and-swap says "is at … but expected …"
/// instead: that branch moved, it is not locked.
fn lock_held(stderr: &str) -> Option<&str> {
    let line = stderr.lines().find(|line| line.contains("cannot lock ref") && line.contains("File exists"))?;
    let line = line.trim_start_matches("remote:").trim_start();
    Some(line.trim_start_matches("error:").trim())
}

/// `url` with its user part masked, `https://***@host/x`: a token is often
/// given as the user name.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..end].rfind('@') else { return url.to_owned() };
    format!("{scheme}://***@{}", &rest[at + 1..])
}

/// `text` with `url`, and any other credential-bearing URL, masked.
fn redact_all(text: &str, url: &str) -> String {
    let text = if url.is_empty() { text.to_owned() } else { text.replace(url, &redact(url)) };
    text.split(' ')
        .map(|word| if word.contains("://") { redact(word) } else { word.to_owned() })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pack_files(folder: &Path) -> Result<Vec<String>, IoError> {
    Ok(read_dir(folder)?
        .into_iter()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("pack-"))
        .collect())
}

fn read_dir(path: &Path) -> Result<Vec<std::fs::DirEntry>, IoError> {
    match std::fs::read_dir(path) {
        Ok(entries) => entries.collect::<Result<Vec<_>, _>>().at(Step::Read, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(IoError::new(Step::Read, path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_told_from_a_branch_that_moved() {
        let held = "remote: error: cannot lock ref 'refs/heads/main': Unable to create '/srv/r.git/./refs/heads/main.lock': File exists.        \nremote: \nremote: Another git process seems to be running in this repository\n";
        assert_eq!(
            lock_held(held),
            Some(
                "cannot lock ref 'refs/heads/main': Unable to create '/srv/r.git/./refs/heads/main.lock': File exists."
            )
        );
        let moved = "remote: error: cannot lock ref 'refs/heads/main': is at 1111111111111111111111111111111111111111 but expected 2222222222222222222222222222222222222222\n";
        assert_eq!(lock_held(moved), None);
    }

    #[test]
    fn credentials_are_masked() {
        assert_eq!(redact("https://ann:s3cret@example.org/cfg.git"), "https://***@example.org/cfg.git");
        assert_eq!(redact("https://t0ken@example.org/cfg.git"), "https://***@example.org/cfg.git");
        assert_eq!(redact("https://example.org/a@b"), "https://example.org/a@b");
        assert_eq!(redact("git@example.org:cfg.git"), "git@example.org:cfg.git");
        assert_eq!(redact("/srv/cfg.git"), "/srv/cfg.git");
        let message = "fatal: unable to access 'https://ann:s3cret@example.org/cfg.git/': refused";
        assert!(!redact_all(message, "https://ann:s3cret@example.org/cfg.git").contains("s3cret"));
        assert!(!redact_all(message, "").contains("s3cret"));
    }
}
