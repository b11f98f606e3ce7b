//! `cfg gc`

use std::io::IsTerminal;
use std::process::ExitCode;

use super::TextOrJson as Format;
use cfg::ops::{self, Error, GcOutcome, GcRequest, Method};
use cfg::retention::Policy;
use cfg::settings::Settings;

/// Prune history with a retention policy (restic's rules, ORed).
///
/// A version is kept if any rule keeps it; the latest is always kept. With no
/// --keep-* flag the policy is `retention:` in `.cfg.yaml`; with neither, gc
/// refuses. When the kept versions are the newest ones, history is cut and
/// every kept revision keeps its id; otherwise kept versions are rewritten and
/// their old ids keep working. Meant to run from cron: quiet when there is
/// nothing to prune.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Keep the N newest versions.
    #[arg(long, value_name = "N")]
    keep_last: Option<u32>,
    /// Keep versions younger than DUR before the latest (`7d`, `12h`, `2w`).
    #[arg(long, value_name = "DUR", value_parser = super::parse_duration)]
    keep_within: Option<std::time::Duration>,
    /// Keep the newest version of each of the last N hours that have one.
    #[arg(long, value_name = "N")]
    keep_hourly: Option<u32>,
    /// … of each of the last N days.
    #[arg(long, value_name = "N")]
    keep_daily: Option<u32>,
    /// … of each of the last N weeks (Monday to Sunday).
    #[arg(long, value_name = "N")]
    keep_weekly: Option<u32>,
    /// … of each of the last N months.
    #[arg(long, value_name = "N")]
    keep_monthly: Option<u32>,
    /// … of each of the last N years.
    #[arg(long, value_name = "N")]
    keep_yearly: Option<u32>,
    /// Decide and report, change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Print nothing but errors.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Also report when there is nothing to prune.
    #[arg(short, long)]
    verbose: bool,
}

impl Args {
    fn policy(&self) -> Option<Policy> {
        let policy = Policy {
            keep_last: self.keep_last,
            keep_within: self.keep_within,
            keep_hourly: self.keep_hourly,
            keep_daily: self.keep_daily,
            keep_weekly: self.keep_weekly,
            keep_monthly: self.keep_monthly,
            keep_yearly: self.keep_yearly,
        };
        (policy != Policy::default()).then_some(policy)
    }
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let policy = match args.policy() {
        Some(policy) => policy,
        None => ops::project_retention(settings)?.ok_or_else(|| {
            Error::Usage(
                "no retention policy: pass --keep-last/--keep-within/--keep-daily… or set `retention:` in .cfg.yaml"
                    .into(),
            )
        })?,
    };
    let now = chrono::Local::now().fixed_offset();
    let request = GcRequest { policy, dry_run: args.dry_run, now };
    let show_progress = std::io::stderr().is_terminal() && !args.quiet;
    let mut progress = |read: usize| {
        if show_progress {
            eprint!("\rreading history: {read} commits");
        }
    };
    let outcome = ops::gc(settings, &request, &mut progress)?;
    if show_progress && outcome.commits.len() >= 1000 {
        eprint!("\r\x1b[K");
    }
    match args.format {
        Format::Json => super::print(format!("{}\n", json(&outcome)).as_bytes())?,
        Format::Text if args.quiet => {}
        Format::Text if outcome.method == Method::Nothing && !args.verbose => {}
        Format::Text => super::print(text(&outcome, args.verbose).as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn text(outcome: &GcOutcome, verbose: bool) -> String {
    let mut out = String::new();
    for (info, decision) in &outcome.commits {
        if !verbose && decision.keep && outcome.commits.len() > 200 {
            continue;
        }
        let word = if decision.keep { "keep" } else { "drop" };
        let time = super::log::rfc3339(info.committer.seconds, info.committer.offset);
        let subject = info.message.lines().next().unwrap_or_default();
        let reasons: Vec<String> = decision.reasons.iter().map(ToString::to_string).collect();
        let why = if reasons.is_empty() { String::new() } else { format!("  ({})", reasons.join(", ")) };
        out.push_str(&format!("{word} {} {time} {subject}{why}\n", info.rev.short()));
    }
    let (would, freed) = if outcome.dry_run { ("would ", "would free") } else { ("", "freed") };
    let how = match outcome.method {
        Method::Nothing => "nothing to prune".to_owned(),
        Method::Shallow => format!(
            "{would}prune {} of {} versions (history cut below the oldest kept one; kept revisions keep their ids)",
            outcome.dropped(),
            outcome.commits.len()
        ),
        Method::Rewrite => format!(
            "{would}prune {} of {} versions (kept versions rewritten; their old revisions still resolve)",
            outcome.dropped(),
            outcome.commits.len()
        ),
    };
    if outcome.method == Method::Nothing {
        out.push_str(&format!("{how}\n"));
    } else {
        out.push_str(&format!("{how}; {freed} {} in {} objects\n", human(outcome.freed.bytes), outcome.freed.objects));
    }
    out
}

fn json(outcome: &GcOutcome) -> serde_json::Value {
    serde_json::json!({
        "dry_run": outcome.dry_run,
        "method": outcome.method,
        "kept": outcome.commits.len() - outcome.dropped(),
        "dropped": outcome.dropped(),
        "freed_bytes": outcome.freed.bytes,
        "freed_objects": outcome.freed.objects,
        "commits": outcome.commits.iter().map(|(info, decision)| serde_json::json!({
            "rev": info.rev.to_string(),
            "time": super::log::rfc3339(info.committer.seconds, info.committer.offset),
            "keep": decision.keep,
            "reasons": decision.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Bytes in human units (KiB, MiB, GiB).
fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}
