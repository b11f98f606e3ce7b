//! `--expect`, `--no-merge` and `--conflict-file`, shared by every command
//! that writes.

use std::path::PathBuf;

use cfg::ops::{Error, Expect, OnChange};

#[derive(Debug, clap::Args)]
pub(crate) struct ExpectArgs {
    /// The revision you read (from `cfg rev FILE` or `cfg cat --print-rev`);
    /// `none` to create only. If the file changed since, the change is merged
    /// three-way, or refused with exit code 3.
    #[arg(long, value_name = "REV")]
    expect: Option<Expect>,
    /// With --expect: any change since REV is a conflict (exit 3), no merge.
    #[arg(long, requires = "expect")]
    no_merge: bool,
    /// On a conflict, write the merged text with conflict markers to PATH, to
    /// fix and write again.
    #[arg(long, value_name = "PATH", requires = "expect")]
    conflict_file: Option<PathBuf>,
}

impl ExpectArgs {
    pub(crate) fn expect(&self) -> Option<Expect> {
        self.expect.clone()
    }

    pub(crate) fn on_change(&self) -> OnChange {
        if self.no_merge { OnChange::Refuse } else { OnChange::Merge }
    }

    /// Saves the marked-up merge of a conflict where the user asked for it.
    pub(crate) fn keep_conflict<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        if let (Err(Error::Conflict(conflict)), Some(path)) = (&result, &self.conflict_file)
            && let Some(marked) = conflict.marked()
        {
            cfg::fsio::create(path, marked.as_bytes())?;
            eprintln!("wrote the merge with conflict markers to {}", path.display());
        }
        result
    }
}
