//! `cfg hook install`

use std::process::ExitCode;

use cfg::ops::{self, Error, HookOutcome};

/// Manage cfg's git pre-commit hook, which checks the staged content of YAML
/// and JSON files with `cfg check` before each commit.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: HookCommand,
}

#[derive(Debug, clap::Subcommand)]
enum HookCommand {
    /// Install the hook into the current git repository's hooks folder.
    Install {
        /// Replace a different pre-commit hook that is already there.
        #[arg(long)]
        force: bool,
    },
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    match args.command {
        HookCommand::Install { force } => {
            let message = match ops::install_hook(&cwd, force)? {
                HookOutcome::Installed(path) => format!("installed `{}`", path.display()),
                HookOutcome::Replaced(path) => format!("replaced `{}`", path.display()),
                HookOutcome::Unchanged(path) => {
                    format!("`{}` is already installed", path.display())
                }
            };
            eprintln!("{message}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
