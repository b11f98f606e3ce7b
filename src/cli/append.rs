//! `cfg append FILE PATH [VALUE]`, and what `set` and `unset` share with it.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfg::ops::{self, Error, ValueEdit, ValueRequest};
use cfg::settings::Settings;

/// Add an item at the end of a list in a YAML or JSON file, keeping every
/// other byte as it was: the atomic append of an event to a log.
///
/// The item is YAML or JSON (a scalar, `{"id": 2}`, or a mapping on several
/// lines), from VALUE or standard input; it follows its neighbours' layout
/// (`[a, b, c]` on one line, one a line when they are). A missing key or a
/// null value (`key:`) becomes a list holding the item. PATH `.` is the
/// document itself (a file that is a list). Prints the new revision.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The managed YAML or JSON file.
    pub(crate) file: PathBuf,
    /// The list: `events`, `schedules[0].tags`, `.` for the document.
    path: String,
    /// The item, as YAML; default (or `-`): standard input.
    #[arg(allow_hyphen_values = true)]
    value: Option<String>,
    #[command(flatten)]
    common: ValueArgs,
}

/// `-m`, `--expect`, `--dry-run` and friends, for `set`, `unset` and `append`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValueArgs {
    /// The commit message (default: "set PATH in FILE").
    #[arg(short, long)]
    message: Option<String>,
    #[command(flatten)]
    expect: super::expect::ExpectArgs,
    #[command(flatten)]
    dry_run: super::DryRunArgs,
    #[command(flatten)]
    hooks: super::HookArgs,
    /// Refuse a result holding a YAML tag outside the YAML types repository
    /// (as `strict_tags: true` in `.cfg.yaml` does).
    #[arg(long)]
    strict_tags: bool,
    #[command(flatten)]
    push: super::sync::PushArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let value = value_or_stdin(args.value.as_deref())?;
    args.common.run(settings, &args.file, ValueEdit::Append { path: args.path.clone(), value })
}

/// The value argument, or standard input for `-` or none.
pub(crate) fn value_or_stdin(value: Option<&str>) -> Result<String, Error> {
    match value {
        Some(value) if value != "-" => Ok(value.to_owned()),
        _ => {
            let mut buffer = String::new();
            std::io::stdin()
                .read_to_string(&mut buffer)
                .map_err(|source| Error::Input { path: "standard input".into(), source })?;
            Ok(buffer)
        }
    }
}

impl ValueArgs {
    pub(crate) fn run(&self, settings: &Settings, file: &Path, edit: ValueEdit) -> Result<ExitCode, Error> {
        let mut settings = settings.clone();
        settings.project.strict_tags |= self.strict_tags;
        let settings = &settings;
        let mut request = ValueRequest::new(file, edit);
        request.message = self.message.clone();
        request.expect = self.expect.expect();
        request.on_change = self.expect.on_change();
        if self.dry_run.dry_run {
            return super::report_preview(&self.expect.keep_conflict(ops::preview_change_value(settings, request))?);
        }
        let outcome = self.expect.keep_conflict(ops::change_value(settings, request))?;
        self.push.after_write(settings, outcome.rev)?;
        super::report_write(&outcome, "already had that value", &self.hooks)
    }
}
