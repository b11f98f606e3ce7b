//! `cfg unset FILE PATH`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{Error, ValueEdit};
use cfg::settings::Settings;

/// Remove one mapping entry or list item from a YAML or JSON file, keeping
/// every other byte as it was (a flow or JSON member goes with its separator).
///
/// The last child of a mapping or list leaves `{}` or `[]`, so the value keeps
/// its type. A PATH that does not exist exits 2. Prints the new revision.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The managed YAML or JSON file.
    pub(crate) file: PathBuf,
    /// What to remove: `settings.debug`, `schedules[2]`.
    path: String,
    #[command(flatten)]
    common: super::append::ValueArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    args.common.run(settings, &args.file, ValueEdit::Unset { path: args.path.clone() })
}
