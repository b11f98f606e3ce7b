//! The `cron` string format: a standard 5-field crontab schedule, as Vixie cron
//! reads it.
//!
//! Accepted: `minute hour day-of-month month day-of-week`, each field a list of
//! `*`, `N`, `N-M`, `*/S` or `N-M/S`; month names `jan`..`dec` and day names
//! `sun`..`sat` (any case); day-of-week 0-7 where 0 and 7 are both Sunday; and
//! the shortcuts `@yearly @annually @monthly @weekly @daily @midnight @hourly
//! @reboot`. Day-of-month and day-of-week are ORed when both are restricted.
//!
//! The grammar is checked here first, because croner (which computes run times)
//! also accepts extensions that crontab does not: seconds and year fields, `L`,
//! `W`, `#`, `?` and `N/S`. croner is then asked to parse the same expression in
//! its strict 5-field mode, so both agree on what is valid.

use chrono::{DateTime, TimeZone};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// Why an expression is not a valid crontab schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression `{expr}`: {reason}")]
pub struct CronError {
    pub expr: String,
    pub reason: String,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: &[] },
    Field { name: "hour", min: 0, max: 23, names: &[] },
    Field { name: "day of month", min: 1, max: 31, names: &[] },
    Field { name: "month", min: 1, max: 12, names: MONTHS },
    Field { name: "day of week", min: 0, max: 7, names: DAYS },
];

/// The 5-field form of a shortcut; `None` for `@reboot`, which has no times.
fn shortcut(expr: &str) -> Option<Option<&'static str>> {
    Some(Some(match expr {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        "@reboot" => return Some(None),
        _ => return None,
    }))
}

/// Checks a cron expression.
pub fn check(expr: &str) -> Result<(), CronError> {
    parse(expr).map(|_| ())
}

/// Whether `expr` is a valid cron expression (the `cron` format's check).
pub fn is_valid(expr: &str) -> bool {
    check(expr).is_ok()
}

/// The next `count` run times after `after`; empty for `@reboot`.
pub fn next_runs<Tz: TimeZone>(expr: &str, after: &DateTime<Tz>, count: usize) -> Result<Vec<DateTime<Tz>>, CronError> {
    let Some(cron) = parse(expr)? else {
        return Ok(Vec::new());
    };
    Ok(cron.iter_after(after.clone()).take(count).collect())
}

fn parse(expr: &str) -> Result<Option<Cron>, CronError> {
    let err = |reason: String| CronError { expr: expr.to_owned(), reason };
    let five_fields = if expr.starts_with('@') {
        match shortcut(expr) {
            Some(Some(fields)) => fields,
            Some(None) => return Ok(None),
            None => {
                return Err(err(
                    "unknown shortcut (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @reboot)"
                        .into(),
                ));
            }
        }
    } else {
        check_fields(expr).map_err(err)?;
        expr
    };
    let parser = CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).dom_and_dow(false).build();
    parser.parse(five_fields).map(Some).map_err(|e| err(e.to_string()))
}

fn check_fields(expr: &str) -> Result<(), String> {
    if expr.trim() != expr {
        return Err("leading or trailing whitespace".into());
    }
    let fields: Vec<&str> = expr.split_ascii_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected 5 fields (minute hour day-of-month month day-of-week), found {}", fields.len()));
    }
    for (text, field) in fields.iter().zip(&FIELDS) {
        check_field(text, field).map_err(|reason| format!("{} field `{text}`: {reason}", field.name))?;
    }
    Ok(())
}

fn check_field(text: &str, field: &Field) -> Result<(), String> {
    if let Some(bad) = text.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/'))) {
        return Err(format!("`{bad}` is not standard crontab syntax"));
    }
    for item in text.split(',') {
        if item.is_empty() {
            return Err("empty list item".into());
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        let span = if range == "*" {
            field.max - field.min + 1
        } else if let Some((low, high)) = range.split_once('-') {
            let low = value(low, field)?;
            let high = value(high, field)?;
            if low > high {
                return Err(format!("range {low}-{high} runs backwards"));
            }
            high - low + 1
        } else {
            value(range, field)?;
            if step.is_some() {
                return Err("a step needs a range or `*` before it (`N/S` is not crontab syntax)".into());
            }
            1
        };
        if let Some(step) = step {
            let step: u32 = step.parse().map_err(|_| format!("step `{step}` is not a number"))?;
            if step == 0 || step > span.max(field.max) {
                return Err(format!("step {step} is out of range"));
            }
        }
    }
    Ok(())
}

fn value(text: &str, field: &Field) -> Result<u32, String> {
    if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() && text.len() <= 2 {
        let n: u32 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
        if n < field.min || n > field.max {
            return Err(format!("{n} is outside {}-{}", field.min, field.max));
        }
        return Ok(n);
    }
    let lower = text.to_ascii_lowercase();
    let quartz = lower.trim_start_matches(|c: char| c.is_ascii_digit());
    if matches!(quartz, "l" | "w" | "lw") {
        return Err("the Quartz `L`/`W` extensions are not standard crontab syntax".into());
    }
    match field.names.iter().position(|name| *name == lower) {
        Some(i) => Ok(i as u32 + if field.names.len() == 12 { 1 } else { 0 }),
        None if field.names.is_empty() => Err(format!("`{text}` is not a number from {} to {}", field.min, field.max)),
        None => Err(format!(
            "`{text}` is not a number from {} to {} or a name like `{}`",
            field.min, field.max, field.names[1]
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[&str] = &[
        "* * * * *",
        "0 2 * * *",
        "*/15 * * * *",
        "30 4 1 * *",
        "0 0 * * 0",
        "0 0 * * 7",
        "5 9-17 * * 1-5",
        "0 0 1,15 * *",
        "0 0 1 jan *",
        "0 0 * * mon",
        "0 0 * * MON-FRI",
        "0 0 1 JAN-MAR *",
        "0 0 * Jan,Jul Sun",
        "0-59/5 * * * *",
        "10-50/10 0-23/2 * * *",
        "59 23 31 12 6",
        "0 12 1-7 * 1",
        "0 0 13 * 5",
        "15,45 */2 * * *",
        "0 0 29 2 *",
        "0 0 31 2 *",
        "*/60 * * * *",
        "0 0 * * sun-sat",
        "0 0\t* * *",
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
        "@reboot",
    ];

    const INVALID: &[&str] = &[
        "",
        "* * * *",
        "* * * * * *",
        "0 0 0 * * * 2024",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 0 *",
        "* * * 13 *",
        "* * * * 8",
        "0 0 L * *",
        "0 0 * * 5L",
        "0 0 15W * *",
        "0 0 * * 1#2",
        "0 0 ? * 1",
        "0/15 * * * *",
        "5/10 * * * *",
        "*/0 * * * *",
        "17-5 * * * *",
        "a * * * *",
        "0 0 * foo *",
        "0 0 * * monday",
        "1,,2 * * * *",
        "1- * * * *",
        "-1 * * * *",
        "@every 5m",
        "@Daily",
        "@reboot now",
        " 0 0 * * *",
        "0 0 * * * ",
        "*/abc * * * *",
        "0 0 * * jan",
        "0 0 1 mon *",
        "100 * * * *",
        "* * * * ,",
        "0 0 * * 1/2",
        "*/61 * * * *",
    ];

    #[test]
    fn cron_table() {
        assert!(VALID.len() + INVALID.len() >= 40);
        for expr in VALID {
            assert!(check(expr).is_ok(), "should accept {expr:?}: {:?}", check(expr));
        }
        for expr in INVALID {
            assert!(check(expr).is_err(), "should reject {expr:?}");
        }
    }

    #[test]
    fn reasons_name_the_problem() {
        let e = check("0 0 L * *").unwrap_err();
        assert!(e.reason.contains("day of month field `L`"), "{e}");
        let e = check("* * * *").unwrap_err();
        assert!(e.reason.contains("found 4"), "{e}");
        let e = check("0 0 1#2 * *").unwrap_err();
        assert!(e.reason.contains("`#` is not standard"), "{e}");
    }

    #[test]
    fn next_runs_follow_the_schedule() {
        let after = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let runs = next_runs("30 4 * * *", &after, 2).unwrap();
        assert_eq!(runs[0], chrono::Utc.with_ymd_and_hms(2024, 1, 1, 4, 30, 0).unwrap());
        assert_eq!(runs[1], chrono::Utc.with_ymd_and_hms(2024, 1, 2, 4, 30, 0).unwrap());
        // 7 and 0 are both Sunday; 2024-01-07 is a Sunday.
        let sunday = next_runs("0 0 * * 7", &after, 1).unwrap();
        assert_eq!(sunday[0], chrono::Utc.with_ymd_and_hms(2024, 1, 7, 0, 0, 0).unwrap());
        // Vixie ORs day-of-month and day-of-week: the 13th, or any Friday.
        let runs = next_runs("0 0 13 * 5", &after, 2).unwrap();
        assert_eq!(runs[0], chrono::Utc.with_ymd_and_hms(2024, 1, 5, 0, 0, 0).unwrap());
        assert_eq!(runs[1], chrono::Utc.with_ymd_and_hms(2024, 1, 12, 0, 0, 0).unwrap());
        assert!(next_runs("@reboot", &after, 3).unwrap().is_empty());
    }
}
