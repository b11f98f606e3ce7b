//! The retention policy as a plain value, and its reading from the `retention:`
//! section of the project settings.
//!
//! A policy is a set of independent rules (see [`super`] for what each keeps).
//! A count of `0` or a `keep-within` of zero turns its rule off, as in restic,
//! so a policy made only of such rules [is empty](Policy::is_empty). Counts are
//! finite: there is no "unlimited" (restic's `-1`); a large count does the same.
//!
//! Parsing is strict because a mistyped key in a policy that deletes history
//! must not be silently ignored: unknown keys, wrong types, negative or oversized
//! counts and malformed durations are all errors naming the key.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::duration::{self, ParseDurationError};

/// Which versions to keep. Rules are ORed: a version is kept if any rule keeps it.
///
/// Build it with a struct literal over [`Policy::default`] (which keeps nothing
/// beyond the latest version and [is empty](Policy::is_empty)):
///
/// ```
/// use cfg::retention::Policy;
/// let policy = Policy { keep_last: Some(5), keep_daily: Some(7), ..Policy::default() };
/// assert_eq!(policy.to_string(), "keep-last 5, keep-daily 7");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Keep the N newest versions.
    pub keep_last: Option<u32>,
    /// Keep every version younger than this, measured back from the newest version.
    pub keep_within: Option<Duration>,
    /// Keep the newest version of each of the last N hours that have versions.
    pub keep_hourly: Option<u32>,
    /// Keep the newest version of each of the last N days that have versions.
    pub keep_daily: Option<u32>,
    /// Keep the newest version of each of the last N ISO weeks (Monday to Sunday) that have versions.
    pub keep_weekly: Option<u32>,
    /// Keep the newest version of each of the last N months that have versions.
    pub keep_monthly: Option<u32>,
    /// Keep the newest version of each of the last N years that have versions.
    pub keep_yearly: Option<u32>,
}

/// The settings keys, in the order they are documented and displayed.
pub const KEYS: [&str; 7] =
    ["keep-last", "keep-within", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"];

impl Policy {
    /// True when no rule can keep anything beyond the latest version.
    ///
    /// Callers must refuse to prune with an empty policy: it is almost always a
    /// missing or mistyped configuration, not a wish to drop all history.
    /// [`select`](super::select) keeps everything when given one, as a second line
    /// of defence.
    pub fn is_empty(&self) -> bool {
        let counts =
            [self.keep_last, self.keep_hourly, self.keep_daily, self.keep_weekly, self.keep_monthly, self.keep_yearly];
        counts.iter().all(|count| count.unwrap_or(0) == 0) && self.keep_within.unwrap_or(Duration::ZERO).is_zero()
    }

    /// Reads the `retention:` section of the project settings, e.g.
    /// `{"keep_last": 10, "keep_within": "2w", "keep_daily": 7}`. The
    /// kebab-case keys of earlier versions (`keep-last`) are read too (the
    /// project settings warn that they are deprecated).
    ///
    /// `null` (an empty `retention:` section) gives the empty policy, which the
    /// caller then refuses like a missing one.
    pub fn from_settings(value: &Value) -> Result<Policy, PolicyError> {
        let map = match value {
            Value::Null => return Ok(Policy::default()),
            Value::Object(map) => map,
            other => return Err(PolicyError::NotAMapping { found: kind(other) }),
        };
        let mut policy = Policy::default();
        for (key, value) in map {
            match key.replace('-', "_").as_str() {
                "keep_last" => policy.keep_last = Some(count(key, value)?),
                "keep_within" => policy.keep_within = Some(within(key, value)?),
                "keep_hourly" => policy.keep_hourly = Some(count(key, value)?),
                "keep_daily" => policy.keep_daily = Some(count(key, value)?),
                "keep_weekly" => policy.keep_weekly = Some(count(key, value)?),
                "keep_monthly" => policy.keep_monthly = Some(count(key, value)?),
                "keep_yearly" => policy.keep_yearly = Some(count(key, value)?),
                _ => return Err(PolicyError::UnknownKey { key: key.clone() }),
            }
        }
        Ok(policy)
    }
}

fn count(key: &str, value: &Value) -> Result<u32, PolicyError> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| PolicyError::InvalidCount { key: key.to_owned(), found: value.to_string() })
}

fn within(key: &str, value: &Value) -> Result<Duration, PolicyError> {
    // A bare number is routed through the duration parser so that `keep-within: 7`
    // gets its precise complaint ("missing unit") rather than a type error.
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        other => {
            return Err(PolicyError::NotADuration { key: key.to_owned(), found: kind(other) });
        }
    };
    duration::parse(&text).map_err(|source| PolicyError::InvalidDuration { key: key.to_owned(), source })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Why the `retention:` settings could not be read. Every variant names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("`retention` must be a mapping of keep rules, found {found}")]
    NotAMapping { found: &'static str },
    #[error("unknown retention setting `{key}` (expected one of {})", KEYS.join(", ").replace('-', "_"))]
    UnknownKey { key: String },
    #[error("`retention.{key}` must be a whole number from 0 to {}, found `{found}`", u32::MAX)]
    InvalidCount { key: String, found: String },
    #[error("`retention.{key}` must be a duration such as `7d` or `12h`, found {found}")]
    NotADuration { key: String, found: &'static str },
    #[error("invalid `retention.{key}`")]
    InvalidDuration {
        key: String,
        #[source]
        source: ParseDurationError,
    },
}

/// Shows the policy as its settings, e.g. `keep-last 5, keep-within 14d, keep-daily 7`,
/// or `no rules` for the empty policy. Rules set to zero are shown: they were written.
impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = self.keep_within.map(|d| DurationText(d).to_string());
        let counts = [
            self.keep_last,
            None,
            self.keep_hourly,
            self.keep_daily,
            self.keep_weekly,
            self.keep_monthly,
            self.keep_yearly,
        ];
        let mut parts = KEYS.iter().zip(counts).filter_map(|(key, count)| match (*key, count) {
            ("keep-within", _) => within.as_ref().map(|w| format!("{key} {w}")),
            (_, count) => count.map(|n| format!("{key} {n}")),
        });
        match parts.next() {
            None => f.write_str("no rules"),
            Some(first) => {
                f.write_str(&first)?;
                parts.try_for_each(|part| write!(f, ", {part}"))
            }
        }
    }
}

/// A duration written back in the units [`crate::duration::parse`] reads, largest
/// first without weeks (`14d`, `1d12h`, `90s` → `1m30s`), so what is shown can be
/// pasted back into the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationText(pub Duration);

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u128); 5] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];
        let mut millis = self.0.as_millis();
        if millis == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in UNITS {
            if millis >= size {
                write!(f, "{}{unit}", millis / size)?;
                millis %= size;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Policy, PolicyError> {
        Policy::from_settings(&value)
    }

    #[test]
    fn reads_every_key() {
        let policy = parse(json!({
            "keep-last": 10,
            "keep-within": "2w",
            "keep-hourly": 24,
            "keep-daily": 7,
            "keep-weekly": 5,
            "keep-monthly": 12,
            "keep-yearly": 3,
        }))
        .unwrap();
        assert_eq!(
            policy,
            Policy {
                keep_last: Some(10),
                keep_within: Some(Duration::from_secs(14 * 86_400)),
                keep_hourly: Some(24),
                keep_daily: Some(7),
                keep_weekly: Some(5),
                keep_monthly: Some(12),
                keep_yearly: Some(3),
            }
        );
        assert!(!policy.is_empty());
    }

    #[test]
    fn snake_case_keys_read_as_the_kebab_case_ones() {
        let snake = parse(json!({"keep_last": 10, "keep_within": "2w", "keep_daily": 7})).unwrap();
        let kebab = parse(json!({"keep-last": 10, "keep-within": "2w", "keep-daily": 7})).unwrap();
        assert_eq!(snake, kebab);
        assert_eq!(snake.keep_last, Some(10));
        let unknown = parse(json!({"keep_lots": 1})).unwrap_err().to_string();
        assert!(unknown.contains("expected one of keep_last, keep_within"), "{unknown}");
    }

    #[test]
    fn absent_or_empty_section_is_the_empty_policy() {
        assert_eq!(parse(Value::Null).unwrap(), Policy::default());
        assert_eq!(parse(json!({})).unwrap(), Policy::default());
        assert!(Policy::default().is_empty());
    }

    #[test]
    fn zero_rules_are_off_and_leave_the_policy_empty() {
        let policy = parse(json!({"keep-last": 0, "keep-within": "0s", "keep-daily": 0})).unwrap();
        assert_eq!(policy.keep_last, Some(0));
        assert!(policy.is_empty());
        assert!(!parse(json!({"keep-last": 0, "keep-yearly": 1})).unwrap().is_empty());
        assert!(!parse(json!({"keep-within": "1s"})).unwrap().is_empty());
    }

    #[test]
    fn unknown_key_is_named() {
        let err = parse(json!({"keep-daily": 7, "keep-dialy": 7})).unwrap_err();
        assert_eq!(err, PolicyError::UnknownKey { key: "keep-dialy".into() });
        let message = err.to_string();
        assert!(message.starts_with("unknown retention setting `keep-dialy`"), "{message}");
        assert!(message.contains("keep_daily"), "{message}");
    }

    #[test]
    fn bad_counts_are_refused() {
        for bad in [json!(-1), json!(1.5), json!("7"), json!(null), json!(true), json!(4_294_967_296_u64)] {
            let err = parse(json!({"keep-weekly": bad.clone()})).unwrap_err();
            assert!(matches!(&err, PolicyError::InvalidCount { key, .. } if key == "keep-weekly"), "{bad}: {err:?}");
        }
        assert_eq!(parse(json!({"keep-last": u32::MAX})).unwrap().keep_last, Some(u32::MAX));
        assert_eq!(
            parse(json!({"keep-last": -1})).unwrap_err().to_string(),
            "`retention.keep-last` must be a whole number from 0 to 4294967295, found `-1`"
        );
    }

    #[test]
    fn bad_durations_are_refused_with_the_parser_reason() {
        for bad in ["", "7", "7x", "1.5d", "-7d", "seven days"] {
            let err = parse(json!({"keep-within": bad})).unwrap_err();
            match &err {
                PolicyError::InvalidDuration { key, source } => {
                    assert_eq!(key, "keep-within");
                    assert_eq!(source.input, bad);
                }
                other => panic!("{bad}: {other:?}"),
            }
            assert_eq!(err.to_string(), "invalid `retention.keep-within`");
        }
        let err = parse(json!({"keep-within": 7})).unwrap_err();
        assert!(
            matches!(&err, PolicyError::InvalidDuration { source, .. } if source.reason.contains("missing unit")),
            "{err:?}"
        );
        let err = parse(json!({"keep-within": ["7d"]})).unwrap_err();
        assert_eq!(err, PolicyError::NotADuration { key: "keep-within".into(), found: "a list" });
    }

    #[test]
    fn section_must_be_a_mapping() {
        assert_eq!(parse(json!([1])).unwrap_err(), PolicyError::NotAMapping { found: "a list" });
        assert_eq!(parse(json!("keep-last 3")).unwrap_err(), PolicyError::NotAMapping { found: "a string" });
    }

    #[test]
    fn displays_as_settings() {
        assert_eq!(Policy::default().to_string(), "no rules");
        let policy = parse(json!({"keep-yearly": 2, "keep-within": "2w", "keep-last": 0})).unwrap();
        assert_eq!(policy.to_string(), "keep-last 0, keep-within 14d, keep-yearly 2");
    }

    #[test]
    fn duration_text_round_trips_through_the_parser() {
        for (millis, text) in
            [(0, "0s"), (500, "500ms"), (90_000, "1m30s"), (129_600_000, "1d12h"), (1_209_600_000, "14d")]
        {
            let d = Duration::from_millis(millis);
            assert_eq!(DurationText(d).to_string(), text);
            assert_eq!(duration::parse(text).unwrap(), d);
        }
    }
}
