//! `cfg man`

use std::process::ExitCode;

use cfg::fsio::{IoError, Step};
use cfg::ops::Error;
use clap::CommandFactory as _;

/// Print the manual page (roff), generated from the command definitions.
///
///     cfg man > /usr/local/share/man/man1/cfg.1
///     cfg man | man -l -
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args) -> Result<ExitCode, Error> {
    let mut command = super::Cli::command();
    command.build();
    let mut out = Vec::new();
    let page = |e| IoError::new(Step::Write, "the manual page", e);
    clap_mangen::Man::new(command.clone()).render(&mut out).map_err(page)?;
    // One page: each subcommand's synopsis, description and options follow as
    // subsections of COMMANDS, the way git's single-page manuals read.
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("cfg {}", sub.get_name());
        let man = clap_mangen::Man::new(sub.clone().bin_name(name.clone()));
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section).map_err(page)?;
        man.render_description_section(&mut section).map_err(page)?;
        man.render_options_section(&mut section).map_err(page)?;
        for line in String::from_utf8_lossy(&section).lines() {
            let line = match line {
                ".SH SYNOPSIS" => format!(".SS \"{name}\""),
                ".SH DESCRIPTION" => ".PP".to_owned(),
                ".SH OPTIONS" => ".PP\nOptions:".to_owned(),
                other => other.to_owned(),
            };
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    super::print(&out)?;
    Ok(ExitCode::SUCCESS)
}
