//! Conflict detection by expected revision: the writer says which revision it
//! read, and a write whose file changed since then is merged three-way or
//! refused. All of it runs under the store lock, inside the one write path, so
//! two writers holding the same revision can never both succeed unless one
//! merged the other's change.

use crate::fsio::RelPath;
use crate::merge::{self, Format, MergeOptions};
use crate::store::Rev;
use crate::validate::{Report, Validator};

use super::Error;
use super::session::{Validated, WriteSession};

/// What the writer read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The revision it read (anything git resolves, or an old id that gc
    /// rewrote).
    Rev(String),
    /// The file must not exist yet, in the store or on disk (create only).
    Absent,
}

impl std::str::FromStr for Expect {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Expect, Self::Err> {
        Ok(if s == "none" { Expect::Absent } else { Expect::Rev(s.to_owned()) })
    }
}

/// How to treat a file that changed since the expected revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnChange {
    /// Merge three-way (line merge, then structural for YAML and JSON).
    #[default]
    Merge,
    /// Any change since the expected revision is a conflict.
    Refuse,
}

/// Why a write with an expected revision was refused. Nothing was written.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub path: RelPath,
    pub kind: ConflictKind,
}

#[derive(Debug, Clone)]
pub enum ConflictKind {
    /// `--expect none`, and the file exists.
    Exists,
    /// The file changed since `base`, and merging was not asked for.
    Changed { base: Rev, latest: Rev },
    /// The three-way merge conflicts: the three texts and the regions.
    Merge { base_rev: Rev, latest_rev: Rev, base: String, latest: String, new: String, conflict: merge::Conflict },
    /// The merge was clean, but its result is invalid (it breaks the schema,
    /// say).
    Invalid { base_rev: Rev, latest_rev: Rev, merged: String, report: Report },
    /// Something other than cfg kept saving the file while cfg wrote it;
    /// each of its saves was recorded as an outside edit.
    KeptChanging,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = &self.path;
        match &self.kind {
            ConflictKind::Exists => write!(f, "`{path}` already exists (expected none)"),
            ConflictKind::Changed { base, latest } => {
                write!(f, "`{path}` changed since {} (now {}), and merging is off", base.short(), latest.short())
            }
            ConflictKind::Merge { base_rev, latest_rev, conflict, .. } => match conflict.cause {
                merge::Cause::Lines => write!(
                    f,
                    "`{path}` changed since {} (now {}) and the changes conflict in {} region(s)",
                    base_rev.short(),
                    latest_rev.short(),
                    conflict.regions.len()
                ),
                merge::Cause::Meaning => write!(
                    f,
                    "`{path}` changed since {} (now {}); the changes merge line by line, but the merged document \
                     would not hold both (a key twice, a value neither wrote, or a lost change)",
                    base_rev.short(),
                    latest_rev.short()
                ),
            },
            ConflictKind::Invalid { base_rev, latest_rev, .. } => write!(
                f,
                "`{path}` changed since {} (now {}); the merge is clean line by line but invalid",
                base_rev.short(),
                latest_rev.short()
            ),
            ConflictKind::KeptChanging => write!(
                f,
                "`{path}` kept being changed on disk by another program while cfg wrote it \
                 (each change was recorded as an outside edit)"
            ),
        }
    }
}

impl Conflict {
    /// The text to hand back to the user to fix: the merge with conflict
    /// markers, or the invalid merged text.
    pub fn marked(&self) -> Option<&str> {
        match &self.kind {
            ConflictKind::Merge { conflict, .. } => Some(&conflict.marked),
            ConflictKind::Invalid { merged, .. } => Some(merged),
            _ => None,
        }
    }
}

/// What to write after checking the expectation.
pub(crate) struct Resolved {
    pub(crate) file: Validated,
    /// `(expected, latest)` when the content is a merge.
    pub(crate) merged: Option<(Rev, Rev)>,
}

/// Checks `expect` for the file of `new` against the latest version (after
/// outside edits were recorded) and returns what to write: `new` itself, or
/// the merge.
pub(crate) fn resolve(
    session: &WriteSession<'_>,
    validator: &Validator,
    new: Validated,
    expect: &Expect,
    on_change: OnChange,
) -> Result<Resolved, Error> {
    let store = &session.store;
    let path = new.path().clone();
    let head = session.head()?;
    let latest = session.latest(&path)?;
    let conflict = |kind| Error::Conflict(Box::new(Conflict { path: path.clone(), kind }));
    let spec = match expect {
        Expect::Absent => {
            let on_disk = session.on_disk(&path)?.content.is_some();
            return if latest.is_some() || on_disk {
                Err(conflict(ConflictKind::Exists))
            } else {
                Ok(Resolved { file: new, merged: None })
            };
        }
        Expect::Rev(spec) => spec,
    };
    let base_rev = store.resolve(spec)?;
    let base = store.read(base_rev, &path)?;
    if base == latest {
        return Ok(Resolved { file: new, merged: None });
    }
    let latest_rev = head.expect("a file changed since a revision implies a commit");
    if on_change == OnChange::Refuse {
        return Err(conflict(ConflictKind::Changed { base: base_rev, latest: latest_rev }));
    }
    let text = |bytes: Option<Vec<u8>>| String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned();
    let sides = Sides {
        base: (base_rev, text(base)),
        latest: (latest_rev, text(latest)),
        new: String::from_utf8_lossy(new.content()).into_owned(),
    };
    let file = merge(validator, &path, sides)?;
    Ok(Resolved { file, merged: Some((base_rev, latest_rev)) })
}

/// The three versions of a three-way merge, with the revisions of two.
pub(crate) struct Sides {
    pub(crate) base: (Rev, String),
    pub(crate) latest: (Rev, String),
    pub(crate) new: String,
}

/// Merges `new` into `latest` (both made from `base`) and validates the
/// result; a conflict or an invalid result is [`Error::Conflict`].
pub(crate) fn merge(
    validator: &Validator,
    path: &RelPath,
    Sides { base: (base_rev, base), latest: (latest_rev, latest), new }: Sides,
) -> Result<Validated, Error> {
    let conflict = |kind| Error::Conflict(Box::new(Conflict { path: path.clone(), kind }));
    let options = MergeOptions {
        base_label: format!("base {}", base_rev.short()),
        ours_label: format!("latest {}", latest_rev.short()),
        theirs_label: "new".to_owned(),
        format: if path.as_str().ends_with(".json") { Format::Json } else { Format::Yaml },
        list_keys: validator.merge_keys(path.as_str()),
    };
    match merge::merge(&base, &latest, &new, &options) {
        Ok(merged) => super::session::check(validator, path, merged.into_bytes()).map_err(|(report, merged)| {
            let merged = String::from_utf8_lossy(&merged).into_owned();
            conflict(ConflictKind::Invalid { base_rev, latest_rev, merged, report })
        }),
        Err(found) => Err(conflict(ConflictKind::Merge { base_rev, latest_rev, base, latest, new, conflict: *found })),
    }
}

/// Records the expectation in the commit: a trailer naming the expected
/// revision, and for a merge, a message line and a trailer naming the
/// revision merged with.
pub(crate) fn describe(
    expect: &Option<Expect>,
    merged: Option<(Rev, Rev)>,
    message: &mut String,
    trailers: &mut Vec<(String, String)>,
) {
    if let Some(Expect::Rev(spec)) = expect {
        let expected = merged.map_or_else(|| spec.clone(), |(base, _)| base.to_string());
        trailers.push(("Cfg-Expected".into(), expected));
    }
    if let Some((base, latest)) = merged {
        message.push_str(&format!("\n\nMerged with {latest}: the file had changed since {base}."));
        trailers.push(("Cfg-Merged-With".into(), latest.to_string()));
    }
}
