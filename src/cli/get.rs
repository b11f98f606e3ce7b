//! `cfg get FILE PATH`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, GetFormat, GetRequest};

use super::GlobalArgs;

/// Print one value of a YAML or JSON file, as scripts do with `yq`.
///
/// PATH is dotted and indexed, as for `cfg set`: `settings.log_level`,
/// `schedules[2].enabled`, `.` for the whole document. Reads the file as it
/// is on disk (no store needed), or as it was at `--rev`. A PATH that does
/// not exist prints nothing on standard output and exits 8, unless
/// `--default` gives a value to print instead.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The YAML or JSON file.
    pub(crate) file: PathBuf,
    /// Which value: `settings.log_level`, `schedules[2]`.
    path: String,
    /// Read the file as it was at this revision (anything git resolves).
    #[arg(long)]
    rev: Option<String>,
    /// `yaml` (block YAML, tags kept), `json` (two spaces a level) or `raw`
    /// (a scalar without quotes; a collection as JSON). Default: the file's
    /// own format.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Print VALUE (as given, and a line break) when PATH does not exist,
    /// and exit 0.
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    default: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Yaml,
    Json,
    Raw,
}

pub(crate) fn run(global: &GlobalArgs, args: &Args) -> Result<ExitCode, Error> {
    let settings = match super::settings(global, Some(&args.file)) {
        Ok(settings) => settings,
        // The file on disk needs no store; a revision does.
        Err(Error::NoStore { .. }) if args.rev.is_none() => {
            let cwd =
                std::env::current_dir().map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
            let mut settings = ops::settings_for(&ops::check_root(&cwd))?;
            settings.cwd = cwd;
            settings
        }
        Err(e) => return Err(e),
    };
    let request = GetRequest {
        file: args.file.clone(),
        path: args.path.clone(),
        rev: args.rev.clone(),
        format: args.format.map(|f| match f {
            Format::Yaml => GetFormat::Yaml,
            Format::Json => GetFormat::Json,
            Format::Raw => GetFormat::Raw,
        }),
    };
    match (ops::get(&settings, &request)?, &args.default) {
        (Some(text), _) => super::print(text.as_bytes())?,
        (None, Some(default)) => super::print(format!("{default}\n").as_bytes())?,
        (None, None) => return Err(Error::NoValue { file: args.file.clone(), path: args.path.clone() }),
    }
    Ok(ExitCode::SUCCESS)
}
