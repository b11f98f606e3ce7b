//! `cfg trust`

use std::process::ExitCode;

use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Approve, on this host, the commands `.cfg.yaml` names now.
///
/// In a store that syncs with a remote, `.cfg.yaml` can arrive from another
/// host; its `on_write` commands run only once this host approved that exact
/// set (its hash is recorded in `.cfg/trusted`), and a changed set needs
/// approving again. Prints the commands approved.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(settings: &Settings, _args: &Args) -> Result<ExitCode, Error> {
    let outcome = ops::trust(settings)?;
    if outcome.commands.is_empty() {
        eprintln!("`.cfg.yaml` names no commands; nothing to approve");
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if outcome.added { "approved" } else { "already approved" };
    eprintln!("{verb} on this host ({}):", &outcome.hash[..12]);
    let mut out = String::new();
    for command in &outcome.commands {
        out.push_str(&format!("{command}\n"));
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
