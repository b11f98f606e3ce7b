//! `cfg write FILE`

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error, WriteRequest};
use cfg::settings::Settings;

/// Replace FILE with new content: lock, validate, run the checks of
/// `.cfg.yaml`, durable replace, commit.
///
/// Prints the new revision (40-hex commit id) on standard output; with
/// `--dry-run`, the diff it would commit instead.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The managed file to write.
    pub(crate) file: PathBuf,
    /// Read the new content from SRC instead of standard input.
    #[arg(short = 'i', long = "input", value_name = "SRC")]
    input: Option<PathBuf>,
    /// The commit message (default: "write FILE").
    #[arg(short, long)]
    message: Option<String>,
    #[command(flatten)]
    expect: super::expect::ExpectArgs,
    #[command(flatten)]
    dry_run: super::DryRunArgs,
    #[command(flatten)]
    hooks: super::HookArgs,
    /// Refuse content holding a YAML tag outside the YAML types repository
    /// (as `strict_tags: true` in `.cfg.yaml` does).
    #[arg(long)]
    strict_tags: bool,
    #[command(flatten)]
    push: super::sync::PushArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let mut settings = settings.clone();
    settings.project.strict_tags |= args.strict_tags;
    let settings = &settings;
    // Read one byte past the limit: enough for the validator to refuse an
    // oversized input without holding all of it in memory.
    let limit = ops::size_limit(settings) as u64 + 1;
    let mut content = Vec::new();
    match &args.input {
        Some(src) if src.as_os_str() != "-" => {
            let input = |source| Error::Input { path: src.clone(), source };
            let file = std::fs::File::open(src).map_err(input)?;
            file.take(limit).read_to_end(&mut content).map_err(input)?;
        }
        _ => {
            std::io::stdin()
                .take(limit)
                .read_to_end(&mut content)
                .map_err(|source| Error::Input { path: "standard input".into(), source })?;
        }
    }
    let mut request = WriteRequest::new(&args.file, content);
    request.message = args.message.clone();
    request.expect = args.expect.expect();
    request.on_change = args.expect.on_change();
    if args.dry_run.dry_run {
        return super::report_preview(&args.expect.keep_conflict(ops::preview_write(settings, request))?);
    }
    let outcome = args.expect.keep_conflict(ops::write(settings, request))?;
    args.push.after_write(settings, outcome.rev)?;
    super::report_write(&outcome, "is unchanged", &args.hooks)
}
