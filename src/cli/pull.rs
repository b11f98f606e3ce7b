//! `cfg pull [REMOTE]`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, PullRequest, Side, Take};
use cfg::settings::Settings;

/// Fetch the remote's history and bring it in.
///
/// Behind: a fast-forward to the remote's own commits. Both moved on: each
/// file changed on both sides is merged three-way, validated, and one merge
/// commit is made. A conflict (exit 3) or a remote version this host's
/// validation rejects (exit 1) changes nothing and is reported with the
/// files, the remote's commits that changed them and the conflicting regions;
/// `--take local|remote [FILE...]` resolves: the files (default: every file
/// that stopped the pull) take that side's version whole. `on_write` commands
/// run for every file the pull changed.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The remote (default: `remote:` in `.cfg.yaml`, else the only one, else `origin`).
    remote: Option<String>,
    /// `local` or `remote`, then the files that take that side's version.
    #[arg(long, value_name = "SIDE [FILE]", num_args = 1..)]
    take: Vec<PathBuf>,
    /// Do not fetch: merge the remote's branch as the last fetch or push saw
    /// it (resolve a refused pull without the network).
    #[arg(long)]
    no_fetch: bool,
    #[command(flatten)]
    hooks: super::HookArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let request = PullRequest { remote: args.remote.clone(), take: take(&args.take)?, no_fetch: args.no_fetch };
    let outcome = ops::pull(settings, &request)?;
    if outcome.changed() {
        super::sync::describe_pull(&outcome);
    }
    Ok(args.hooks.exit_code(&outcome.hooks))
}

/// `--take SIDE [FILE...]`, checked.
pub(crate) fn take(values: &[PathBuf]) -> Result<Option<Take>, Error> {
    let Some((side, files)) = values.split_first() else { return Ok(None) };
    let side = match side.to_str() {
        Some("local") => Side::Local,
        Some("remote") => Side::Remote,
        _ => {
            return Err(Error::Usage(format!(
                "`--take {}`: the side is `local` or `remote`, then the files",
                side.display()
            )));
        }
    };
    Ok(Some(Take { side, files: files.to_vec() }))
}
