//! User operations, one module each; the only place that combines the store,
//! the file-system layer and validation. Each takes a [`Settings`] value and
//! its own request, and returns a typed result; nothing here prints.

mod audit;
mod blame;
mod check;
mod checks;
mod child;
mod clone;
mod draft;
mod exit_code;
mod expect;
mod follow;
mod gc;
mod get;
mod hook;
mod init;
mod on_write;
mod pull;
mod push;
mod read;
mod remote;
mod restore;
mod run;
mod session;
mod sync;
mod trust;
mod value;
mod write;

use std::path::{Path, PathBuf};

use crate::fsio::{self, IoError, LockError, PathError, RelPath};
use crate::settings::Settings;
use crate::store::{self, Store};
use crate::validate::{Report, Validator};

pub use audit::{ValueChange, entry_key_changes, key_changes, signatures, value_history, verify};
pub use blame::{Blame, blame};
pub use check::{CheckInput, CheckOutcome, CheckRequest, CheckedFile, check, check_root, validator_for};
pub use clone::{ORIGIN, check_clone_target, clone};
pub use draft::{DRAFTS_DIR, Draft, start_edit};
pub use expect::{Conflict, ConflictKind, Expect, OnChange};
pub use follow::Follower;
pub use gc::{GcOutcome, GcRequest, Method, gc};
pub use get::{GetFormat, GetRequest, get};
pub use hook::{HookOutcome, PRE_COMMIT_HOOK, install_hook};
pub use init::{InitOutcome, init};
pub use on_write::HookFailure;
pub use pull::{PullKind, PullOutcome, PullRequest, Side, Take, pull};
pub use push::{PushOutcome, push};
pub use read::{
    DiffRequest, FileDiff, FileStatus, LogEntry, LogRequest, StatusEntry, cat, diff, log, rev, show, status,
    unified_diff,
};
pub use remote::{Refused, RemoteError, RemoteStatus, add_remote, remote_status, remotes, remove_remote};
pub use restore::{RestoreOutcome, RestoreRequest, preview_restore, restore};
pub use run::{RunFailure, RunOutcome, RunRequest, run};
pub use store::{ChangeKind, CommitInfo, FileChange, Rev, SignatureStatus};
pub use sync::{ATTEMPTS as SYNC_ATTEMPTS, SyncOutcome, SyncRequest, push_write, sync};
pub use trust::{Approval, TrustOutcome, approval, trust};
pub use value::{ValueEdit, ValueRequest, change_value, preview_change_value};
pub use write::{Preview, WriteOutcome, WriteRequest, preview_write, write};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error("no cfg store found in `{}` or any folder above it", start.display())]
    NoStore { start: PathBuf },
    #[error("`{}` is not valid", report.file)]
    Invalid { report: Report, source_text: String },
    /// The `checks:` of `.cfg.yaml` rejected new content: a report for each
    /// file, a finding (rule `check`) for each check that failed, with its
    /// output. Nothing was written or committed.
    #[error("the checks of .cfg.yaml rejected {}", reports.iter().map(|r| format!("`{}`", r.file)).collect::<Vec<_>>().join(", "))]
    Rejected { reports: Vec<Report> },
    #[error("`{path}` is not in the store{}", at.map(|r| format!(" at {}", r.short())).unwrap_or_default())]
    UnknownFile { path: String, at: Option<Rev> },
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Conflict(Box<Conflict>),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Io(#[from] IoError),
    /// `cfg check` found invalid files; their reports were already rendered.
    #[error("{invalid} of {total} checked files are invalid")]
    Checked { invalid: usize, total: usize },
    #[error("no such file `{}`", path.display())]
    NoSuchFile { path: PathBuf },
    /// The user's own input (a file named with `-i`, standard input) could
    /// not be read. Nothing was touched.
    #[error("cannot read the input `{}`", path.display())]
    Input {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The folder of a file an interrupted write was replacing is missing,
    /// so the write can be neither finished nor its temp file removed.
    #[error("the folder of `{path}` is missing, and an interrupted write was replacing that file")]
    MissingFolder { path: RelPath },
    /// A write failed after its journal was written. `undone`: the file and
    /// the branch were put back, so nothing changed; otherwise the next
    /// command finishes or drops the write.
    #[error("the write did not complete: {source}")]
    Aborted {
        #[source]
        source: Box<Error>,
        undone: bool,
    },
    /// `cfg get`: the path leads to no value.
    #[error("`{path}` does not exist in `{}`", file.display())]
    NoValue { file: PathBuf, path: String },
    #[error(transparent)]
    Project(#[from] crate::project::Error),
    #[error(transparent)]
    Validator(#[from] crate::validate::Error),
    #[error("a different pre-commit hook is already installed at `{}`", path.display())]
    HookExists { path: PathBuf },
    /// `cfg set`/`unset`/`append` could not make the change.
    #[error("cannot change `{path}`")]
    Edit {
        path: RelPath,
        #[source]
        source: crate::edit::EditError,
    },
    /// `cfg run`: the command failed or left the files unfit to commit; they
    /// were put back.
    #[error("`{command}` {}", match failure {
        RunFailure::Spawn(e) => format!("could not be started: {e}"),
        RunFailure::Status(status) => format!("failed ({status})"),
        RunFailure::Invalid(reports) => format!("left {} invalid file(s)", reports.len()),
        RunFailure::Removed(files) => format!("removed {}", files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")),
    })]
    Run { command: String, failure: RunFailure },
    /// `cfg edit`: the editor failed; the draft was kept.
    #[error("the editor `{editor}` failed ({status}); the draft is kept at `{}`", draft.display())]
    Editor { editor: String, status: String, draft: PathBuf },
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("invalid `retention:` in `{}`", path.display())]
    Retention {
        path: PathBuf,
        #[source]
        source: crate::retention::PolicyError,
    },
}

impl From<fsio::Error> for Error {
    fn from(e: fsio::Error) -> Error {
        match e {
            fsio::Error::Path(e) => Error::Path(e),
            fsio::Error::Io(e) => Error::Io(e),
        }
    }
}

/// Finds the managed root for `start` (a file or folder): the first folder,
/// walking up, that holds `.cfg/`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = fsio::normalize(start);
    start.ancestors().find(|dir| dir.join(store::STORE_DIR).join("HEAD").is_file()).map(Path::to_path_buf)
}

/// The managed root a command run from `cwd` works in: `root` when given
/// (relative to `cwd`; it must hold `.cfg/` itself), else the first folder
/// holding `.cfg/` walking up from `file`'s folder, or from `cwd` without a
/// file. What the `cfg` binary and the Python package both do.
pub fn root_for(cwd: &Path, root: Option<&Path>, file: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(root) = root {
        let root = fsio::normalize(&cwd.join(root));
        return find_root(&root).filter(|found| *found == root).ok_or(Error::NoStore { start: root });
    }
    let start = match file {
        Some(file) => fsio::normalize(&cwd.join(file)).parent().map_or(cwd.to_path_buf(), Path::to_path_buf),
        None => cwd.to_path_buf(),
    };
    find_root(&start).ok_or(Error::NoStore { start })
}

/// Resolves a FILE argument inside the root of `settings`.
pub fn resolve(settings: &Settings, file: &Path) -> Result<RelPath, Error> {
    Ok(RelPath::resolve(&settings.root, &settings.cwd, file)?)
}

/// Opens the store for reading, first finishing any write a killed process
/// left behind when the lock happens to be free.
fn open_for_reading(settings: &Settings) -> Result<Store, Error> {
    let store = Store::open(&settings.root)?;
    if !store.needs_recovery() {
        return Ok(store);
    }
    match session::WriteSession::try_begin(settings, store)? {
        Some(session) => Ok(session.into_store()),
        None => Ok(Store::open(&settings.root)?),
    }
}

/// The validator for files under the root of `settings`: the schemas and
/// limits of its `.cfg.yaml`, and the schemas the store knows pass their
/// meta-schema.
fn validator(settings: &Settings) -> Result<Validator, Error> {
    let mut options = settings.project.validator_options(&settings.root);
    options.meta_checked = meta_checked(&settings.root);
    Ok(Validator::new(options)?)
}

/// The record of schemas that passed their meta-schema.
const META_CHECKED: &str = "meta-checked";

fn meta_checked(root: &Path) -> std::collections::BTreeSet<String> {
    crate::checked::Record::of(root, META_CHECKED).keys()
}

/// Adds what `validator` checked against a meta-schema to the record.
fn remember_meta_checked(root: &Path, validator: &Validator) {
    crate::checked::Record::of(root, META_CHECKED).add(&validator.newly_meta_checked());
}

/// Refuses a write without a commit message when `.cfg.yaml` sets
/// `require_message: true`. Writers call it before they take the lock, so
/// nothing (not even an outside edit) is committed first.
pub fn require_message(settings: &Settings, message: Option<&str>) -> Result<(), Error> {
    if settings.project.require_message && message.is_none_or(|m| m.trim().is_empty()) {
        return Err(Error::Usage(
            "this project requires a commit message (`require_message: true` in .cfg.yaml): say why with -m MESSAGE"
                .into(),
        ));
    }
    Ok(())
}

/// Defaults for `root` with its project settings (`.cfg.yaml`) loaded.
pub fn settings_for(root: &Path) -> Result<Settings, Error> {
    let mut settings = Settings { project: check::load_project(root)?, ..Settings::for_root(root) };
    // Commands that came from another host wait for `cfg trust`.
    trust::gate(&mut settings)?;
    Ok(settings)
}

/// The largest managed file the project accepts (`limits.max_size` in
/// `.cfg.yaml`): input beyond it need not even be read.
pub fn size_limit(settings: &Settings) -> usize {
    settings.project.limits.max_size
}

/// [`size_limit`] for `cfg check`, which may run outside any managed root.
pub fn input_limit(root: &Path) -> Result<usize, Error> {
    Ok(check::load_project(root)?.limits.max_size)
}

/// The `retention:` policy of the project settings, if it sets one.
pub fn project_retention(settings: &Settings) -> Result<Option<crate::retention::Policy>, Error> {
    settings
        .project
        .retention
        .as_ref()
        .map(crate::retention::Policy::from_settings)
        .transpose()
        .map_err(|source| Error::Retention { path: settings.root.join(crate::project::FILE_NAME), source })
}
