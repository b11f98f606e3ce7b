//! `cfg restore REV [FILE...]`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, RestoreRequest};
use cfg::settings::Settings;

/// Bring files back to their content at REV, as a new commit.
///
/// Each FILE (default: every file the store holds at REV) goes through the
/// same safe write path as `cfg write`. History is never rewritten and
/// nothing is deleted. Prints the new revision.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    rev: String,
    pub(crate) files: Vec<PathBuf>,
    #[arg(short, long)]
    message: Option<String>,
    #[command(flatten)]
    expect: super::expect::ExpectArgs,
    #[command(flatten)]
    push: super::sync::PushArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let request = RestoreRequest {
        rev: args.rev.clone(),
        files: args.files.clone(),
        message: args.message.clone(),
        expect: args.expect.expect(),
        on_change: args.expect.on_change(),
    };
    let outcome = args.expect.keep_conflict(ops::restore(settings, request))?;
    args.push.after_write(settings, outcome.rev)?;
    if !outcome.changed {
        eprintln!("already at the content of {}; no commit", outcome.from.short());
    }
    super::warn_hooks(&outcome.hooks);
    super::print(format!("{}\n", outcome.rev).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
