//! `cfg set FILE PATH VALUE`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{Error, ValueEdit};
use cfg::settings::Settings;

/// Set one value in a YAML or JSON file, keeping every other byte
/// (comments, order, quoting, layout) as it was.
///
/// PATH is dotted and indexed: `settings.log_level`, `schedules[2].enabled`,
/// `a."key.with.dots"`. VALUE is YAML or JSON: `true`, `42`, `"quoted"`,
/// `[a, b]`, `{"id": 2}`, or a block mapping on several lines; `-` reads it
/// from standard input. It is written as JSON in a JSON file, as flow YAML
/// inside `[…]`/`{…}`. Missing mapping keys along PATH are created. Paths
/// through aliases and replacing an anchored node are refused (exit 2).
/// Prints the new revision.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The managed YAML or JSON file.
    pub(crate) file: PathBuf,
    /// Where: `settings.log_level`, `schedules[2].enabled`.
    path: String,
    /// The new value, as YAML; `-` for standard input.
    #[arg(allow_hyphen_values = true)]
    value: String,
    #[command(flatten)]
    common: super::append::ValueArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let value = super::append::value_or_stdin(Some(&args.value))?;
    args.common.run(settings, &args.file, ValueEdit::Set { path: args.path.clone(), value })
}
