//! `cfg status`

use std::process::ExitCode;

use cfg::ops::{self, Error, FileStatus};
use cfg::settings::Settings;

/// List managed files edited outside cfg (content on disk differs from the
/// latest version) and files missing on disk.
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
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
