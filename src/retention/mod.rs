//! Retention: which commits a policy keeps, and why (pure), and the pruning of
//! the side repository that applies it.
//!
//! Backups are commits, so retention is history pruning. This part decides;
//! it reads no repository, no clock and no file: a history comes in as a list
//! of [`Version`]s, newest first, and [`select`] returns one [`Decision`] per
//! version with every [`Reason`] it is kept. The policy ([`Policy`]) comes from
//! the `retention:` section of the project settings ([`Policy::from_settings`]).
//!
//! # Rules
//!
//! The semantics are those of restic's `forget`, so its documentation and
//! intuitions carry over. Rules are ORed: a version is kept if any rule keeps it.
//!
//! * The **latest** version (the first of the list) is always kept, whatever the
//!   policy says: pruning must never remove the state the files are in.
//! * `keep-last N` keeps the N first versions of the list.
//! * `keep-within D` keeps every version whose time is strictly after
//!   `newest − D`, where `newest` is the time of the latest version, not the
//!   current time (as restic does). A project that has not changed for a year
//!   keeps its last weeks of history instead of losing everything but the latest
//!   version to a `keep-within 2w`. If the latest version claims to be from the
//!   future, the window ends at `now` instead, so a wrong clock makes retention
//!   keep more, never less.
//! * `keep-hourly/daily/weekly/monthly/yearly N`: walking the list from newest to
//!   oldest, the first version seen in each calendar bucket (hour, day, ISO week
//!   from Monday to Sunday, month, year) is kept, until N buckets have been kept
//!   by that rule. Buckets with no version do not count: `keep-daily 7` keeps the
//!   newest version of each of the last 7 days *that have versions*. If the rule
//!   still has room when it reaches the oldest version, the oldest is kept too
//!   ([`Reason::Oldest`] if its bucket already had a newer version), so a history
//!   younger than the rule asks for keeps its beginning. restic keeps it too
//!   (since 0.16) and its recent versions label it the same way ("oldest monthly
//!   snapshot").
//!
//! # Time zones
//!
//! Calendar buckets use each version's own recorded wall-clock time, i.e. its
//! UTC offset as written in the commit: a change made at 23:30 in Berlin belongs
//! to that Berlin day. Two versions made at the same instant from different
//! offsets may thus fall in different days. `keep-within` compares instants and
//! is not affected by offsets.
//!
//! # Clock skew
//!
//! Timestamps may be out of order (a machine with a wrong clock, a rebased
//! history). The list order is authoritative for "newest"; timestamps only place
//! a version in its buckets and in the `keep-within` window. A calendar rule
//! keeps the first version *in list order* of each bucket, and each bucket is
//! counted once: a version whose timestamp jumps back into a bucket already seen
//! is not kept by that rule (restic compares with the previous kept bucket only,
//! and would keep it again and count it twice). A version whose time is after
//! the latest's falls inside the `keep-within` window. Nothing panics or
//! misbehaves on such input; the decisions are merely what the timestamps say.
//!
//! # Empty policies
//!
//! A policy without rules (or with only zero rules) [is empty](Policy::is_empty).
//! The caller must refuse to prune with it (a missing or mistyped `retention:`
//! section is not a request to delete history). Should it still reach
//! [`select`], every version is kept with [`Reason::EmptyPolicy`].
//!
//! # Guarantees
//!
//! These hold for every history and policy, and are checked by property tests:
//! the latest version is kept; `keep-last N` alone keeps exactly `min(N, len)`;
//! the versions kept by a policy are the union of those kept by each of its
//! rules alone; and selecting again among the kept versions, with the same
//! policy and `now`, keeps all of them, so running `gc` twice prunes nothing the
//! second time.

mod policy;
mod select;
#[cfg(test)]
mod tests;

pub use policy::{DurationText, KEYS, Policy, PolicyError};
pub use select::{Bucket, Decision, Reason, Version, select};
