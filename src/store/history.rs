//! Reading history: commit metadata, the files a commit changed, and walking
//! back from a commit without loading more than asked for.

use std::collections::BTreeMap;

use gix::ObjectId;
use gix::bstr::ByteSlice;

use super::{Error, Rev, Signature, Store, TRAILER_COMMAND, TRAILER_HOST, git};
use crate::fsio::RelPath;

/// One version in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub rev: Rev,
    /// `None` for the first commit, or the oldest one kept by a shallow prune.
    pub parent: Option<Rev>,
    /// The other parents of a merge commit (a pull that merged a remote's
    /// history): empty for every other commit.
    pub merged: Vec<Rev>,
    pub author: Signature,
    pub committer: Signature,
    /// The message without the trailers.
    pub message: String,
    pub trailers: Vec<(String, String)>,
}

impl CommitInfo {
    pub fn trailer(&self, key: &str) -> Option<&str> {
        self.trailers.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    pub fn host(&self) -> Option<&str> {
        self.trailer(TRAILER_HOST)
    }

    pub fn command(&self) -> Option<&str> {
        self.trailer(TRAILER_COMMAND)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: RelPath,
    pub kind: ChangeKind,
}

impl Store {
    pub fn commit(&self, rev: Rev) -> Result<CommitInfo, Error> {
        let read = git("read a commit", &self.git_dir);
        let commit = self.repo.find_commit(rev.0).map_err(git("read a commit", &self.git_dir))?;
        let decoded = commit.decode().map_err(read)?;
        let shallow = self.is_shallow_boundary(rev)?;
        let mut parents = decoded.parents().map(Rev);
        let parent = if shallow { None } else { parents.next() };
        let merged = if shallow { Vec::new() } else { parents.collect() };
        let author = decoded.author().map_err(git("read a commit", &self.git_dir))?;
        let committer = decoded.committer().map_err(git("read a commit", &self.git_dir))?;
        let (message, trailers) = split_trailers(&decoded.message.to_str_lossy());
        Ok(CommitInfo {
            rev,
            parent,
            merged,
            author: to_signature(author).map_err(git("read a commit", &self.git_dir))?,
            committer: to_signature(committer).map_err(git("read a commit", &self.git_dir))?,
            message,
            trailers,
        })
    }

    fn is_shallow_boundary(&self, rev: Rev) -> Result<bool, Error> {
        let shallow = self.repo.shallow_commits().map_err(git("read the shallow list", &self.git_dir))?;
        Ok(shallow.is_some_and(|list| list.contains(&rev.0)))
    }

    /// Commits from `start` back to the first, newest first, lazily.
    pub fn walk(&self, start: Rev) -> impl Iterator<Item = Result<CommitInfo, Error>> + '_ {
        let mut next = Some(start);
        std::iter::from_fn(move || {
            let rev = next.take()?;
            let info = self.commit(rev);
            if let Ok(info) = &info {
                next = info.parent;
            }
            Some(info)
        })
    }

    /// The files `info` changed relative to its parent (everything, for a root).
    pub fn changes(&self, info: &CommitInfo) -> Result<Vec<FileChange>, Error> {
        let new = self.tree_of(info.rev)?;
        let old = info.parent.map(|p| self.tree_of(p)).transpose()?;
        let mut out = Vec::new();
        self.diff_trees(old, Some(new), "", &mut out)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The files that differ between the versions `from` (none: the empty
    /// store) and `to`.
    pub fn changes_between(&self, from: Option<Rev>, to: Rev) -> Result<Vec<FileChange>, Error> {
        let old = from.map(|rev| self.tree_of(rev)).transpose()?;
        let mut out = Vec::new();
        self.diff_trees(old, Some(self.tree_of(to)?), "", &mut out)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Whether `info` changed `path`.
    pub fn touches(&self, info: &CommitInfo, path: &RelPath) -> Result<bool, Error> {
        let new = self.blob_id(info.rev, path)?;
        let old = match info.parent {
            Some(parent) => self.blob_id(parent, path)?,
            None => None,
        };
        Ok(new != old)
    }

    /// The files that differ between two trees. A loop over a stack, not
    /// recursion: a fetched tree can be nested as deep as its author liked.
    fn diff_trees(
        &self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        prefix: &str,
        out: &mut Vec<FileChange>,
    ) -> Result<(), Error> {
        let mut pending = vec![(old, new, prefix.to_owned())];
        while let Some((old, new, prefix)) = pending.pop() {
            if old == new {
                continue;
            }
            let old = old.map(|id| self.tree_entries(id)).transpose()?.unwrap_or_default();
            let new = new.map(|id| self.tree_entries(id)).transpose()?.unwrap_or_default();
            let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
            for name in names {
                let path = format!("{prefix}{name}");
                let (a, b) = (old.get(name), new.get(name));
                let tree_id = |e: Option<&(ObjectId, bool)>| e.filter(|(_, tree)| *tree).map(|(id, _)| *id);
                let blob_id = |e: Option<&(ObjectId, bool)>| e.filter(|(_, tree)| !*tree).map(|(id, _)| *id);
                pending.push((tree_id(a), tree_id(b), format!("{path}/")));
                let kind = match (blob_id(a), blob_id(b)) {
                    (None, Some(_)) => ChangeKind::Added,
                    (Some(_), None) => ChangeKind::Deleted,
                    (Some(x), Some(y)) if x != y => ChangeKind::Modified,
                    _ => continue,
                };
                if let Ok(path) = RelPath::new(&path) {
                    out.push(FileChange { path, kind });
                }
            }
        }
        Ok(())
    }

    /// Name → (id, is_tree) for the blobs and trees of one tree object.
    fn tree_entries(&self, id: ObjectId) -> Result<BTreeMap<String, (ObjectId, bool)>, Error> {
        let tree = self.repo.find_tree(id).map_err(git("read a tree", &self.git_dir))?;
        let decoded = tree.decode().map_err(git("read a tree", &self.git_dir))?;
        Ok(decoded
            .entries
            .iter()
            .filter(|e| e.mode.is_tree() || e.mode.is_blob())
            .map(|e| (e.filename.to_str_lossy().into_owned(), (e.oid.to_owned(), e.mode.is_tree())))
            .collect())
    }
}

fn to_signature(sig: gix::actor::SignatureRef<'_>) -> Result<Signature, gix::Error> {
    let time = sig.time()?;
    Ok(Signature {
        name: sig.name.to_str_lossy().into_owned(),
        email: sig.email.to_str_lossy().into_owned(),
        seconds: time.seconds,
        offset: time.offset,
    })
}

/// Splits a message into its body and its trailing `Key: value` paragraph.
fn split_trailers(message: &str) -> (String, Vec<(String, String)>) {
    let message = message.trim_end();
    let Some((body, last)) = message.rsplit_once("\n\n") else {
        return (message.to_owned(), Vec::new());
    };
    let trailers: Option<Vec<(String, String)>> = last
        .lines()
        .map(|line| {
            let (key, value) = line.split_once(": ")?;
            let is_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            is_key.then(|| (key.to_owned(), value.to_owned()))
        })
        .collect();
    match trailers {
        Some(trailers) => (body.to_owned(), trailers),
        None => (message.to_owned(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::split_trailers;

    #[test]
    fn trailers_are_split_off() {
        let (body, trailers) = split_trailers("write a.yml\n\nmore words\n\nCfg-Command: write\nCfg-Host: box\n");
        assert_eq!(body, "write a.yml\n\nmore words");
        assert_eq!(trailers, vec![("Cfg-Command".into(), "write".into()), ("Cfg-Host".into(), "box".into())]);
        let (body, trailers) = split_trailers("just a message\n\nwith: a colon and more text here\nnot a trailer");
        assert_eq!(body, "just a message\n\nwith: a colon and more text here\nnot a trailer");
        assert!(trailers.is_empty());
    }
}
