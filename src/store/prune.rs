//! History pruning primitives: cut history at a shallow boundary, rewrite a
//! chain of kept commits, remember what was pruned and what was rewritten, and
//! delete the loose objects nothing reachable uses any more.
//!
//! Ordering for crash safety (the caller holds the store lock): records of
//! pruned and rewritten ids are appended and synced first (an id recorded but
//! still present simply resolves as usual); then the new history is made
//! durable (new commits synced, or the `shallow` file replaced atomically and
//! synced); then the branch moves by compare-and-swap; only then are objects
//! deleted. A crash at any point leaves a store that `git fsck --strict`
//! accepts and that holds every kept commit.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::{CommitInfo, Error, Rev, Store, git, signature};
use crate::fsio::{self, IoError, IoResultExt, Step};

const PRUNED: &str = "cfg-pruned";
const REWRITTEN: &str = "cfg-rewritten";

/// Why a revision is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// When `cfg gc` removed it (RFC 3339).
    pub when: String,
    /// The policy it ran with.
    pub policy: String,
}

/// The history [`Store::cut_below`] keeps and drops, and where it ends.
#[derive(Debug, Clone, Default)]
pub struct Cut {
    pub kept: Vec<Rev>,
    pub dropped: Vec<Rev>,
    /// The commits to list in git's `shallow` file.
    pub boundaries: Vec<Rev>,
}

/// What deleting unreachable objects freed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Freed {
    pub objects: usize,
    pub bytes: u64,
}

impl Store {
    /// Appends `dropped` to the record of pruned revisions.
    pub fn record_pruned(&self, dropped: &[Rev], when: &str, policy: &str) -> Result<(), Error> {
        let mut text = String::new();
        for rev in dropped {
            text.push_str(&format!("{rev}\t{when}\t{policy}\n"));
        }
        self.append_record(PRUNED, &text)
    }

    /// Appends `old new` pairs for commits a rewrite gave new ids.
    pub fn record_rewritten(&self, pairs: &[(Rev, Rev)]) -> Result<(), Error> {
        let text: String = pairs.iter().map(|(old, new)| format!("{old} {new}\n")).collect();
        self.append_record(REWRITTEN, &text)
    }

    fn append_record(&self, name: &str, text: &str) -> Result<(), Error> {
        if text.is_empty() {
            return Ok(());
        }
        Ok(fsio::append_durably(&self.git_dir.join(name), text.as_bytes())?)
    }

    /// The current id of a commit a rewrite replaced (following chains of
    /// rewrites), for a full or abbreviated old id.
    pub(super) fn rewritten(&self, spec: &str) -> Option<Rev> {
        let text = std::fs::read_to_string(self.git_dir.join(REWRITTEN)).ok()?;
        let map: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once(' ')).collect();
        let spec = spec.to_ascii_lowercase();
        let mut matches = map.keys().filter(|old| old.starts_with(&spec));
        let first = *matches.next()?;
        if matches.next().is_some() || spec.len() < 4 {
            return None;
        }
        let mut current = map[first];
        for _ in 0..map.len() {
            match map.get(current) {
                Some(next) => current = next,
                None => break,
            }
        }
        current.parse().ok()
    }

    /// When and why a (full or abbreviated) revision was pruned, if it was.
    pub fn pruned(&self, spec: &str) -> Option<Pruned> {
        if spec.len() < 4 || !spec.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let text = std::fs::read_to_string(self.git_dir.join(PRUNED)).ok()?;
        let spec = spec.to_ascii_lowercase();
        text.lines().rev().find_map(|line| {
            let mut fields = line.splitn(3, '\t');
            let (id, when, policy) = (fields.next()?, fields.next()?, fields.next()?);
            id.starts_with(&spec).then(|| Pruned { when: when.to_owned(), policy: policy.to_owned() })
        })
    }

    /// Makes `boundaries` the oldest commits of the history, keeping every
    /// id: git's `shallow` file lists them, so their parents are no longer
    /// needed.
    pub fn cut_history_at(&self, boundaries: &[Rev]) -> Result<(), Error> {
        let mut sorted = boundaries.to_vec();
        sorted.sort();
        sorted.dedup();
        let text: String = sorted.iter().map(|rev| format!("{rev}\n")).collect();
        Ok(fsio::replace(&self.git_dir.join("shallow"), text.as_bytes())?)
    }

    /// What cutting history below `cut` (a commit of the branch's own line)
    /// keeps, once merges brought in commits beside it: every commit `tips`
    /// reach without going below `cut`. A commit whose parent is below the
    /// cut becomes a boundary too, as does one that already was.
    pub fn cut_below(&self, tips: &[Rev], cut: Rev) -> Result<Cut, Error> {
        let shallow = self.shallow()?;
        let below: HashSet<Rev> = self.only_in(&self.parents(cut)?, &[])?.into_iter().collect();
        let mut kept = Vec::new();
        let mut boundaries = Vec::new();
        let mut seen: HashSet<Rev> = HashSet::new();
        let mut pending: Vec<Rev> = tips.iter().copied().filter(|tip| !below.contains(tip)).collect();
        while let Some(rev) = pending.pop() {
            if !seen.insert(rev) {
                continue;
            }
            kept.push(rev);
            let parents = self.parents(rev)?;
            if rev == cut || shallow.contains(&rev.0) || parents.iter().any(|p| below.contains(p)) {
                boundaries.push(rev);
                continue;
            }
            pending.extend(parents);
        }
        Ok(Cut { kept, dropped: below.into_iter().collect(), boundaries })
    }

    /// Writes a new chain holding exactly `kept` (oldest first), each commit with
    /// its tree, author, committer and message, and returns the new ids in the
    /// same order. The new objects are staged (see [`Store::commit_staged`]);
    /// the branch does not move.
    pub fn rewrite_chain(&self, kept: &[CommitInfo]) -> Result<(Vec<Rev>, super::StagedObjects), Error> {
        let mut parent: Option<ObjectId> = None;
        let mut out = Vec::new();
        let mut staged = super::StagedObjects::default();
        for info in kept {
            let commit = self.repo.find_commit(info.rev.0).map_err(git("read a commit", &self.git_dir))?;
            let tree = commit.tree_id().map_err(git("read a commit", &self.git_dir))?.detach();
            let raw = commit.decode().map_err(git("read a commit", &self.git_dir))?;
            let new = gix::objs::Commit {
                tree,
                parents: parent.into_iter().collect(),
                author: signature(&info.author),
                committer: signature(&info.committer),
                encoding: raw.encoding.map(Into::into),
                message: raw.message.into(),
                extra_headers: Vec::new(),
            };
            let id = self.put_object(&new, &mut staged)?;
            parent = Some(id);
            out.push(Rev(id));
        }
        Ok((out, staged))
    }

    /// After a rewrite the oldest commit is a true root: no shallow boundary.
    pub fn remove_shallow(&self) -> Result<(), Error> {
        if fsio::remove_file(&self.git_dir.join("shallow"))? {
            fsio::sync_path(&self.git_dir)?;
        }
        Ok(())
    }

    /// The commits `kept` and every tree and blob they use.
    fn reachable(&self, kept: &[Rev]) -> Result<HashSet<ObjectId>, Error> {
        let mut seen = HashSet::new();
        let mut trees = Vec::new();
        for rev in kept {
            seen.insert(rev.0);
            trees.push(self.tree_of(*rev)?);
        }
        while let Some(tree) = trees.pop() {
            if !seen.insert(tree) {
                continue;
            }
            let tree = self.repo.find_tree(tree).map_err(git("read a tree", &self.git_dir))?;
            let decoded = tree.decode().map_err(git("read a tree", &self.git_dir))?;
            for entry in &decoded.entries {
                if entry.mode.is_tree() {
                    trees.push(entry.oid.to_owned());
                } else {
                    seen.insert(entry.oid.to_owned());
                }
            }
        }
        Ok(seen)
    }

    /// Loose objects that none of the commits `kept` uses, with their sizes.
    /// With `delete`, they are removed: only call this with the complete new
    /// history, after it is durable and the branch has moved. Commits go
    /// first, then trees, then blobs, so that a deletion cut short by a crash
    /// never leaves an object whose tree or blobs are already gone: a dropped
    /// commit still present reads whole until the next gc removes it.
    pub fn unreachable_objects(&self, kept: &[Rev], delete: bool) -> Result<Freed, Error> {
        let keep = self.reachable(kept)?;
        let objects = self.git_dir.join("objects");
        let mut doomed: Vec<(u8, PathBuf, u64)> = Vec::new();
        for fan_out in read_dir(&objects)? {
            let name = fan_out.file_name().to_string_lossy().into_owned();
            if name.len() != 2 || !name.chars().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            for entry in read_dir(&fan_out.path())? {
                let rest = entry.file_name().to_string_lossy().into_owned();
                let Ok(id) = ObjectId::from_hex(format!("{name}{rest}").as_bytes()) else { continue };
                if keep.contains(&id) {
                    continue;
                }
                let rank = match self.repo.find_header(id).map(|h| h.kind()) {
                    Ok(gix::object::Kind::Commit) => 0,
                    Ok(gix::object::Kind::Tag) => 1,
                    Ok(gix::object::Kind::Tree) => 2,
                    _ => 3,
                };
                doomed.push((rank, entry.path(), entry.metadata().map(|m| m.len()).unwrap_or(0)));
            }
        }
        let freed = Freed { objects: doomed.len(), bytes: doomed.iter().map(|(_, _, size)| size).sum() };
        if !delete || doomed.is_empty() {
            return Ok(freed);
        }
        doomed.sort();
        let mut folders = Vec::new();
        for (_, path, _) in &doomed {
            fsio::remove_file(path)?;
            let folder = path.parent().expect("objects/xx/rest").to_owned();
            if !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        for folder in folders {
            // Emptied fan-out folders go too, as git's own prune does.
            if !fsio::remove_empty_dir(&folder)? {
                fsio::sync_path(&folder)?;
            }
        }
        fsio::sync_path(&objects)?;
        Ok(freed)
    }
}

fn read_dir(path: &Path) -> Result<Vec<std::fs::DirEntry>, IoError> {
    std::fs::read_dir(path).at(Step::Read, path)?.collect::<Result<Vec<_>, _>>().at(Step::Read, path)
}
