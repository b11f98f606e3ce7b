//! `cfg completions SHELL`

use std::process::ExitCode;

use cfg::ops::Error;
use clap::CommandFactory as _;

/// Print a shell completion script, generated from the command definitions.
///
///     cfg completions bash > /etc/bash_completion.d/cfg
///     cfg completions zsh > "${fpath[1]}/_cfg"
///     cfg completions fish > ~/.config/fish/completions/cfg.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {
    shell: clap_complete::Shell,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, Error> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut super::Cli::command(), "cfg", &mut out);
    super::print(&out)?;
    Ok(ExitCode::SUCCESS)
}
