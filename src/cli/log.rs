//! `cfg log [FILE]`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, LogEntry, LogRequest};
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
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Keep running and print each new commit as it lands, oldest first (the
    /// change feed); with -n N, the N newest commits first. Ends when standard
    /// output is closed.
    #[arg(short, long)]
    follow: bool,
}

/// How often `--follow` looks at the branch: often enough to feel immediate,
/// rarely enough to cost nothing.
const FOLLOW_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    /// One JSON object per line.
    Json,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    if args.follow {
        return follow(settings, args);
    }
    let entries = ops::log(settings, &LogRequest { file: args.file.clone(), limit: args.limit })?;
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        match args.format {
            Format::Text => {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&text(entry));
            }
            Format::Json => {
                out.push_str(&json(entry).to_string());
                out.push('\n');
            }
        }
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn rfc3339(seconds: i64, offset: i32) -> String {
    let offset =
        chrono::FixedOffset::east_opt(offset).unwrap_or(chrono::FixedOffset::east_opt(0).expect("zero offset"));
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&offset).to_rfc3339())
        .unwrap_or_else(|| seconds.to_string())
}

pub(crate) fn text(entry: &LogEntry) -> String {
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
