//! `cfg sync`: pull, then push, until the remote holds this host's branch.
//!
//! Between this host's pull and its push another host may push; the remote
//! then refuses ours (its ref update is a compare-and-swap), and sync pulls
//! again, merges, and retries after a random pause of growing bound, up to
//! [`SyncRequest::attempts`] times. Nothing to pull and nothing to push: no
//! output (for cron). `--push` on a write is a sync after it: the write is
//! acknowledged only once the remote holds it.

use std::time::Duration;

use crate::settings::Settings;
use crate::store::{Refusal, Rev};

use super::pull::{PullOutcome, integrate};
use super::push::push_head;
use super::remote::{Link, RemoteError};
use super::{Error, open_for_reading};

/// The default bound on push attempts.
pub const ATTEMPTS: usize = 16;

#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub remote: Option<String>,
    pub attempts: usize,
}

impl Default for SyncRequest {
    fn default() -> SyncRequest {
        SyncRequest { remote: None, attempts: ATTEMPTS }
    }
}

#[derive(Debug, Clone)]
pub struct SyncOutcome {
    pub remote: String,
    /// Each pull that changed something, in order.
    pub pulled: Vec<PullOutcome>,
    /// The commit pushed, when the remote did not hold it yet.
    pub pushed: Option<Rev>,
    /// The remote's branch now: this host's branch tip, or an ancestor of it
    /// when nothing was there to push.
    pub remote_tip: Option<Rev>,
    pub attempts: usize,
}

impl SyncOutcome {
    pub fn changed(&self) -> bool {
        !self.pulled.is_empty() || self.pushed.is_some()
    }
}

/// `--push` (or `push:`) after a write that committed `rev`, or found it
/// current: a sync to `remote` (the default one when `None`). A failure says
/// the write is committed here but not pushed.
pub fn push_write(settings: &Settings, rev: Rev, remote: Option<String>) -> Result<SyncOutcome, Error> {
    sync(settings, &SyncRequest { remote, ..SyncRequest::default() })
        .map_err(|source| RemoteError::NotPushed { rev, source: Box::new(source) }.into())
}

pub fn sync(settings: &Settings, request: &SyncRequest) -> Result<SyncOutcome, Error> {
    let link = Link::open(settings, request.remote.as_deref())?;
    let remote = link.name().to_owned();
    let mut pulled = Vec::new();
    let attempts = request.attempts.max(1);
    let mut refusal = Refusal::Behind;
    for attempt in 0..attempts {
        if attempt > 0 {
            std::thread::sleep(pause(attempt));
        }
        let theirs = link.fetch()?;
        let outcome = integrate(settings, &remote, theirs, None)?;
        if outcome.changed() {
            pulled.push(outcome);
        }
        let head = open_for_reading(settings)?.head()?;
        if head.is_none() || head == theirs {
            return Ok(SyncOutcome { remote, pulled, pushed: None, remote_tip: theirs, attempts: attempt + 1 });
        }
        match push_head(settings, &link)? {
            Ok(pushed) => {
                let done = SyncOutcome {
                    pushed: pushed.rev.filter(|_| pushed.pushed),
                    remote_tip: pushed.rev,
                    remote,
                    pulled,
                    attempts: attempt + 1,
                };
                return Ok(done);
            }
            Err(refused) => refusal = refused,
        }
    }
    Err(match refusal {
        Refusal::Behind => RemoteError::KeptMoving { remote, attempts },
        Refusal::Locked { said } => RemoteError::Locked { remote, attempts, said },
    }
    .into())
}

/// A random pause up to a bound that doubles with each attempt (50 ms,
/// 100 ms, … 1.6 s): "full jitter", which spreads hosts that collided
/// better than a fixed pause plus a little noise.
fn pause(attempt: usize) -> Duration {
    use std::hash::BuildHasher;
    let bound = 50u64 << (attempt - 1).min(5);
    let random = std::collections::hash_map::RandomState::new().hash_one((std::process::id(), attempt));
    Duration::from_millis(random % (bound + 1))
}
