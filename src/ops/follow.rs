//! `cfg log --follow`: the change feed. A [`Follower`] remembers the last
//! commit it reported and, on each [`Follower::poll`], returns the commits
//! that landed since, oldest first, for services that keep their own copy of
//! the config. Polling the branch ref is cheap (one small file read) and needs
//! no lock; writers are never slowed down by followers.
//!
//! If the history was rewritten under it (`cfg gc` with gaps), the commit it
//! last reported is no longer an ancestor of the tip; it then reports just the
//! new tip, since the kept versions are not new. After a pull it reports every
//! commit the pull brought, from this host's branch and the remote's.

use std::path::Path;

use crate::fsio::RelPath;
use crate::settings::Settings;
use crate::store::{Rev, Store};

use super::read::LogEntry;
use super::{Error, open_for_reading, resolve};

pub struct Follower {
    store: Store,
    last: Option<Rev>,
    file: Option<RelPath>,
}

impl Follower {
    /// Starts at the current tip: only later commits are reported. With
    /// `file`, only commits that changed it.
    pub fn new(settings: &Settings, file: Option<&Path>) -> Result<Follower, Error> {
        let file = file.map(|f| resolve(settings, f)).transpose()?;
        let store = open_for_reading(settings)?;
        let last = store.head()?;
        Ok(Follower { store, last, file })
    }

    /// The commit reported last (or the tip at the start).
    pub fn last(&self) -> Option<Rev> {
        self.last
    }

    /// Up to `limit` commits up to the starting tip, oldest first: what came
    /// just before the feed, with no gap or overlap with [`Follower::poll`].
    pub fn recent(&self, limit: usize) -> Result<Vec<LogEntry>, Error> {
        let Some(last) = self.last else { return Ok(Vec::new()) };
        let mut entries = Vec::new();
        for info in self.store.walk(last) {
            if entries.len() >= limit {
                break;
            }
            let info = info?;
            if let Some(file) = &self.file
                && !self.store.touches(&info, file)?
            {
                continue;
            }
            let changes = self.store.changes(&info)?;
            entries.push(LogEntry { info, changes });
        }
        entries.reverse();
        Ok(entries)
    }

    /// The commits since the last poll, oldest first.
    pub fn poll(&mut self) -> Result<Vec<LogEntry>, Error> {
        let head = self.store.head()?;
        if head == self.last {
            return Ok(Vec::new());
        }
        let Some(head) = head else {
            self.last = None;
            return Ok(Vec::new());
        };
        let mut infos = Vec::new();
        let mut found = self.last.is_none();
        for info in self.store.walk(head) {
            let info = info?;
            if Some(info.rev) == self.last {
                found = true;
                break;
            }
            infos.push(info);
        }
        if !found {
            // A pull's fast-forward to another host's merge commit reaches the
            // last one reported through a second parent; a rewrite not at all.
            let last = self.last.expect("found when none");
            let merged_in = self.store.commit(last).is_ok() && self.store.is_ancestor(last, head)?;
            if merged_in {
                infos = self
                    .store
                    .only_in(&[head], &[last])?
                    .into_iter()
                    .map(|rev| self.store.commit(rev))
                    .collect::<Result<_, _>>()?;
            } else {
                infos.truncate(1);
            }
        }
        self.last = Some(head);
        let mut entries = Vec::new();
        for info in infos.into_iter().rev() {
            if let Some(file) = &self.file
                && !self.store.touches(&info, file)?
            {
                continue;
            }
            let changes = self.store.changes(&info)?;
            entries.push(LogEntry { info, changes });
        }
        Ok(entries)
    }
}
