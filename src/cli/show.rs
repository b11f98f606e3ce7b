//! `cfg show REV`

use std::process::ExitCode;

use cfg::ops::{self, Error};
use cfg::settings::Settings;

/// Show one commit's metadata and diff.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Anything git can resolve: full or abbreviated ids, `HEAD~3`.
    rev: String,
    /// What changed as paths and values, file by file, instead of lines.
    #[arg(long)]
    keys: bool,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let (entry, diffs) = ops::show(settings, &args.rev)?;
    let mut out = super::log::text(&entry);
    for diff in &diffs {
        out.push('\n');
        if args.keys {
            out.push_str(&format!("{}\n", diff.path));
            for change in ops::key_changes(settings, diff)? {
                out.push_str(&format!("  {change}\n"));
            }
        } else {
            out.push_str(&super::diff::paint(&ops::unified_diff(diff)));
        }
    }
    super::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
