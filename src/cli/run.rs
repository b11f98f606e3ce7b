//! `cfg run FILE... -- CMD ARGS...`

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, RunRequest};
use cfg::settings::Settings;

/// Run a command that edits FILEs in place, under the store lock, then
/// validate and commit them.
///
/// Outside edits of the FILEs are recorded first; the lock is held while CMD
/// runs (other cfg writers and `flock .cfg/lock` scripts wait). Then each FILE
/// is validated. All valid: one commit of every changed FILE, the command line
/// in the message; prints the revision. Any FILE invalid or removed (exit 1), or
/// CMD failing or not found (exit 7): every FILE is put back to its content
/// from before CMD, and nothing is committed.
///
///     cfg run schedule.yml -- yq -i '.settings.log_level = "debug"' schedule.yml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    /// The files CMD may change.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<OsString>,
    /// The commit message (default: "run CMD ARGS").
    #[arg(short, long)]
    message: Option<String>,
    #[command(flatten)]
    hooks: super::HookArgs,
    #[command(flatten)]
    push: super::sync::PushArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let request =
        RunRequest { files: args.files.clone(), command: args.command.clone(), message: args.message.clone() };
    let outcome = ops::run(settings, request)?;
    if let Some(external) = outcome.external {
        eprintln!("note: outside edits were recorded first, as commit {external}");
    }
    if outcome.changed.is_empty() {
        eprintln!("the command changed none of the files; no commit");
    }
    if let Some(rev) = outcome.rev {
        args.push.after_write(settings, rev)?;
        super::print(format!("{rev}\n").as_bytes())?;
    }
    Ok(args.hooks.exit_code(&outcome.hooks))
}
