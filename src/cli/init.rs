//! `cfg init [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error};

/// Create the side repository `DIR/.cfg/` (idempotent).
///
/// If DIR is inside a git work tree, `.cfg/` is added to that repository's
/// `.git/info/exclude`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The folder to manage (default: the current folder).
    #[arg(default_value = ".")]
    dir: PathBuf,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, Error> {
    let outcome = ops::init(&args.dir)?;
    let verb = if outcome.created { "initialized" } else { "already initialized" };
    eprintln!("{verb} cfg store in {}", outcome.store.display());
    if let Some(exclude) = outcome.excluded_in {
        eprintln!("excluded .cfg/ in {}", exclude.display());
    }
    Ok(ExitCode::SUCCESS)
}
