//! `cfg push [REMOTE]`

use std::process::ExitCode;

use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Publish this host's branch on the remote; never forced.
///
/// A remote whose branch holds commits this host lacks refuses the push
/// (exit 3): `cfg pull` brings them in first, or `cfg sync` does both.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The remote (default: `remote:` in `.cfg.yaml`, else the only one, else `origin`).
    remote: Option<String>,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let outcome = ops::push(settings, args.remote.as_deref())?;
    match (outcome.rev, outcome.pushed) {
        (Some(rev), true) => eprintln!("pushed {} to `{}`", rev.short(), outcome.remote),
        (Some(rev), false) => eprintln!("`{}` holds {} already", outcome.remote, rev.short()),
        (None, _) => eprintln!("nothing to push: the store has no commits"),
    }
    Ok(ExitCode::SUCCESS)
}
