//! The commit graph, once history has merges (a pull from a remote makes
//! them): parents, merge bases, the commits one tip has and another lacks,
//! and a walk over every commit newest first.
//!
//! Every walk honours git's `shallow` file: a commit listed there (the
//! boundary `cfg gc` cut history at) has no parents, as git treats it.
//! Walks are ordered by commit time, as `git log` and git's merge-base search
//! without a commit-graph are; a clock that runs backwards on one host can
//! make a walk look at a commit before one of its children, which the
//! searches here tolerate by finishing only when nothing left to look at can
//! change the answer.

use std::collections::{BinaryHeap, HashMap, HashSet};

use gix::ObjectId;

use super::{CommitInfo, Error, Rev, Store, git};

/// A commit waiting in a walk: newest first, ties broken by id so that the
/// order is deterministic.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Queued {
    time: i64,
    id: ObjectId,
}

impl Store {
    /// The parents of `rev`; none for a root commit or a shallow boundary.
    pub fn parents(&self, rev: Rev) -> Result<Vec<Rev>, Error> {
        Ok(self.parents_and_time(rev, &self.shallow()?)?.0)
    }

    /// The commits listed in git's `shallow` file.
    pub(super) fn shallow(&self) -> Result<HashSet<ObjectId>, Error> {
        let list = self.repo.shallow_commits().map_err(git("read the shallow list", &self.git_dir))?;
        Ok(list.map(|ids| ids.iter().copied().collect()).unwrap_or_default())
    }

    fn parents_and_time(&self, rev: Rev, shallow: &HashSet<ObjectId>) -> Result<(Vec<Rev>, i64), Error> {
        let commit = self.repo.find_commit(rev.0).map_err(git("read a commit", &self.git_dir))?;
        let decoded = commit.decode().map_err(git("read a commit", &self.git_dir))?;
        let time = decoded.committer().ok().and_then(|c| c.time().ok()).map_or(0, |t| t.seconds);
        let parents = if shallow.contains(&rev.0) { Vec::new() } else { decoded.parents().map(Rev).collect() };
        Ok((parents, time))
    }

    /// A commit's time, read once per walk: walks queue a commit once for
    /// each child that reaches it.
    fn time_cached(
        &self,
        rev: Rev,
        shallow: &HashSet<ObjectId>,
        times: &mut HashMap<ObjectId, i64>,
    ) -> Result<i64, Error> {
        if let Some(time) = times.get(&rev.0) {
            return Ok(*time);
        }
        let (_, time) = self.parents_and_time(rev, shallow)?;
        times.insert(rev.0, time);
        Ok(time)
    }

    /// The best common ancestor of `a` and `b` (the newest, when there are
    /// several), or `None` when their histories are unrelated.
    pub fn merge_base(&self, a: Rev, b: Rev) -> Result<Option<Rev>, Error> {
        if a == b {
            return Ok(Some(a));
        }
        const A: u8 = 1;
        const B: u8 = 2;
        const STALE: u8 = 4;
        let shallow = self.shallow()?;
        let mut flags: HashMap<ObjectId, u8> = HashMap::new();
        let mut times: HashMap<ObjectId, i64> = HashMap::new();
        let mut queue = BinaryHeap::new();
        for (rev, flag) in [(a, A), (b, B)] {
            let (_, time) = self.parents_and_time(rev, &shallow)?;
            *flags.entry(rev.0).or_default() |= flag;
            times.insert(rev.0, time);
            queue.push(Queued { time, id: rev.0 });
        }
        let mut found: Vec<(i64, ObjectId)> = Vec::new();
        // Git's paint-down: each commit carries which tips reach it; one
        // reached from both is a common ancestor, and everything below it is
        // stale (a worse answer). Done when only stale commits are queued.
        while queue.iter().any(|q| flags[&q.id] & STALE == 0) {
            let Some(Queued { id, time }) = queue.pop() else { break };
            let mut flag = flags[&id];
            if flag & (A | B) == (A | B) && flag & STALE == 0 {
                found.push((time, id));
                flag |= STALE;
                flags.insert(id, flag);
            }
            let (parents, _) = self.parents_and_time(Rev(id), &shallow)?;
            for parent in parents {
                let old = flags.get(&parent.0).copied().unwrap_or(0);
                let new = old | (flag & (A | B | STALE));
                if new != old {
                    flags.insert(parent.0, new);
                    let time = self.time_cached(parent, &shallow, &mut times)?;
                    queue.push(Queued { time, id: parent.0 });
                }
            }
        }
        // A found commit that another found one reaches is not the best.
        let mut best: Vec<(i64, ObjectId)> = Vec::new();
        for (time, id) in &found {
            let others: Vec<Rev> =
                found.iter().filter(|(_, other)| other != id).map(|(_, other)| Rev(*other)).collect();
            if others.is_empty() || !self.reaches(&others, Rev(*id))? {
                best.push((*time, *id));
            }
        }
        Ok(best.into_iter().max().map(|(_, id)| Rev(id)))
    }

    /// Whether any of `from` has `target` among its ancestors (or is it).
    fn reaches(&self, from: &[Rev], target: Rev) -> Result<bool, Error> {
        Ok(self.only_in(&[target], from)?.is_empty())
    }

    /// Whether `ancestor` is `rev` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: Rev, rev: Rev) -> Result<bool, Error> {
        Ok(self.merge_base(ancestor, rev)? == Some(ancestor))
    }

    /// The commits reachable from `tips` and not from `hidden`, newest
    /// first (`git rev-list TIPS ^HIDDEN`).
    pub fn only_in(&self, tips: &[Rev], hidden: &[Rev]) -> Result<Vec<Rev>, Error> {
        let shallow = self.shallow()?;
        // true: hidden (reachable from `hidden`).
        let mut state: HashMap<ObjectId, bool> = HashMap::new();
        let mut times: HashMap<ObjectId, i64> = HashMap::new();
        let mut queue = BinaryHeap::new();
        for (revs, hide) in [(tips, false), (hidden, true)] {
            for rev in revs {
                let (_, time) = self.parents_and_time(*rev, &shallow)?;
                let entry = state.entry(rev.0).or_insert(hide);
                *entry |= hide;
                times.insert(rev.0, time);
                queue.push(Queued { time, id: rev.0 });
            }
        }
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut order: Vec<(i64, ObjectId)> = Vec::new();
        // The oldest commit taken as reachable from `tips` so far.
        let mut oldest_visible = i64::MAX;
        loop {
            // Done when nothing queued is reachable from `tips`, and nothing
            // queued is as new as a commit taken so far: a commit's parents
            // are never newer than it (a clock that ran backwards aside), so
            // nothing queued can still reach one of those and hide it. Commits
            // made in the same second are why "as new as" is not "newer".
            let visible = queue.iter().any(|q| !state[&q.id]);
            if !visible && queue.peek().is_none_or(|top| top.time < oldest_visible) {
                break;
            }
            let Some(Queued { id, time }) = queue.pop() else { break };
            let hide = state[&id];
            if !seen.insert(id) && !hide {
                continue;
            }
            if !hide {
                order.push((time, id));
                oldest_visible = oldest_visible.min(time);
            }
            let (parents, _) = self.parents_and_time(Rev(id), &shallow)?;
            for parent in parents {
                let old = state.get(&parent.0).copied();
                if old == Some(true) || (old == Some(false) && !hide) {
                    continue;
                }
                state.insert(parent.0, hide);
                let time = self.time_cached(parent, &shallow, &mut times)?;
                queue.push(Queued { time, id: parent.0 });
            }
        }
        order.retain(|(_, id)| !state[id]);
        order.sort_by(|a, b| b.cmp(a));
        order.dedup();
        Ok(order.into_iter().map(|(_, id)| Rev(id)).collect())
    }

    /// Every commit reachable from `tips`, newest first by commit time, each
    /// once, lazily: what `cfg log` shows once history has merges.
    pub fn walk_all(&self, tips: &[Rev]) -> impl Iterator<Item = Result<CommitInfo, Error>> + '_ {
        let mut queue = BinaryHeap::new();
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut failed = None;
        match self.shallow() {
            Ok(shallow) => {
                for tip in tips {
                    if seen.insert(tip.0) {
                        match self.parents_and_time(*tip, &shallow) {
                            Ok((_, time)) => queue.push(Queued { time, id: tip.0 }),
                            Err(e) => failed = Some(e),
                        }
                    }
                }
            }
            Err(e) => failed = Some(e),
        }
        std::iter::from_fn(move || {
            if let Some(e) = failed.take() {
                return Some(Err(e));
            }
            let Queued { id, .. } = queue.pop()?;
            let info = match self.commit(Rev(id)) {
                Ok(info) => info,
                Err(e) => return Some(Err(e)),
            };
            for parent in info.parent.iter().chain(&info.merged) {
                if seen.insert(parent.0) {
                    match self.commit_time(*parent) {
                        Ok(time) => queue.push(Queued { time, id: parent.0 }),
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
            Some(Ok(info))
        })
    }

    fn commit_time(&self, rev: Rev) -> Result<i64, Error> {
        let commit = self.repo.find_commit(rev.0).map_err(git("read a commit", &self.git_dir))?;
        let decoded = commit.decode().map_err(git("read a commit", &self.git_dir))?;
        Ok(decoded.committer().ok().and_then(|c| c.time().ok()).map_or(0, |t| t.seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::RelPath;
    use crate::store::{CommitMeta, Signature};

    fn meta(seconds: i64) -> CommitMeta {
        let who = Signature { name: "t".into(), email: "t@x".into(), seconds, offset: 0 };
        CommitMeta { author: who.clone(), committer: who, message: "m".into(), trailers: Vec::new(), signing_key: None }
    }

    #[test]
    fn commits_made_in_the_same_second() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path()).unwrap();
        let path = RelPath::new("a.yml").unwrap();
        let mut chain = Vec::new();
        for i in 0..12 {
            let (rev, objects) =
                store.write_commit(chain.last().copied(), &[(&path, format!("{i}").as_bytes())], &meta(7)).unwrap();
            store.publish_objects(objects).unwrap();
            chain.push(rev);
        }
        for (i, old) in chain.iter().enumerate() {
            let tip = *chain.last().unwrap();
            assert_eq!(store.only_in(&[*old], &[tip]).unwrap(), Vec::<Rev>::new(), "{i} is behind the tip");
            assert_eq!(store.only_in(&[tip], &[*old]).unwrap().len(), chain.len() - 1 - i, "{i}");
            assert_eq!(store.merge_base(*old, tip).unwrap(), Some(*old));
        }
    }

    #[test]
    fn merge_bases_and_commits_one_side_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path()).unwrap();
        let path = RelPath::new("a.yml").unwrap();
        let mut time = 0;
        let mut commit = |parent: Option<Rev>, content: &str| {
            time += 10;
            let (rev, objects) = store.write_commit(parent, &[(&path, content.as_bytes())], &meta(time)).unwrap();
            store.publish_objects(objects).unwrap();
            rev
        };
        // root - a - b - m(b, d) - e
        //    \- c - d -/
        let root = commit(None, "0");
        let a = commit(Some(root), "a");
        let c = commit(Some(root), "c");
        let b = commit(Some(a), "b");
        let d = commit(Some(c), "d");
        let (m, objects) = store.write_merge(b, d, &[(&path, b"m")], &meta(55)).unwrap();
        store.publish_objects(objects).unwrap();
        let e = commit(Some(m), "e");
        assert_eq!(store.merge_base(b, d).unwrap(), Some(root));
        assert_eq!(store.merge_base(e, d).unwrap(), Some(d));
        assert_eq!(store.merge_base(a, a).unwrap(), Some(a));
        assert!(store.is_ancestor(c, e).unwrap() && !store.is_ancestor(e, c).unwrap());
        assert_eq!(store.only_in(&[e], &[b]).unwrap(), vec![e, m, d, c]);
        assert_eq!(store.only_in(&[b], &[e]).unwrap(), Vec::<Rev>::new());
        assert_eq!(store.parents(m).unwrap(), vec![b, d]);
        let walked: Vec<Rev> = store.walk_all(&[e]).map(|info| info.unwrap().rev).collect();
        assert_eq!(walked, vec![e, m, d, b, c, a, root]);
        // Unrelated histories have no base.
        let other = commit(None, "x");
        assert_eq!(store.merge_base(other, e).unwrap(), None);
        // A shallow boundary has no parents, in every walk.
        store.cut_history_at(&[m]).unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.parents(m).unwrap(), Vec::<Rev>::new());
        assert_eq!(store.walk_all(&[e]).map(|info| info.unwrap().rev).collect::<Vec<_>>(), vec![e, m]);
        assert_eq!(store.merge_base(e, m).unwrap(), Some(m));
    }
}
