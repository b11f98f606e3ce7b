//! `cfg cat FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Print the committed content of FILE (latest, or at REV).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    pub(crate) file: PathBuf,
    /// The revision to read (anything git can resolve: ids, `HEAD~3`).
    #[arg(long)]
    rev: Option<String>,
    /// Also print the revision read, on standard error (for `--expect`).
    #[arg(long)]
    print_rev: bool,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let (content, rev) = ops::cat(settings, &args.file, args.rev.as_deref())?;
    super::print(&content)?;
    if args.print_rev {
        eprintln!("{rev}");
    }
    Ok(ExitCode::SUCCESS)
}
