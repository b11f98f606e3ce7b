//! `cfg gc`: apply a retention policy to the history.
//!
//! The choice of commits is [`crate::retention::select`], a pure function; this
//! module applies it under the store lock. When the kept commits are the newest
//! ones (a suffix of history), history is cut at a shallow boundary and every
//! kept commit keeps its id. Otherwise the kept commits are rewritten into a new
//! chain, and the old ids of kept commits keep resolving through a recorded map.
//! Either way, the ids of dropped commits are recorded with the time and policy,
//! so asking for one later says it was pruned, and only then are the objects
//! nothing reaches any more deleted.
//!
//! A store with a remote is only ever cut, never rewritten, and never below
//! the history it shares with each remote (see [`keep_for_remotes`]): the
//! remote keeps its full history, and push and pull keep working.

use chrono::{DateTime, FixedOffset};

use crate::retention::{self, Decision, Policy, Reason, Version};
use crate::settings::Settings;
use crate::store::{CommitInfo, Freed, Rev, Store};

use super::Error;
use super::session::WriteSession;

#[derive(Debug, Clone)]
pub struct GcRequest {
    pub policy: Policy,
    /// Decide and report, change nothing.
    pub dry_run: bool,
    pub now: DateTime<FixedOffset>,
}

/// How the history was pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Nothing to drop.
    Nothing,
    /// Cut below the oldest kept commit; every kept id is unchanged.
    Shallow,
    /// Kept commits rewritten into a new chain; old ids map to new ones.
    Rewrite,
}

#[derive(Debug, Clone)]
pub struct GcOutcome {
    /// Every commit, newest first, with the decision about it.
    pub commits: Vec<(CommitInfo, Decision)>,
    pub method: Method,
    pub freed: Freed,
    pub dry_run: bool,
}

impl GcOutcome {
    pub fn dropped(&self) -> usize {
        self.commits.iter().filter(|(_, d)| !d.keep).count()
    }
}

/// Applies `request.policy`. `progress` is called with (commits read so far) while
/// the history is read, for a progress display on long histories.
pub fn gc(settings: &Settings, request: &GcRequest, progress: &mut dyn FnMut(usize)) -> Result<GcOutcome, Error> {
    if request.policy.is_empty() {
        return Err(Error::Usage("the retention policy is empty: it would keep everything".into()));
    }
    let session = WriteSession::begin(settings)?;
    let store = &session.store;
    let Some(head) = store.head()? else {
        return Ok(GcOutcome {
            commits: Vec::new(),
            method: Method::Nothing,
            freed: Freed::default(),
            dry_run: request.dry_run,
        });
    };
    let mut infos = Vec::new();
    for info in store.walk(head) {
        infos.push(info?);
        if infos.len() % 1000 == 0 {
            progress(infos.len());
        }
    }
    let versions: Vec<Version> =
        infos.iter().map(|info| Version { id: info.rev.to_string(), time: time_of(info) }).collect();
    let mut decisions = retention::select(&versions, &request.policy, request.now);
    let shares = !store.remotes()?.is_empty();
    if shares {
        keep_for_remotes(store, head, &infos, &mut decisions)?;
    }
    let kept_count = decisions.iter().filter(|d| d.keep).count();
    let suffix = decisions.iter().take(kept_count).all(|d| d.keep);
    let method = match (kept_count == infos.len(), suffix) {
        (true, _) => Method::Nothing,
        (false, true) => Method::Shallow,
        (false, false) => Method::Rewrite,
    };
    let commits: Vec<(CommitInfo, Decision)> = infos.into_iter().zip(decisions).collect();
    if method == Method::Nothing {
        return Ok(GcOutcome { commits, method, freed: Freed::default(), dry_run: request.dry_run });
    }
    let mut dropped: Vec<_> = commits.iter().filter(|(_, d)| !d.keep).map(|(info, _)| info.rev).collect();
    let mut kept: Vec<Rev> = commits.iter().filter(|(_, d)| d.keep).map(|(info, _)| info.rev).collect();
    let mut boundaries = Vec::new();
    if method == Method::Shallow {
        let cut = *kept.last().expect("the latest is kept");
        let tracking = tracking_tips(store)?;
        if tracking.is_empty() && commits.iter().all(|(info, _)| info.merged.is_empty()) {
            // One line of history, which the walk above has already split:
            // walking it again would read every commit twice.
            boundaries.push(cut);
        } else {
            // Merges bring in commits beside the branch's own line: keep
            // those above the cut, with the boundaries that end them.
            let tips: Vec<Rev> = std::iter::once(head).chain(tracking).collect();
            let cut = store.cut_below(&tips, cut)?;
            (kept, dropped, boundaries) = (cut.kept, cut.dropped, cut.boundaries);
        }
    }
    if request.dry_run {
        let freed = store.unreachable_objects(&kept, false)?;
        return Ok(GcOutcome { commits, method, freed, dry_run: true });
    }
    let when = request.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    store.record_pruned(&dropped, &when, &request.policy.to_string())?;
    let new_history = match method {
        Method::Shallow => {
            store.cut_history_at(&boundaries)?;
            kept
        }
        _ => {
            let oldest_first: Vec<CommitInfo> =
                commits.iter().filter(|(_, d)| d.keep).map(|(info, _)| info.clone()).rev().collect();
            let (new, objects) = store.rewrite_chain(&oldest_first)?;
            let pairs: Vec<_> = oldest_first.iter().map(|info| info.rev).zip(new.iter().copied()).collect();
            store.record_rewritten(&pairs)?;
            store.commit_staged(objects, Some(head), *new.last().expect("the latest is kept"))?;
            store.remove_shallow()?;
            new
        }
    };
    let freed = store.unreachable_objects(&new_history, true)?;
    Ok(GcOutcome { commits, method, freed, dry_run: request.dry_run })
}

/// With a remote, gc only cuts history below one commit of the branch's own
/// line, and that commit must be in the history every remote shares with
/// this host (an ancestor of each remote's branch as last seen): every commit
/// a remote lacks stays, pushes keep connecting, merges keep their base, and
/// no commit the remote holds is ever rewritten. So every version newer than
/// the cut is kept, and a remote never fetched or pushed keeps everything.
fn keep_for_remotes(store: &Store, head: Rev, infos: &[CommitInfo], decisions: &mut [Decision]) -> Result<(), Error> {
    let mut forks = Vec::new();
    let mut unknown = false;
    for remote in store.remotes()? {
        match store.tracking(&remote.name)? {
            Some(tip) => match store.merge_base(head, tip)? {
                Some(fork) => forks.push(fork),
                None => unknown = true,
            },
            None => unknown = true,
        }
    }
    let oldest_kept = decisions.iter().rposition(|d| d.keep).unwrap_or(0);
    let mut cut = None;
    if !unknown {
        for (index, info) in infos.iter().enumerate().skip(oldest_kept) {
            let mut shared = true;
            for fork in &forks {
                shared &= store.is_ancestor(info.rev, *fork)?;
            }
            if shared {
                cut = Some(index);
                break;
            }
        }
    }
    let cut = cut.unwrap_or(infos.len().saturating_sub(1));
    for decision in decisions.iter_mut().take(cut + 1) {
        if !decision.keep {
            decision.keep = true;
            decision.reasons.push(Reason::Remote);
        }
    }
    Ok(())
}

fn tracking_tips(store: &Store) -> Result<Vec<Rev>, Error> {
    let mut tips = Vec::new();
    for remote in store.remotes()? {
        tips.extend(store.tracking(&remote.name)?);
    }
    Ok(tips)
}

/// A version's time is its commit time: when it landed in the store.
fn time_of(info: &CommitInfo) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(info.committer.offset).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
    DateTime::from_timestamp(info.committer.seconds, 0).unwrap_or_default().with_timezone(&offset)
}
