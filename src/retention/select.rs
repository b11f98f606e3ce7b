//! Applying a [`Policy`] to a history: one [`Decision`] per version, with every
//! reason it is kept.
//!
//! The rules and the choices behind them are described in [`super`]. This file
//! is pure: the history and the current time come in as values.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Timelike};

use super::policy::{DurationText, Policy};

/// One version of the history: a commit id (opaque here) and its recorded time.
///
/// The offset is the one the commit was written with; calendar rules use the
/// version's own local date and hour, see [`super`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub id: String,
    pub time: DateTime<FixedOffset>,
}

/// What [`select`] decided for one version. `keep` is true exactly when
/// `reasons` is not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub keep: bool,
    pub reasons: Vec<Reason>,
}

/// Why a version is kept. A version kept by several rules carries one reason
/// per rule, in this order: [`Latest`](Reason::Latest), then `keep-last`,
/// `keep-within`, and the calendar rules from hourly to yearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The newest version (first in the list): always kept, whatever the policy.
    Latest,
    /// The policy has no rules, so nothing is pruned (see [`Policy::is_empty`]).
    EmptyPolicy,
    /// Among the `keep-last` newest; the number is its position, 1 for the newest.
    Last(u32),
    /// Younger than this `keep-within` duration, counted back from the newest version.
    Within(Duration),
    /// The newest version of its hour (see [`super`] for "newest" under clock skew).
    Hourly(Bucket),
    /// The newest version of its day.
    Daily(Bucket),
    /// The newest version of its ISO week.
    Weekly(Bucket),
    /// The newest version of its month.
    Monthly(Bucket),
    /// The newest version of its year.
    Yearly(Bucket),
    /// The oldest version of the history, whose bucket already has a newer kept
    /// version, kept because the calendar rule of that bucket's period still had
    /// room when it got there. Sits where that rule's reason would.
    Oldest(Bucket),
    /// Not chosen by the policy, but kept because the store syncs with a
    /// remote: there gc only cuts history below a point, never leaving gaps
    /// (that would rewrite commits the remote holds), and never cuts away a
    /// commit the remote lacks or the last one it is known to hold.
    Remote,
}

/// The wording follows restic's `forget` output so that people who know it
/// read it without a glossary.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Latest => f.write_str("latest snapshot"),
            Reason::EmptyPolicy => f.write_str("policy is empty"),
            Reason::Last(_) => f.write_str("last snapshot"),
            Reason::Within(duration) => write!(f, "within {}", DurationText(*duration)),
            Reason::Hourly(_) => f.write_str("hourly snapshot"),
            Reason::Daily(_) => f.write_str("daily snapshot"),
            Reason::Weekly(_) => f.write_str("weekly snapshot"),
            Reason::Monthly(_) => f.write_str("monthly snapshot"),
            Reason::Yearly(_) => f.write_str("yearly snapshot"),
            Reason::Oldest(bucket) => write!(f, "oldest {} snapshot", bucket.adjective()),
            Reason::Remote => f.write_str("kept for the remote"),
        }
    }
}

/// A calendar period in a version's own local time. Displays as an ISO 8601
/// label: `2024-03-05T14`, `2024-03-05`, `2020-W53`, `2024-03`, `2024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    Hour {
        date: NaiveDate,
        hour: u32,
    },
    Day(NaiveDate),
    /// An ISO week, Monday to Sunday; `year` is the ISO week-numbering year,
    /// which differs from the calendar year around New Year (2021-01-01 is in 2020-W53).
    Week {
        year: i32,
        week: u32,
    },
    Month {
        year: i32,
        month: u32,
    },
    Year(i32),
}

impl Bucket {
    fn adjective(&self) -> &'static str {
        match self {
            Bucket::Hour { .. } => "hourly",
            Bucket::Day(_) => "daily",
            Bucket::Week { .. } => "weekly",
            Bucket::Month { .. } => "monthly",
            Bucket::Year(_) => "yearly",
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bucket::Hour { date, hour } => write!(f, "{date}T{hour:02}"),
            Bucket::Day(date) => write!(f, "{date}"),
            Bucket::Week { year, week } => write!(f, "{year:04}-W{week:02}"),
            Bucket::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Bucket::Year(year) => write!(f, "{year:04}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Period {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Period {
    fn bucket(self, time: &DateTime<FixedOffset>) -> Bucket {
        // The version's own wall clock: a commit made at 23:30 local time belongs
        // to that day for the person who made it, whatever UTC says.
        let local = time.naive_local();
        match self {
            Period::Hour => Bucket::Hour { date: local.date(), hour: local.hour() },
            Period::Day => Bucket::Day(local.date()),
            Period::Week => {
                let week = local.iso_week();
                Bucket::Week { year: week.year(), week: week.week() }
            }
            Period::Month => Bucket::Month { year: local.year(), month: local.month() },
            Period::Year => Bucket::Year(local.year()),
        }
    }

    fn reason(self, bucket: Bucket) -> Reason {
        match self {
            Period::Hour => Reason::Hourly(bucket),
            Period::Day => Reason::Daily(bucket),
            Period::Week => Reason::Weekly(bucket),
            Period::Month => Reason::Monthly(bucket),
            Period::Year => Reason::Yearly(bucket),
        }
    }
}

/// Decides, for each version of `versions` (newest first), whether `policy`
/// keeps it and why. Returns one [`Decision`] per version, in the same order.
///
/// `now` only matters when the newest version claims to be from the future: the
/// `keep-within` window then ends at `now` instead, so a skewed clock can make
/// retention keep more, never less.
pub fn select(versions: &[Version], policy: &Policy, now: DateTime<FixedOffset>) -> Vec<Decision> {
    let Some(newest) = versions.first() else {
        return Vec::new();
    };
    let mut reasons: Vec<Vec<Reason>> = vec![Vec::new(); versions.len()];
    reasons[0].push(Reason::Latest);

    if policy.is_empty() {
        reasons.iter_mut().for_each(|r| r.push(Reason::EmptyPolicy));
        return decisions(reasons);
    }

    if let Some(n) = policy.keep_last {
        for (rank, r) in (1..=n).zip(reasons.iter_mut()) {
            r.push(Reason::Last(rank));
        }
    }

    if let Some(window) = policy.keep_within.filter(|d| !d.is_zero()) {
        let end = newest.time.min(now);
        // A window too large to subtract reaches before any representable time.
        let start = TimeDelta::from_std(window).ok().and_then(|w| end.checked_sub_signed(w));
        for (version, r) in versions.iter().zip(reasons.iter_mut()) {
            if start.is_none_or(|start| version.time > start) {
                r.push(Reason::Within(window));
            }
        }
    }

    let calendar = [
        (Period::Hour, policy.keep_hourly),
        (Period::Day, policy.keep_daily),
        (Period::Week, policy.keep_weekly),
        (Period::Month, policy.keep_monthly),
        (Period::Year, policy.keep_yearly),
    ];
    for (period, count) in calendar {
        if let Some(count) = count.filter(|&n| n > 0) {
            keep_calendar(versions, period, count, &mut reasons);
        }
    }

    decisions(reasons)
}

/// Keeps the first version (in list order) of each bucket until `count` buckets
/// are kept, and the oldest version too if the rule still has room then.
fn keep_calendar(versions: &[Version], period: Period, count: u32, reasons: &mut [Vec<Reason>]) {
    let oldest = versions.len() - 1;
    let mut seen = HashSet::new();
    let mut left = count;
    for (index, version) in versions.iter().enumerate() {
        if left == 0 {
            break;
        }
        let bucket = period.bucket(&version.time);
        // The set, not a comparison with the previous version, is what makes a
        // version that jumps back into an already kept bucket (clock skew) count
        // for nothing instead of taking a second slot for the same bucket.
        if seen.insert(bucket) {
            left -= 1;
            reasons[index].push(period.reason(bucket));
        } else if index == oldest {
            reasons[index].push(Reason::Oldest(bucket));
        }
    }
}

fn decisions(reasons: Vec<Vec<Reason>>) -> Vec<Decision> {
    reasons.into_iter().map(|reasons| Decision { keep: !reasons.is_empty(), reasons }).collect()
}
