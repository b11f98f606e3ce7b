//! `cfg log [FILE]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TextOrJson as Format;
use cfg::keydiff::KeyChange;
use cfg::ops::{self, Error, LogEntry, LogRequest, ValueChange};
use cfg::settings::Settings;

/// Show the history, newest first: revision, time, author, host, command,
/// message and files changed.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only commits that changed this file.
    pub(crate) file: Option<PathBuf>,
    /// At most N commits.
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    limit: Option<usize>,
    /// `json`: one object per commit, a line each.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Keep running and print each new commit as it lands, oldest first (the
    /// change feed); with -n N, the N newest commits first. Ends when standard
    /// output is closed.
    #[arg(short, long, conflicts_with_all = ["path", "keys", "verify"])]
    follow: bool,
    /// Only commits that changed the value at this path of FILE (`set`'s
    /// syntax; `schedules[skill_name=backup].retry_count` follows a list item
    /// by a key's value), each with the value before and after.
    #[arg(long, value_name = "PATH", requires = "file")]
    path: Option<String>,
    /// Add to each commit what it changed in each file as paths and values.
    #[arg(long)]
    keys: bool,
    /// Add to each commit what its SSH signature says (see `cfg verify`).
    #[arg(long)]
    verify: bool,
    /// git's allowed-signers file for --verify (default: `signing.allowed_signers` of `.cfg.yaml`).
    #[arg(long, value_name = "FILE", requires = "verify")]
    allowed_signers: Option<PathBuf>,
}

/// How often `--follow` looks at the branch: often enough to feel immediate,
/// rarely enough to cost nothing.
const FOLLOW_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    if args.follow {
        return follow(settings, args);
    }
    let entries: Vec<(LogEntry, Option<ValueChange>)> = match (&args.path, &args.file) {
        (Some(path), Some(file)) => ops::value_history(settings, file, path, args.limit)?
            .into_iter()
            .map(|(entry, change)| (entry, Some(change)))
            .collect(),
        _ => ops::log(settings, &LogRequest { file: args.file.clone(), limit: args.limit })?
            .into_iter()
            .map(|entry| (entry, None))
            .collect(),
    };
    let signatures = if args.verify {
        let revs: Vec<ops::Rev> = entries.iter().map(|(entry, _)| entry.info.rev).collect();
        ops::signatures(settings, args.allowed_signers.as_deref(), &revs)?.into_iter().map(Some).collect()
    } else {
        vec![None; entries.len()]
    };
    let mut out = String::new();
    for (i, ((entry, value), signature)) in entries.iter().zip(&signatures).enumerate() {
        let keys = if args.keys { ops::entry_key_changes(settings, entry)? } else { Vec::new() };
        match args.format {
            Format::Text => {
                if i > 0 {
                    out.push('\n');
                }
                let mut text = text_with(entry, value.as_ref(), &keys);
                if let Some(signature) = signature {
                    // After the header lines, before the blank line and the message.
                    let at = text.find("\n\n").map_or(text.len(), |i| i + 1);
                    text.insert_str(at, &format!("Signed:  {signature}\n"));
                }
                out.push_str(&text);
            }
            Format::Json => {
                let mut object = json(entry);
                if let (Some(value), Some(path)) = (value, &args.path) {
                    object["value"] = serde_json::json!({"path": path, "old": value.old, "new": value.new});
                }
                if let Some(signature) = signature {
                    object["signature"] = super::verify::status_json(signature);
                }
                if args.keys {
                    object["keys"] = keys
                        .iter()
                        .flat_map(|(file, changes)| changes.iter().map(move |c| key_json(Some(file.as_str()), c)))
                        .collect();
                }
                out.push_str(&object.to_string());
                out.push('\n');
            }
        }
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// One key-level change as JSON: `{"file", "change", "path", "old", "new"}`.
pub(crate) fn key_json(file: Option<&str>, change: &KeyChange) -> serde_json::Value {
    let mut object = serde_json::json!({
        "change": change.kind,
        "path": change.path_text(),
        "old": change.old,
        "new": change.new,
    });
    if let Some(file) = file {
        object["file"] = file.into();
    }
    object
}

pub(crate) fn rfc3339(seconds: i64, offset: i32) -> String {
    let offset =
        chrono::FixedOffset::east_opt(offset).unwrap_or(chrono::FixedOffset::east_opt(0).expect("zero offset"));
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&offset).to_rfc3339())
        .unwrap_or_else(|| seconds.to_string())
}

pub(crate) fn text(entry: &LogEntry) -> String {
    text_with(entry, None, &[])
}

/// A commit as text; with the value's change of `--path` and the key-level
/// changes of `--keys` under the file they belong to.
fn text_with(entry: &LogEntry, value: Option<&ValueChange>, keys: &[(cfg::fsio::RelPath, Vec<KeyChange>)]) -> String {
    let info = &entry.info;
    let mut out = format!("commit {}\n", info.rev);
    if !info.merged.is_empty() {
        let parents: Vec<String> = info.parent.iter().chain(&info.merged).map(|p| p.short()).collect();
        out.push_str(&format!("Merge:   {}\n", parents.join(" ")));
    }
    out.push_str(&format!("Date:    {}\n", rfc3339(info.author.seconds, info.author.offset)));
    out.push_str(&format!("Author:  {} <{}>\n", info.author.name, info.author.email));
    if let Some(host) = info.host() {
        out.push_str(&format!("Host:    {host}\n"));
    }
    if let Some(command) = info.command() {
        out.push_str(&format!("Command: {command}\n"));
    }
    for change in &entry.changes {
        let mark = match change.kind {
            ops::ChangeKind::Added => 'A',
            ops::ChangeKind::Modified => 'M',
            ops::ChangeKind::Deleted => 'D',
        };
        out.push_str(&format!("Changed: {mark} {}\n", change.path));
        for (_, changes) in keys.iter().filter(|(path, _)| *path == change.path) {
            for key_change in changes {
                out.push_str(&format!("         {key_change}\n"));
            }
        }
    }
    if let Some(value) = value {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        out.push_str(&format!("Value:   {} → {}\n", show(&value.old), show(&value.new)));
    }
    out.push('\n');
    for line in info.message.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    out
}

pub(crate) fn json(entry: &LogEntry) -> serde_json::Value {
    let info = &entry.info;
    serde_json::json!({
        "rev": info.rev.to_string(),
        "time": rfc3339(info.author.seconds, info.author.offset),
        "author": format!("{} <{}>", info.author.name, info.author.email),
        "host": info.host(),
        "command": info.command(),
        "message": info.message,
        "files": entry.changes.iter().map(|c| serde_json::json!({"path": c.path.as_str(), "change": c.kind})).collect::<Vec<_>>(),
        "parent": info.parent.map(|p| p.to_string()),
        "parents": info.parent.iter().chain(&info.merged).map(|p| p.to_string()).collect::<Vec<_>>(),
    })
}

fn follow(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let mut follower = ops::Follower::new(settings, args.file.as_deref())?;
    let mut entries = follower.recent(args.limit.unwrap_or(0))?;
    let mut first = true;
    loop {
        for entry in &entries {
            let mut out = String::new();
            match args.format {
                Format::Text => {
                    if !first {
                        out.push('\n');
                    }
                    out.push_str(&text(entry));
                }
                Format::Json => {
                    out.push_str(&json(entry).to_string());
                    out.push('\n');
                }
            }
            first = false;
            if !write_flushed(out.as_bytes())? {
                return Ok(ExitCode::SUCCESS);
            }
        }
        std::thread::sleep(FOLLOW_INTERVAL);
        entries = follower.poll()?;
    }
}

/// Writes and flushes; `false` once the reader is gone (a closed pipe).
fn write_flushed(bytes: &[u8]) -> Result<bool, Error> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(cfg::fsio::IoError::new(cfg::fsio::Step::Write, "standard output", e).into()),
    }
}
