//! `cfg diff FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TextOrJson as Format;
use cfg::ops::{self, DiffRequest, Error};
use cfg::settings::Settings;

/// Show a unified diff of FILE: by default, the file on disk against its
/// latest version.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    pub(crate) file: PathBuf,
    /// The old side (default: the latest version).
    #[arg(long)]
    from: Option<String>,
    /// The new side (default: the file on disk).
    #[arg(long)]
    to: Option<String>,
    /// What changed as paths and values (`~ a.b: 1 → 2`, `+ c`, `- d`), list
    /// items named by the schema's `x-merge-key`, instead of lines.
    #[arg(long)]
    keys: bool,
    /// `json` (with --keys): one object per change and line.
    #[arg(long, value_enum, default_value = "text", requires = "keys")]
    format: Format,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let request = DiffRequest { file: args.file.clone(), from: args.from.clone(), to: args.to.clone() };
    let diff = ops::diff(settings, &request)?;
    if !args.keys {
        super::print(paint(&ops::unified_diff(&diff)).as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for change in ops::key_changes(settings, &diff)? {
        match args.format {
            Format::Text => out.push_str(&format!("{change}\n")),
            Format::Json => out.push_str(&format!("{}\n", super::log::key_json(None, &change))),
        }
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Colours a unified diff when standard output is a terminal and `NO_COLOR`
/// is unset; plain text otherwise.
pub(crate) fn paint(diff: &str) -> String {
    if !super::color_stdout() {
        return diff.to_owned();
    }
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let color = match line.as_bytes().first() {
            _ if line.starts_with("+++") || line.starts_with("---") => "\x1b[1m",
            Some(b'+') => "\x1b[32m",
            Some(b'-') => "\x1b[31m",
            Some(b'@') => "\x1b[36m",
            _ => "",
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
            out.push_str(&format!("{color}{body}\x1b[0m{newline}"));
        }
    }
    out
}
