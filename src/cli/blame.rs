//! `cfg blame FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TextOrJson as Format;
use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Show each line of FILE with the commit that last changed it: revision,
/// date, author and message, as `git blame` finds them.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    pub(crate) file: PathBuf,
    /// The version to blame (default: the latest).
    #[arg(long)]
    rev: Option<String>,
    /// `json`: one object per line of the file.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// How much of a message the text shows.
const MESSAGE_WIDTH: usize = 24;

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let blame = ops::blame(settings, &args.file, args.rev.as_deref())?;
    let first_line = |i: usize| blame.commits[i].message.lines().next().unwrap_or_default().to_owned();
    let author_width = blame.commits.iter().map(|c| c.author.name.chars().count()).max().unwrap_or(0);
    let number_width = blame.lines.len().to_string().len();
    let mut out = String::new();
    for (n, (at, line)) in blame.lines.iter().enumerate() {
        let info = &blame.commits[*at];
        let time = super::log::rfc3339(info.author.seconds, info.author.offset);
        let content = line.strip_suffix('\n').unwrap_or(line);
        match args.format {
            Format::Text => {
                let message: String = first_line(*at).chars().take(MESSAGE_WIDTH).collect();
                out.push_str(&format!(
                    "{} {} {:<author_width$} {:<MESSAGE_WIDTH$} {:>number_width$}) {content}\n",
                    info.rev.short(),
                    &time[..10.min(time.len())],
                    info.author.name,
                    message,
                    n + 1,
                ));
            }
            Format::Json => out.push_str(&format!(
                "{}\n",
                serde_json::json!({
                    "line": n + 1,
                    "rev": info.rev.to_string(),
                    "author": format!("{} <{}>", info.author.name, info.author.email),
                    "time": time,
                    "message": info.message,
                    "content": content,
                })
            )),
        }
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
