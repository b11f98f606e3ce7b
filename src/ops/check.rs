//! `cfg check`: validate files without writing or committing anything.
//!
//! Works with or without a store: the root (for `.cfg.yaml` and its schema
//! globs) is the managed root above the current folder, else the nearest folder
//! above it holding `.cfg.yaml`, else the current folder. Every input is
//! checked, on all cores; inputs that cannot be read are reported beside the
//! reports rather than stopping the run. Each input under the root that the
//! validator accepts then goes through the `checks:` of `.cfg.yaml` that
//! apply to it, on a temp copy of its content ([`super::checks`]), as a write
//! would run them; a failed check is a finding of rule `check`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::Error;
use crate::fsio::{IoError, RelPath, Step};
use crate::project::{self, Project};
use crate::validate::{CronExplanation, Input, Report, Validator};

/// One thing to check.
#[derive(Debug, Clone)]
pub enum CheckInput {
    /// A file, relative to the current folder or absolute.
    File(PathBuf),
    /// Content read elsewhere (standard input), checked as if it were `name`.
    Content { name: String, content: Vec<u8> },
}

/// What to check, and how.
#[derive(Debug, Clone, Default)]
pub struct CheckRequest {
    pub inputs: Vec<CheckInput>,
    /// `--schema`: a path (relative to the current folder) or `builtin:NAME`.
    pub schema: Option<String>,
    pub strict: bool,
    /// `--strict-formats`, on top of `.cfg.yaml`'s `strict_formats`.
    pub strict_formats: bool,
    /// `--strict-tags`, on top of `.cfg.yaml`'s `strict_tags`.
    pub strict_tags: bool,
    pub allow_multiple_documents: bool,
    /// Overrides `.cfg.yaml`'s `limits.max_size`.
    pub max_size: Option<usize>,
    /// `--explain`: also list cron values and their next runs after this time.
    pub explain_at: Option<DateTime<Utc>>,
    /// `--no-checks`: only the built-in validation, none of the `checks:`.
    pub skip_checks: bool,
}

/// One checked input.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub report: Report,
    /// The content as text (lossy), for rendering the report.
    pub text: String,
    /// With `--explain`: the cron values and their next runs.
    pub crons: Vec<CronExplanation>,
}

/// Everything `cfg check` found.
#[derive(Debug)]
pub struct CheckOutcome {
    pub root: PathBuf,
    pub files: Vec<CheckedFile>,
    /// Inputs that could not be read ([`Error::NoSuchFile`] or [`Error::Io`]).
    pub unreadable: Vec<Error>,
    /// Warnings about `.cfg.yaml` itself (deprecated keys).
    pub settings_warnings: Vec<crate::validate::Diagnostic>,
}

impl CheckOutcome {
    pub fn invalid(&self) -> usize {
        self.files.iter().filter(|f| f.report.has_errors()).count()
    }
}

/// Where `cfg check` run from `cwd` reads `.cfg.yaml`.
pub fn check_root(cwd: &Path) -> PathBuf {
    if let Some(root) = super::find_root(cwd) {
        return root;
    }
    cwd.ancestors().find(|dir| dir.join(project::FILE_NAME).is_file()).unwrap_or(cwd).to_path_buf()
}

/// The validator for files under `root`, from its project settings.
pub fn validator_for(root: &Path) -> Result<Validator, Error> {
    let project = load_project(root)?;
    Ok(Validator::new(project.validator_options(root))?)
}

pub(crate) fn load_project(root: &Path) -> Result<Project, Error> {
    Project::load(root).map_err(|e| match e {
        // An invalid `.cfg.yaml` is invalid content like any other file.
        project::Error::Invalid { report, text, .. } => Error::Invalid { report: *report, source_text: text },
        other => Error::Project(other),
    })
}

/// Checks every input. `Err` only when nothing could be checked at all (bad
/// project settings, a bad `--schema`).
pub fn check(root: &Path, cwd: &Path, request: CheckRequest) -> Result<CheckOutcome, Error> {
    let project = load_project(root)?;
    let mut options = project.validator_options(root);
    // `--schema` is relative to where the user typed it; builtin names are not paths.
    options.schema = request.schema.as_deref().map(|spec| {
        if spec.starts_with("builtin:") { spec.to_owned() } else { cwd.join(spec).to_string_lossy().into_owned() }
    });
    options.strict = request.strict;
    options.strict_formats |= request.strict_formats;
    options.strict_tags |= request.strict_tags;
    options.allow_multiple_documents = request.allow_multiple_documents;
    if let Some(max_size) = request.max_size {
        options.limits.max_size = max_size;
    }
    let max_size = options.limits.max_size;
    options.meta_checked = super::meta_checked(root);
    let validator = Validator::new(options)?;

    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for input in request.inputs {
        match input {
            CheckInput::Content { name, content } => inputs.push(Input { path: cwd.join(&name), name, content }),
            CheckInput::File(file) => {
                let path = cwd.join(&file);
                match read_capped(&path, max_size) {
                    Ok(content) => inputs.push(Input { name: file.to_string_lossy().into_owned(), path, content }),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        unreadable.push(Error::NoSuchFile { path: file });
                    }
                    Err(e) => unreadable.push(IoError::new(Step::Read, &file, e).into()),
                }
            }
        }
    }
    let mut reports = validator.check_many(&inputs);
    super::remember_meta_checked(root, &validator);
    for (input, report) in inputs.iter().zip(&mut reports) {
        if request.skip_checks || report.has_errors() {
            continue;
        }
        let under_root = crate::fsio::normalize(&input.path).strip_prefix(root).ok().map(Path::to_path_buf);
        let Some(path) = under_root.and_then(|p| RelPath::new(&p.to_string_lossy()).ok()) else { continue };
        report.diagnostics.extend(super::checks::check_copy(&project, root, &path, &input.name, &input.content));
    }
    let files = inputs
        .iter()
        .zip(reports)
        .map(|(input, report)| CheckedFile {
            report,
            text: String::from_utf8_lossy(&input.content).into_owned(),
            crons: request
                .explain_at
                .map_or_else(Vec::new, |now| validator.explain_crons(&input.path, &input.content, now, 3)),
        })
        .collect();
    Ok(CheckOutcome { root: root.to_owned(), files, unreadable, settings_warnings: project.warnings })
}

/// Reads at most one byte past `max_size`: enough for the validator to refuse
/// an oversized file without a hostile one being read whole.
fn read_capped(path: &Path, max_size: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut content = Vec::new();
    file.take(max_size as u64 + 1).read_to_end(&mut content)?;
    Ok(content)
}
