//! `cfg rev FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Print the revision of FILE's latest version (the commit that made it).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    pub(crate) file: PathBuf,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let rev = ops::rev(settings, &args.file)?;
    super::print(format!("{rev}\n").as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
