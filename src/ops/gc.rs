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

use chrono::{DateTime, FixedOffset};

use crate::retention::{self, Decision, Policy, Version};
use crate::settings::Settings;
use crate::store::{CommitInfo, Freed, Rev};

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
    let decisions = retention::select(&versions, &request.policy, request.now);
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
    let dropped: Vec<_> = commits.iter().filter(|(_, d)| !d.keep).map(|(info, _)| info.rev).collect();
    let kept: Vec<Rev> = commits.iter().filter(|(_, d)| d.keep).map(|(info, _)| info.rev).collect();
    if request.dry_run {
        let freed = store.unreachable_objects(&kept, false)?;
        return Ok(GcOutcome { commits, method, freed, dry_run: true });
    }
    let when = request.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    store.record_pruned(&dropped, &when, &request.policy.to_string())?;
    let new_history = match method {
        Method::Shallow => {
            store.cut_history_at(*kept.last().expect("the latest is kept"))?;
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

/// A version's time is its commit time: when it landed in the store.
fn time_of(info: &CommitInfo) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(info.committer.offset).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
    DateTime::from_timestamp(info.committer.seconds, 0).unwrap_or_default().with_timezone(&offset)
}
