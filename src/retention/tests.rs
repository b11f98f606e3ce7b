//! Rules on hand-made timelines, then the laws every policy obeys (proptest),
//! including agreement with a literal transcription of restic's algorithm on
//! histories whose timestamps are in order.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use proptest::prelude::*;
use serde_json::json;

use super::{Bucket, Decision, Policy, Reason, Version, select};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

fn at(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

fn version(rfc3339: &str) -> Version {
    Version { id: rfc3339.to_owned(), time: at(rfc3339) }
}

fn versions(times: &[&str]) -> Vec<Version> {
    times.iter().map(|t| version(t)).collect()
}

/// One version every hour, newest first, ending at `newest`.
fn hourly(newest: &str, count: i64) -> Vec<Version> {
    let newest = at(newest);
    (0..count)
        .map(|i| {
            let time = newest - TimeDelta::seconds(i * HOUR);
            Version { id: time.to_rfc3339(), time }
        })
        .collect()
}

/// A policy as it would be written in the settings.
fn rules(settings: serde_json::Value) -> Policy {
    Policy::from_settings(&settings).unwrap()
}

fn kept<'a>(versions: &'a [Version], decisions: &[Decision]) -> Vec<&'a str> {
    assert_eq!(versions.len(), decisions.len());
    versions.iter().zip(decisions).filter(|(_, d)| d.keep).map(|(v, _)| v.id.as_str()).collect()
}

/// Decides with `now` a little after the newest version, the usual case.
fn run(versions: &[Version], policy: &Policy) -> Vec<Decision> {
    let now = versions.first().map_or_else(|| at("2024-01-01T00:00:00Z"), |v| v.time + TimeDelta::minutes(5));
    select(versions, policy, now)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn empty_history_gives_no_decisions() {
    assert!(select(&[], &rules(json!({"keep-last": 3})), at("2024-01-01T00:00:00Z")).is_empty());
}

#[test]
fn latest_is_always_kept_and_says_so_first() {
    // Every non-empty rule happens to keep the first version too (it is the
    // newest of its buckets and inside any window); Latest still comes first so
    // that a reader sees why it can never go.
    let history = versions(&["2023-06-01T00:00:00Z", "2024-06-01T00:00:00Z", "2024-05-01T00:00:00Z"]);
    let policy = rules(json!({"keep-last": 0, "keep-yearly": 1}));
    let decisions = run(&history, &policy);
    assert_eq!(decisions[0].reasons, [Reason::Latest, Reason::Yearly(Bucket::Year(2023))]);
    let policy = rules(json!({"keep-within": "1s"}));
    let decisions = select(&history, &policy, at("2023-06-01T00:00:00Z"));
    assert_eq!(decisions[0].reasons, [Reason::Latest, Reason::Within(Duration::from_secs(1))]);
    let later = history[0].time + TimeDelta::days(1);
    let decisions = select(&history, &rules(json!({"keep-hourly": 1})), later);
    assert_eq!(kept(&history, &decisions), ["2023-06-01T00:00:00Z"]);
}

#[test]
fn empty_policy_keeps_everything() {
    let history = hourly("2024-03-10T12:00:00Z", 5);
    for policy in [Policy::default(), rules(json!({"keep-last": 0, "keep-within": "0s"}))] {
        let decisions = run(&history, &policy);
        assert!(decisions.iter().all(|d| d.keep));
        assert_eq!(decisions[0].reasons, [Reason::Latest, Reason::EmptyPolicy]);
        assert_eq!(decisions[4].reasons, [Reason::EmptyPolicy]);
    }
}

#[test]
fn keep_last_keeps_the_newest_in_list_order() {
    let history = hourly("2024-03-10T12:00:00Z", 5);
    let decisions = run(&history, &rules(json!({"keep-last": 3})));
    let reasons: Vec<_> = decisions.iter().map(|d| d.reasons.clone()).collect();
    assert_eq!(
        reasons,
        [vec![Reason::Latest, Reason::Last(1)], vec![Reason::Last(2)], vec![Reason::Last(3)], vec![], vec![],]
    );
    assert_eq!(decisions.iter().map(|d| d.keep).collect::<Vec<_>>(), [true, true, true, false, false]);
    let decisions = run(&history, &rules(json!({"keep-last": 50})));
    assert!(decisions.iter().all(|d| d.keep));
}

#[test]
fn keep_within_counts_back_from_the_newest_version_not_now() {
    // Daily versions at noon for 30 days; 2w keeps 14 days, the version exactly
    // 14 days old is on the boundary and, as in restic, not kept.
    let newest = at("2024-03-30T12:00:00+01:00");
    let history: Vec<Version> = (0..30)
        .map(|i| {
            let time = newest - TimeDelta::days(i);
            Version { id: format!("day-{i}"), time }
        })
        .collect();
    let policy = rules(json!({"keep-within": "2w"}));
    let expected: Vec<String> = (0..14).map(|i| format!("day-{i}")).collect();
    for now in [newest, newest + TimeDelta::days(400)] {
        let decisions = select(&history, &policy, now);
        assert_eq!(kept(&history, &decisions), expected);
        assert_eq!(decisions[13].reasons, [Reason::Within(Duration::from_secs(14 * DAY as u64))]);
        assert_eq!(decisions[13].reasons[0].to_string(), "within 14d");
    }
}

#[test]
fn keep_within_ends_at_now_when_the_latest_is_from_the_future() {
    let history = versions(&[
        "2030-01-01T00:00:00Z", // a machine with its clock years ahead
        "2024-03-09T00:00:00Z",
        "2024-03-01T00:00:00Z",
        "2024-02-01T00:00:00Z",
    ]);
    let policy = rules(json!({"keep-within": "14d"}));
    let decisions = select(&history, &policy, at("2024-03-10T00:00:00Z"));
    assert_eq!(kept(&history, &decisions), ["2030-01-01T00:00:00Z", "2024-03-09T00:00:00Z", "2024-03-01T00:00:00Z"]);
    assert_eq!(decisions[0].reasons, [Reason::Latest, Reason::Within(Duration::from_secs(14 * DAY as u64))]);
}

#[test]
fn keep_within_larger_than_time_itself_keeps_everything() {
    let history = versions(&["2024-03-09T00:00:00Z", "0001-01-01T00:00:00Z"]);
    let policy = Policy { keep_within: Some(Duration::from_secs(u64::MAX)), ..Policy::default() };
    assert!(run(&history, &policy).iter().all(|d| d.keep));
}

/// Hourly commits over 40 days, newest on Sunday 2024-03-10 at 12:00 UTC,
/// oldest on 2024-01-30 at 13:00.
fn forty_days() -> Vec<Version> {
    let history = hourly("2024-03-10T12:00:00+00:00", 40 * 24);
    assert_eq!(history.last().unwrap().time, at("2024-01-30T13:00:00Z"));
    history
}

#[test]
fn keep_daily_keeps_the_newest_of_each_of_the_last_days_with_versions() {
    let history = forty_days();
    let decisions = run(&history, &rules(json!({"keep-daily": 7})));
    assert_eq!(
        kept(&history, &decisions),
        [
            "2024-03-10T12:00:00+00:00",
            "2024-03-09T23:00:00+00:00",
            "2024-03-08T23:00:00+00:00",
            "2024-03-07T23:00:00+00:00",
            "2024-03-06T23:00:00+00:00",
            "2024-03-05T23:00:00+00:00",
            "2024-03-04T23:00:00+00:00",
        ]
    );
    assert_eq!(decisions[13].reasons, [Reason::Daily(Bucket::Day(day(2024, 3, 9)))]);

    // Days without versions are skipped, not counted.
    let sparse = versions(&[
        "2024-03-10T09:00:00Z",
        "2024-03-10T08:00:00Z",
        "2024-03-01T18:00:00Z",
        "2024-03-01T17:00:00Z",
        "2024-02-01T10:00:00Z",
        "2024-01-01T10:00:00Z",
    ]);
    let decisions = run(&sparse, &rules(json!({"keep-daily": 2})));
    assert_eq!(kept(&sparse, &decisions), ["2024-03-10T09:00:00Z", "2024-03-01T18:00:00Z"]);
}

#[test]
fn keep_hourly_keeps_one_per_hour() {
    let history = forty_days();
    let decisions = run(&history, &rules(json!({"keep-hourly": 24})));
    assert_eq!(kept(&history, &decisions).len(), 24);
    assert!(decisions[..24].iter().all(|d| d.keep));
    assert_eq!(decisions[1].reasons, [Reason::Hourly(Bucket::Hour { date: day(2024, 3, 10), hour: 11 })]);
    assert_eq!(Bucket::Hour { date: day(2024, 3, 10), hour: 9 }.to_string(), "2024-03-10T09");

    // Several versions within an hour: the newest of the hour.
    let history =
        versions(&["2024-03-10T09:59:00Z", "2024-03-10T09:01:00Z", "2024-03-10T08:30:00Z", "2024-03-10T08:10:00Z"]);
    let decisions = run(&history, &rules(json!({"keep-hourly": 2})));
    assert_eq!(kept(&history, &decisions), ["2024-03-10T09:59:00Z", "2024-03-10T08:30:00Z"]);
}

#[test]
fn keep_weekly_uses_monday_to_sunday_iso_weeks() {
    let history = forty_days();
    let decisions = run(&history, &rules(json!({"keep-weekly": 4})));
    assert_eq!(
        kept(&history, &decisions),
        [
            "2024-03-10T12:00:00+00:00", // Sunday: still 2024-W10
            "2024-03-03T23:00:00+00:00",
            "2024-02-25T23:00:00+00:00",
            "2024-02-18T23:00:00+00:00",
        ]
    );
}

#[test]
fn keep_weekly_across_a_year_boundary() {
    // 2020 has 53 ISO weeks: 2020-W53 runs from Monday 2020-12-28 to Sunday 2021-01-03.
    let history = versions(&[
        "2021-01-04T10:00:00Z", // Monday, 2021-W01
        "2021-01-03T22:00:00Z", // Sunday, 2020-W53
        "2021-01-01T10:00:00Z",
        "2020-12-28T09:00:00Z", // Monday, 2020-W53
        "2020-12-27T22:00:00Z", // Sunday, 2020-W52
        "2020-12-21T09:00:00Z",
        "2020-12-20T09:00:00Z", // 2020-W51
    ]);
    let decisions = run(&history, &rules(json!({"keep-weekly": 3})));
    assert_eq!(kept(&history, &decisions), ["2021-01-04T10:00:00Z", "2021-01-03T22:00:00Z", "2020-12-27T22:00:00Z"]);
    let week = Bucket::Week { year: 2020, week: 53 };
    assert_eq!(decisions[1].reasons, [Reason::Weekly(week)]);
    assert_eq!(week.to_string(), "2020-W53");

    // And the other way round: Monday 2024-12-30 is already in 2025-W01.
    let history = versions(&["2025-01-01T10:00:00Z", "2024-12-30T10:00:00Z", "2024-12-29T10:00:00Z"]);
    let decisions = run(&history, &rules(json!({"keep-weekly": 2})));
    assert_eq!(kept(&history, &decisions), ["2025-01-01T10:00:00Z", "2024-12-29T10:00:00Z"]);
    assert_eq!(decisions[0].reasons[1], Reason::Weekly(Bucket::Week { year: 2025, week: 1 }));
}

#[test]
fn keep_monthly_and_the_oldest_when_the_rule_has_room() {
    let history = forty_days();
    let decisions = run(&history, &rules(json!({"keep-monthly": 3})));
    assert_eq!(
        kept(&history, &decisions),
        ["2024-03-10T12:00:00+00:00", "2024-02-29T23:00:00+00:00", "2024-01-31T23:00:00+00:00"]
    );
    // A fourth month is asked for but there is none: the oldest version is kept
    // too, so the history keeps its beginning.
    let decisions = run(&history, &rules(json!({"keep-monthly": 4})));
    assert_eq!(
        kept(&history, &decisions),
        [
            "2024-03-10T12:00:00+00:00",
            "2024-02-29T23:00:00+00:00",
            "2024-01-31T23:00:00+00:00",
            "2024-01-30T13:00:00+00:00",
        ]
    );
    let january = Bucket::Month { year: 2024, month: 1 };
    let oldest = &decisions.last().unwrap().reasons;
    assert_eq!(oldest, &[Reason::Oldest(january)]);
    assert_eq!(oldest[0].to_string(), "oldest monthly snapshot");
    assert_eq!(january.to_string(), "2024-01");

    // An oldest version alone in its bucket is simply the newest of that bucket;
    // the same version can be both, for different rules.
    let history =
        versions(&["2024-03-10T12:00:00Z", "2024-03-01T12:00:00Z", "2024-01-20T12:00:00Z", "2024-01-20T08:00:00Z"]);
    let decisions = run(&history, &rules(json!({"keep-daily": 5, "keep-monthly": 5})));
    assert_eq!(decisions[3].reasons, [Reason::Oldest(Bucket::Day(day(2024, 1, 20))), Reason::Oldest(january),]);
    assert_eq!(decisions[2].reasons[1], Reason::Monthly(january));
    let history = &history[..3];
    let decisions = run(history, &rules(json!({"keep-monthly": 5})));
    assert_eq!(decisions[2].reasons, [Reason::Monthly(january)]);
}

#[test]
fn keep_yearly() {
    let history = versions(&[
        "2024-03-10T12:00:00Z",
        "2024-01-01T00:00:00Z",
        "2023-12-31T23:59:59Z",
        "2023-06-01T00:00:00Z",
        "2021-07-01T00:00:00Z",
        "2021-01-01T00:00:00Z",
        "2019-05-05T00:00:00Z",
    ]);
    let decisions = run(&history, &rules(json!({"keep-yearly": 3})));
    assert_eq!(kept(&history, &decisions), ["2024-03-10T12:00:00Z", "2023-12-31T23:59:59Z", "2021-07-01T00:00:00Z"]);
    assert_eq!(decisions[4].reasons, [Reason::Yearly(Bucket::Year(2021))]);
    assert_eq!(decisions[4].reasons[0].to_string(), "yearly snapshot");
}

#[test]
fn buckets_use_the_versions_own_offset() {
    // 23:30 in New York on 29 February is 04:30 UTC on 1 March: it belongs to
    // February, the month its author saw.
    let history = versions(&["2024-03-01T10:00:00+01:00", "2024-02-29T23:30:00-05:00", "2024-02-10T10:00:00Z"]);
    let decisions = run(&history, &rules(json!({"keep-monthly": 2})));
    assert_eq!(decisions[1].reasons, [Reason::Monthly(Bucket::Month { year: 2024, month: 2 })]);
    assert_eq!(kept(&history, &decisions), ["2024-03-01T10:00:00+01:00", "2024-02-29T23:30:00-05:00"]);
    // Likewise the day: 00:30 at +02:00 is the previous day in UTC.
    let history = versions(&["2024-03-02T00:30:00+02:00", "2024-03-01T20:00:00Z"]);
    let decisions = run(&history, &rules(json!({"keep-daily": 1})));
    assert_eq!(decisions[0].reasons[1], Reason::Daily(Bucket::Day(day(2024, 3, 2))));
}

#[test]
fn one_version_kept_by_several_rules_lists_them_all() {
    let history = forty_days();
    let policy = Policy {
        keep_last: Some(2),
        keep_within: Some(Duration::from_secs(DAY as u64)),
        keep_hourly: Some(3),
        keep_daily: Some(2),
        keep_weekly: Some(1),
        keep_monthly: Some(2),
        keep_yearly: Some(1),
    };
    let decisions = run(&history, &policy);
    let within = Reason::Within(Duration::from_secs(DAY as u64));
    let d10 = day(2024, 3, 10);
    assert_eq!(
        decisions[0].reasons,
        [
            Reason::Latest,
            Reason::Last(1),
            within,
            Reason::Hourly(Bucket::Hour { date: d10, hour: 12 }),
            Reason::Daily(Bucket::Day(d10)),
            Reason::Weekly(Bucket::Week { year: 2024, week: 10 }),
            Reason::Monthly(Bucket::Month { year: 2024, month: 3 }),
            Reason::Yearly(Bucket::Year(2024)),
        ]
    );
    assert_eq!(decisions[1].reasons, [Reason::Last(2), within, Reason::Hourly(Bucket::Hour { date: d10, hour: 11 })]);
    assert_eq!(decisions[2].reasons, [within, Reason::Hourly(Bucket::Hour { date: d10, hour: 10 })]);
    assert_eq!(decisions[3].reasons, [within]);
    // 2024-03-09T23:00 is the newest of its day; 23 hours old, so within 1d.
    assert_eq!(decisions[13].reasons, [within, Reason::Daily(Bucket::Day(day(2024, 3, 9)))]);
    assert_eq!(decisions[24].reasons, []); // exactly 1d old: outside the window
    let february = history.iter().position(|v| v.id == "2024-02-29T23:00:00+00:00").unwrap();
    assert_eq!(decisions[february].reasons, [Reason::Monthly(Bucket::Month { year: 2024, month: 2 })]);
    // The 24 versions of the last day, plus the newest of February.
    assert_eq!(kept(&history, &decisions).len(), 24 + 1);
    let shown: Vec<String> = decisions[0].reasons.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "latest snapshot",
            "last snapshot",
            "within 1d",
            "hourly snapshot",
            "daily snapshot",
            "weekly snapshot",
            "monthly snapshot",
            "yearly snapshot",
        ]
    );
}

#[test]
fn skewed_timestamps_follow_list_order() {
    // Listed newest first; the third version's clock was an hour behind and
    // lands back in the day already kept: it is not kept again for that day.
    let history = versions(&[
        "2024-03-05T10:00:00Z",
        "2024-03-04T10:00:00Z",
        "2024-03-05T09:00:00Z",
        "2024-03-03T10:00:00Z",
        "2024-03-02T10:00:00Z",
    ]);
    let decisions = run(&history, &rules(json!({"keep-daily": 3})));
    assert_eq!(kept(&history, &decisions), ["2024-03-05T10:00:00Z", "2024-03-04T10:00:00Z", "2024-03-03T10:00:00Z"]);

    // A version that looks newer than the latest: the latest stays the first of
    // the list; the other is the first of its own bucket and falls in the window.
    let history = versions(&["2024-03-03T10:00:00Z", "2024-03-05T10:00:00Z", "2024-03-04T10:00:00Z"]);
    let decisions = run(&history, &rules(json!({"keep-daily": 2})));
    assert_eq!(kept(&history, &decisions), ["2024-03-03T10:00:00Z", "2024-03-05T10:00:00Z"]);
    assert_eq!(decisions[0].reasons[0], Reason::Latest);
    let policy = rules(json!({"keep-within": "1h"}));
    let decisions = select(&history, &policy, at("2024-03-06T00:00:00Z"));
    assert_eq!(kept(&history, &decisions), ["2024-03-03T10:00:00Z", "2024-03-05T10:00:00Z", "2024-03-04T10:00:00Z"]);
}

#[test]
fn zero_counts_turn_a_rule_off() {
    let history = hourly("2024-03-10T12:00:00Z", 48);
    let policy = rules(json!({"keep-last": 0, "keep-hourly": 0, "keep-daily": 2}));
    let decisions = run(&history, &policy);
    assert_eq!(decisions[0].reasons, [Reason::Latest, Reason::Daily(Bucket::Day(day(2024, 3, 10)))]);
    assert_eq!(kept(&history, &decisions).len(), 2);
}

// ---------------------------------------------------------------------------
// Laws

const BASE: i64 = 1_700_000_000; // 2023-11-14, an arbitrary anchor

/// Histories with bursts, gaps of days to months, offsets from −12h to +14h and
/// occasional clock skew (a version older in the list but newer in time).
fn history(ordered: bool) -> impl Strategy<Value = Vec<Version>> {
    let step = if ordered {
        prop_oneof![0..HOUR, 0..3 * DAY, 0..90 * DAY].boxed()
    } else {
        prop_oneof![4 => 0..HOUR, 4 => 0..3 * DAY, 2 => 0..90 * DAY, 1 => -3 * DAY..0].boxed()
    };
    let offset = prop::sample::select(vec![-12 * HOUR, -5 * HOUR, 0, HOUR, 5 * HOUR + 1800, 14 * HOUR]);
    let offset = if ordered { Just(0).boxed() } else { offset.boxed() };
    prop::collection::vec((step, offset), 1..60).prop_map(|steps| {
        let mut secs = BASE;
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (step, offset))| {
                secs -= step;
                let zone = FixedOffset::east_opt(offset as i32).unwrap();
                let time = DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&zone);
                Version { id: format!("v{i}"), time }
            })
            .collect()
    })
}

fn count() -> impl Strategy<Value = Option<u32>> {
    prop::option::of(0..8u32)
}

fn policy() -> impl Strategy<Value = Policy> {
    let within = prop::option::of((0..40 * DAY as u64).prop_map(Duration::from_secs));
    (count(), within, count(), count(), count(), count(), count()).prop_map(
        |(keep_last, keep_within, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly)| Policy {
            keep_last,
            keep_within,
            keep_hourly,
            keep_daily,
            keep_weekly,
            keep_monthly,
            keep_yearly,
        },
    )
}

/// `now` somewhere from a few days before the newest version (a skewed clock) to a year after.
fn now_offset() -> impl Strategy<Value = i64> {
    -3 * DAY..365 * DAY
}

fn now_for(versions: &[Version], offset: i64) -> DateTime<FixedOffset> {
    versions[0].time + TimeDelta::seconds(offset)
}

/// Each rule of `policy` as a policy of its own, skipping rules that are off.
fn single_rules(policy: &Policy) -> Vec<Policy> {
    let none = Policy::default();
    [
        Policy { keep_last: policy.keep_last, ..none },
        Policy { keep_within: policy.keep_within, ..none },
        Policy { keep_hourly: policy.keep_hourly, ..none },
        Policy { keep_daily: policy.keep_daily, ..none },
        Policy { keep_weekly: policy.keep_weekly, ..none },
        Policy { keep_monthly: policy.keep_monthly, ..none },
        Policy { keep_yearly: policy.keep_yearly, ..none },
    ]
    .into_iter()
    .filter(|single| !single.is_empty())
    .collect()
}

/// restic's `ApplyPolicy` (internal/restic/snapshot_policy.go), without tags,
/// transcribed literally: each calendar rule compares with the bucket it kept
/// last. Valid only for histories whose timestamps are in order.
fn restic(versions: &[Version], policy: &Policy) -> Vec<bool> {
    type Bucketer = fn(&DateTime<FixedOffset>) -> String;
    let mut rules: Vec<(u32, Bucketer, Option<String>)> = vec![
        (policy.keep_hourly.unwrap_or(0), |t| t.format("%Y%m%d%H").to_string(), None),
        (policy.keep_daily.unwrap_or(0), |t| t.format("%Y%m%d").to_string(), None),
        (policy.keep_weekly.unwrap_or(0), |t| t.format("%G%V").to_string(), None),
        (policy.keep_monthly.unwrap_or(0), |t| t.format("%Y%m").to_string(), None),
        (policy.keep_yearly.unwrap_or(0), |t| t.format("%Y").to_string(), None),
    ];
    let latest = versions[0].time;
    let last = versions.len() - 1;
    versions
        .iter()
        .enumerate()
        .map(|(nr, cur)| {
            let mut keep = nr == 0;
            if (nr as u64) < u64::from(policy.keep_last.unwrap_or(0)) {
                keep = true;
            }
            if let Some(within) = policy.keep_within.filter(|d| !d.is_zero())
                && cur.time > latest - TimeDelta::from_std(within).unwrap()
            {
                keep = true;
            }
            for (count, bucketer, last_kept) in &mut rules {
                if *count > 0 {
                    let value = bucketer(&cur.time);
                    if last_kept.as_ref() != Some(&value) || nr == last {
                        keep = true;
                        *last_kept = Some(value);
                        *count -= 1;
                    }
                }
            }
            keep
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn one_decision_per_version_and_the_latest_is_kept(
        versions in history(false), policy in policy(), offset in now_offset()
    ) {
        let decisions = select(&versions, &policy, now_for(&versions, offset));
        prop_assert_eq!(decisions.len(), versions.len());
        prop_assert!(decisions[0].keep);
        prop_assert_eq!(decisions[0].reasons[0], Reason::Latest);
        for decision in &decisions {
            prop_assert_eq!(decision.keep, !decision.reasons.is_empty());
        }
        if policy.is_empty() {
            prop_assert!(decisions.iter().all(|d| d.keep));
        }
    }

    #[test]
    fn keep_last_alone_keeps_exactly_min_n_len(
        versions in history(false), n in 1..80u32, offset in now_offset()
    ) {
        let policy = Policy { keep_last: Some(n), ..Policy::default() };
        let decisions = select(&versions, &policy, now_for(&versions, offset));
        let expected = versions.len().min(n as usize);
        prop_assert_eq!(decisions.iter().filter(|d| d.keep).count(), expected);
        prop_assert!(decisions[..expected].iter().all(|d| d.keep));
    }

    #[test]
    fn rules_are_ored(versions in history(false), policy in policy(), offset in now_offset()) {
        prop_assume!(!policy.is_empty());
        let now = now_for(&versions, offset);
        let combined = select(&versions, &policy, now);
        let mut union: Vec<Vec<Reason>> = vec![vec![Reason::Latest]];
        union.resize(versions.len(), Vec::new());
        for single in single_rules(&policy) {
            for (reasons, decision) in union.iter_mut().zip(select(&versions, &single, now)) {
                reasons.extend(decision.reasons.into_iter().filter(|r| *r != Reason::Latest));
            }
        }
        // Same kept set, and the same reasons in the same order.
        let combined: Vec<Vec<Reason>> = combined.into_iter().map(|d| d.reasons).collect();
        prop_assert_eq!(combined, union);
    }

    #[test]
    fn selecting_again_among_the_kept_keeps_them_all(
        versions in history(false), policy in policy(), offset in now_offset()
    ) {
        let now = now_for(&versions, offset);
        let decisions = select(&versions, &policy, now);
        let kept: Vec<Version> = versions
            .iter()
            .zip(&decisions)
            .filter(|(_, d)| d.keep)
            .map(|(v, _)| v.clone())
            .collect();
        let again = select(&kept, &policy, now);
        prop_assert!(again.iter().all(|d| d.keep), "{:?}", again);
    }

    #[test]
    fn agrees_with_restic_when_timestamps_are_in_order(
        versions in history(true), policy in policy(), offset in 0..365 * DAY
    ) {
        prop_assume!(!policy.is_empty());
        let decisions = select(&versions, &policy, now_for(&versions, offset));
        let ours: Vec<bool> = decisions.iter().map(|d| d.keep).collect();
        prop_assert_eq!(ours, restic(&versions, &policy));
    }

    #[test]
    fn a_calendar_rule_keeps_at_most_one_version_per_bucket_and_n_buckets(
        versions in history(false), n in 1..8u32, rule in 0..5usize, offset in now_offset()
    ) {
        let mut policy = Policy::default();
        *[
            &mut policy.keep_hourly,
            &mut policy.keep_daily,
            &mut policy.keep_weekly,
            &mut policy.keep_monthly,
            &mut policy.keep_yearly,
        ][rule] = Some(n);
        let decisions = select(&versions, &policy, now_for(&versions, offset));
        let mut buckets = std::collections::HashSet::new();
        for (index, decision) in decisions.iter().enumerate() {
            for reason in &decision.reasons {
                match reason {
                    Reason::Hourly(b)
                    | Reason::Daily(b)
                    | Reason::Weekly(b)
                    | Reason::Monthly(b)
                    | Reason::Yearly(b) => prop_assert!(buckets.insert(*b), "{:?} twice", b),
                    // Only the oldest, and only in a bucket already kept above it.
                    Reason::Oldest(b) => {
                        prop_assert_eq!(index, versions.len() - 1);
                        prop_assert!(buckets.contains(b));
                    }
                    Reason::Latest => {}
                    other => prop_assert!(false, "{:?} from a calendar rule", other),
                }
            }
        }
        prop_assert!(buckets.len() <= n as usize);
    }
}
