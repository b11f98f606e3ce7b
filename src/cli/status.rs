//! `cfg status`

use std::process::ExitCode;

use cfg::ops::{self, Error, FileStatus};
use cfg::settings::Settings;

/// List managed files edited outside cfg (content on disk differs from the
/// latest version) and files missing on disk; then, for each remote this
/// host is not in step with, how many commits it is ahead and behind (as of
/// the last fetch or push: status never uses the network), and commands in
/// `.cfg.yaml` that wait for `cfg trust`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(settings: &Settings, _args: &Args) -> Result<ExitCode, Error> {
    let mut out = String::new();
    for entry in ops::status(settings)? {
        let word = match entry.status {
            FileStatus::Modified => "modified",
            FileStatus::Missing => "missing ",
        };
        out.push_str(&format!("{word} {}\n", entry.path));
    }
    if let ops::Approval::Missing { commands, .. } = ops::approval(settings)? {
        let listed: Vec<String> = commands.iter().map(|c| format!("`{c}`")).collect();
        out.push_str(&format!("unapproved commands in .cfg.yaml, skipped until `cfg trust`: {}\n", listed.join(", ")));
    }
    for remote in ops::remote_status(settings)? {
        let (name, ahead, behind) = (&remote.name, remote.ahead, remote.behind);
        match (remote.seen, ahead, behind) {
            (None, _, _) => out.push_str(&format!("remote {name}: never fetched or pushed\n")),
            (Some(_), 0, 0) => {}
            (Some(_), _, _) => {
                out.push_str(&format!("remote {name}: {ahead} ahead, {behind} behind (as of the last fetch or push)\n"))
            }
        }
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
