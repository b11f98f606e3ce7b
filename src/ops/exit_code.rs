//! THE exit-code table: which class of failure each [`Error`] is, as a
//! number (README's "Exit codes"). It lives in the library, not the binary,
//! because there are two front ends that must agree: the `cfg` binary exits
//! with it, and the Python package (`python/`) picks its exception class by
//! it. Exhaustive on purpose: a new error variant must be given its code here.

use super::{Error, RemoteError, RunFailure};
use crate::edit::EditError;
use crate::fsio::LockError;
use crate::project::Error as ProjectError;
use crate::store::Error as StoreError;

impl Error {
    /// The exit status of the `cfg` binary for this error: 1 invalid content,
    /// 2 usage, 3 conflict, 4 busy lock, 5 unknown revision or file, 6 I/O or
    /// store, 7 a command or editor failed, 8 no value at the path.
    pub fn exit_code(&self) -> u8 {
        match self {
            // A schema that cannot be loaded is a finding in each file it applies to.
            Error::Invalid { .. }
            | Error::Rejected { .. }
            | Error::Checked { .. }
            | Error::Project(ProjectError::Invalid { .. } | ProjectError::Glob { .. })
            | Error::Validator(crate::validate::Error::Glob { .. })
            | Error::Retention { .. } => 1,
            Error::HookExists { .. } => 2,
            Error::NoSuchFile { .. } => 5,
            Error::NoValue { .. } => 8,
            Error::Project(ProjectError::Read { .. }) => 6,
            Error::Path(_) | Error::NoStore { .. } | Error::Usage(_) | Error::Input { .. } => 2,
            Error::Aborted { source, .. } => source.exit_code(),
            Error::MissingFolder { .. } => 6,
            // The file itself does not parse: like invalid content. Anything else
            // is about the PATH or VALUE given.
            Error::Edit { source: EditError::Syntax { .. }, .. } => 1,
            Error::Edit { .. } => 2,
            Error::Run { failure: RunFailure::Invalid(_) | RunFailure::Removed(_), .. } => 1,
            Error::Run { failure: RunFailure::Spawn(_) | RunFailure::Status(_), .. } | Error::Editor { .. } => 7,
            Error::Conflict(_) => 3,
            // Only files the remote sent that are invalid here: like invalid content.
            Error::Remote(RemoteError::Refused(refused)) if refused.conflicts.is_empty() => 1,
            Error::Remote(RemoteError::Refused(_) | RemoteError::Rejected { .. } | RemoteError::KeptMoving { .. }) => 3,
            Error::Remote(
                RemoteError::BadName { .. }
                | RemoteError::Exists { .. }
                | RemoteError::Unknown { .. }
                | RemoteError::NoRemote
                | RemoteError::Ambiguous { .. }
                | RemoteError::AlreadyAStore { .. },
            ) => 2,
            Error::Remote(RemoteError::Transport(_)) => 6,
            // The write stands; the code says why it is not on the remote.
            Error::Remote(RemoteError::NotPushed { source, .. }) => source.exit_code(),
            Error::Lock(LockError::Busy { .. }) | Error::Remote(RemoteError::Locked { .. }) => 4,
            Error::UnknownFile { .. } | Error::Store(StoreError::UnknownRev { .. } | StoreError::Empty) => 5,
            Error::Lock(LockError::Io(_))
            | Error::Io(_)
            | Error::Store(
                StoreError::NotFound { .. }
                | StoreError::Moved { .. }
                | StoreError::BrokenBranch { .. }
                | StoreError::BranchLocked { .. }
                | StoreError::Git { .. }
                | StoreError::Sign { .. }
                | StoreError::Verify { .. }
                | StoreError::Io(_),
            ) => 6,
        }
    }
}
