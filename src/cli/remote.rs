//! `cfg remote add|list|remove`

use std::process::ExitCode;

use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Manage the remotes the history syncs with (kept in `.cfg/config`, as git
/// keeps them: `git --git-dir .cfg remote -v` lists the same).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a remote: any URL `git` reaches (a path to a bare repository,
    /// ssh, https, git://). The `on_write` commands of `.cfg.yaml` now stay
    /// approved on this host; a changed set needs `cfg trust`.
    Add { name: String, url: String },
    /// List the remotes: name and URL (a credential in it masked).
    List,
    /// Remove a remote and the refs that tracked it.
    Remove { name: String },
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    match &args.command {
        Command::Add { name, url } => ops::add_remote(settings, name, url)?,
        Command::List => {
            let mut out = String::new();
            for remote in ops::remotes(settings)? {
                out.push_str(&format!("{}\t{}\n", remote.name, cfg::store::redact(&remote.url)));
            }
            super::print(out.as_bytes())?;
        }
        Command::Remove { name } => ops::remove_remote(settings, name)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The command line to record, with `url` masked: a URL can hold a
/// credential, and the command line goes into commits and the lock file.
pub(crate) fn without_url(command: &str, url: &str) -> String {
    command.replace(url, "<url>")
}

impl Args {
    /// The URL this command names, if any, to keep out of records.
    pub(crate) fn url(&self) -> Option<&str> {
        match &self.command {
            Command::Add { url, .. } => Some(url),
            _ => None,
        }
    }
}
