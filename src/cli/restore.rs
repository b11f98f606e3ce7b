//! `cfg restore REV [FILE...]`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, RestoreRequest};
use cfg::settings::Settings;

/// Bring files back to their content at REV, as a new commit.
///
/// Each FILE (default: every file the store holds at REV) goes through the
/// same safe write path as `cfg write`. History is never rewritten and
/// nothing is deleted. Prints the new revision; with `--dry-run`, the diff it
/// would commit instead.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    rev: String,
    pub(crate) files: Vec<PathBuf>,
    #[arg(short, long)]
    message: Option<String>,
    #[command(flatten)]
    expect: super::expect::ExpectArgs,
    #[command(flatten)]
    dry_run: super::DryRunArgs,
    #[command(flatten)]
    hooks: super::HookArgs,
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
    if args.dry_run.dry_run {
        return super::report_preview(&args.expect.keep_conflict(ops::preview_restore(settings, request))?);
    }
    let outcome = args.expect.keep_conflict(ops::restore(settings, request))?;
    args.push.after_write(settings, outcome.rev)?;
    if !outcome.changed {
        eprintln!("already at the content of {}; no commit", outcome.from.short());
    }
    super::print(format!("{}\n", outcome.rev).as_bytes())?;
    Ok(args.hooks.exit_code(&outcome.hooks))
}
