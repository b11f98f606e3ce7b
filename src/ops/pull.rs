//! `cfg pull`: fetch the remote's history, then bring it in through the one
//! write path (see [`super::session`]).
//!
//! * This host's branch is behind: a fast-forward. The branch moves to the
//!   remote's own commit (so a revision read on one host is a valid
//!   `--expect` on every other), and every file that commit changed is
//!   replaced, journaled like a write.
//! * Both moved on: each file changed on both sides is merged three-way (base:
//!   the merge base's content) with the line and structural merges of
//!   `--expect`, each result validated, and one merge commit with both
//!   parents (this host's first) is made and published.
//! * A file changed on both sides conflicts, or the remote's version of a
//!   file is invalid on this host: nothing is published, and every such file
//!   is reported at once, with the remote's commits that changed it.
//!   `--take local|remote [FILE...]` resolves: the named files (by default
//!   every file that stopped the pull) take that side's version whole.
//!
//! As in every write, outside edits of the files a pull touches are recorded
//! first (then merged like any local change), and `on_write` commands run for
//! every file the pull changed, once the lock is released. The fetched
//! objects are durable before the journal that names them is written.

use std::path::PathBuf;

use crate::fsio::RelPath;
use crate::project::{self, Project};
use crate::settings::Settings;
use crate::store::{ChangeKind, CommitMeta, Rev, StagedObjects};
use crate::validate::{Diagnostic, Report, Severity, Validator};

use super::expect::Sides;
use super::on_write::HookFailure;
use super::remote::{Link, Refused, RemoteError};
use super::session::{PublishOutcome, Validated, WriteSession};
use super::{Error, validator};

/// How often a pull plans again because a file was saved by someone else
/// while it was being published (each save is recorded, then merged).
const ATTEMPTS: usize = 3;
/// How many of the remote's new commits a refused pull lists.
const LISTED: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct PullRequest {
    /// Default: `remote:` in `.cfg.yaml`, else the only remote, else `origin`.
    pub remote: Option<String>,
    pub take: Option<Take>,
    /// Merge the remote's branch as the last fetch or push saw it, without
    /// the network (to resolve a refused pull offline, say).
    pub no_fetch: bool,
}

/// `--take local|remote [FILE...]`.
#[derive(Debug, Clone)]
pub struct Take {
    pub side: Side,
    /// The files that take `side`; empty: every file that conflicts or whose
    /// remote version is invalid here.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// This host's version.
    Local,
    /// The remote's version.
    Remote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullKind {
    /// The remote has nothing this host lacks (or no branch yet).
    UpToDate,
    FastForward,
    Merged,
}

#[derive(Debug, Clone)]
pub struct PullOutcome {
    pub remote: String,
    pub kind: PullKind,
    /// The branch before and after.
    pub before: Option<Rev>,
    pub after: Option<Rev>,
    /// The files whose content changed on disk.
    pub files: Vec<RelPath>,
    /// The commit that recorded an outside edit on the way, if any.
    pub external: Option<Rev>,
    /// `on_write` commands that failed (the pull stands).
    pub hooks: Vec<HookFailure>,
}

impl PullOutcome {
    pub fn changed(&self) -> bool {
        self.kind != PullKind::UpToDate || self.external.is_some()
    }
}

pub fn pull(settings: &Settings, request: &PullRequest) -> Result<PullOutcome, Error> {
    if request.no_fetch {
        let store = crate::store::Store::open(&settings.root)?;
        let remote = super::remote::pick(&store, settings, request.remote.as_deref())?;
        let theirs = store.tracking(&remote.name)?;
        return integrate(settings, &remote.name, theirs, request.take.as_ref());
    }
    let link = Link::open(settings, request.remote.as_deref())?;
    let theirs = link.fetch()?;
    integrate(settings, link.name(), theirs, request.take.as_ref())
}

/// Brings the remote's branch tip `theirs` (fetched and durable) into this
/// host's branch, under the store lock.
pub(crate) fn integrate(
    settings: &Settings,
    remote: &str,
    theirs: Option<Rev>,
    take: Option<&Take>,
) -> Result<PullOutcome, Error> {
    let validator = validator(settings)?;
    let take = match take {
        Some(take) => Some((take.side, super::remote::resolve_all(settings, &take.files)?)),
        None => None,
    };
    let session = WriteSession::begin(settings)?;
    let before = session.head()?;
    let outcome = |kind, after, files| PullOutcome {
        remote: remote.to_owned(),
        kind,
        before,
        after,
        files,
        external: None,
        hooks: Vec::new(),
    };
    let Some(theirs) = theirs else {
        return Ok(outcome(PullKind::UpToDate, before, Vec::new()));
    };
    let mut moved = Vec::new();
    for _ in 0..ATTEMPTS {
        let plan = plan(&session, &validator, remote, theirs, take.as_ref())?;
        let Some(plan) = plan else {
            let after = session.head()?;
            let external = session.external();
            let hooks = session.finish(&validator);
            return Ok(PullOutcome { external, hooks, ..outcome(PullKind::UpToDate, after, Vec::new()) });
        };
        let files: Vec<RelPath> = plan.files.iter().map(|f| f.path().clone()).collect();
        let (commit, objects, kind) = match plan.merge {
            None => (theirs, StagedObjects::default(), PullKind::FastForward),
            Some(trailers) => {
                let ours = plan.ours.expect("a merge has two sides");
                let contents: Vec<(&RelPath, &[u8])> = plan.files.iter().map(|f| (f.path(), f.content())).collect();
                let meta = merge_meta(&session, remote, ours, theirs, plan.base, trailers);
                let (commit, objects) = session.store.write_merge(ours, theirs, &contents, &meta)?;
                (commit, objects, PullKind::Merged)
            }
        };
        match session.publish_commit(plan.ours, commit, objects, plan.files)? {
            PublishOutcome::Moved => moved = files,
            PublishOutcome::Done => {
                let external = session.external();
                let hooks = session.finish(&validator);
                return Ok(PullOutcome { external, hooks, ..outcome(kind, Some(commit), files) });
            }
        }
    }
    let path = moved.into_iter().next().expect("a plan moves only when it has files");
    Err(Error::Conflict(Box::new(super::Conflict { path, kind: super::ConflictKind::KeptChanging })))
}

/// What to publish: the files whose content changes, and whether it takes a
/// merge commit (with its extra trailers) or is a fast-forward to `theirs`.
struct Plan {
    ours: Option<Rev>,
    base: Option<Rev>,
    files: Vec<Validated>,
    merge: Option<Vec<(String, String)>>,
}

/// Decides, file by file, what the pull makes of each file the remote
/// changed; `None` when the remote has nothing this host lacks.
fn plan(
    session: &WriteSession<'_>,
    validator: &Validator,
    remote: &str,
    theirs: Rev,
    take: Option<&(Side, Vec<RelPath>)>,
) -> Result<Option<Plan>, Error> {
    let store = &session.store;
    let head = session.head()?;
    let base = match head {
        Some(ours) => store.merge_base(ours, theirs)?,
        None => None,
    };
    if base == Some(theirs) {
        return Ok(None);
    }
    let changed: Vec<RelPath> = store
        .changes_between(base, theirs)?
        .into_iter()
        .filter(|change| change.kind != ChangeKind::Deleted)
        .map(|change| change.path)
        .collect();
    // Outside edits first, as in every write; they may move the branch.
    session.track(&changed)?;
    let ours = session.head()?;
    let base = if ours == head { base } else { ours.map(|ours| store.merge_base(ours, theirs)).transpose()?.flatten() };
    let fast_forward = ours.is_none() || ours == base;
    let read = |rev: Option<Rev>, path: &RelPath| -> Result<Option<Vec<u8>>, Error> {
        match rev {
            Some(rev) => Ok(store.read(rev, path)?),
            None => Ok(None),
        }
    };
    let mut files = Vec::new();
    let mut conflicts = Vec::new();
    let mut invalid = Vec::new();
    let mut took = Vec::new();
    let mut kept_local = false;
    for path in &changed {
        let t = read(Some(theirs), path)?.expect("a file the remote changed and kept");
        let o = read(ours, path)?;
        let b = read(base, path)?;
        if o.as_deref() == Some(t.as_slice()) {
            continue;
        }
        let named = take.filter(|(_, named)| named.contains(path)).map(|(side, _)| *side);
        let fallback = take.filter(|(_, named)| named.is_empty()).map(|(side, _)| *side);
        if named == Some(Side::Local) {
            took.push(format!("local {path}"));
            kept_local = true;
            continue;
        }
        let theirs_only = o == b || named == Some(Side::Remote);
        if theirs_only {
            match check_incoming(validator, path, t) {
                Ok(file) => {
                    if named == Some(Side::Remote) {
                        took.push(format!("remote {path}"));
                    }
                    files.push(file);
                }
                Err(_) if fallback == Some(Side::Local) => {
                    took.push(format!("local {path}"));
                    kept_local = true;
                }
                Err((report, content)) => invalid.push((report, String::from_utf8_lossy(&content).into_owned())),
            }
            continue;
        }
        let text = |bytes: &Option<Vec<u8>>| String::from_utf8_lossy(bytes.as_deref().unwrap_or_default()).into_owned();
        let sides = Sides {
            // Unrelated histories: every line is new on both sides.
            base: (base.unwrap_or(theirs), text(&b)),
            latest: (ours.expect("both sides changed"), text(&o)),
            new: text(&Some(t.clone())),
        };
        match super::expect::merge(validator, path, sides) {
            Ok(merged) if Some(merged.content()) == o.as_deref() => {}
            Ok(merged) => files.push(merged),
            Err(Error::Conflict(conflict)) => match fallback {
                Some(Side::Local) => {
                    took.push(format!("local {path}"));
                    kept_local = true;
                }
                Some(Side::Remote) => {
                    took.push(format!("remote {path}"));
                    match check_incoming(validator, path, t) {
                        Ok(file) => files.push(file),
                        Err((report, content)) => {
                            invalid.push((report, String::from_utf8_lossy(&content).into_owned()))
                        }
                    }
                }
                None => conflicts.push(*conflict),
            },
            Err(other) => return Err(other),
        }
    }
    if !conflicts.is_empty() || !invalid.is_empty() {
        let incoming = store
            .only_in(&[theirs], &ours.into_iter().collect::<Vec<_>>())?
            .into_iter()
            .take(LISTED)
            .map(|rev| {
                let info = store.commit(rev)?;
                let files = store.changes(&info)?.into_iter().map(|c| c.path).collect();
                Ok((info, files))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let refused = Refused { remote: remote.to_owned(), ours, theirs, base, incoming, conflicts, invalid };
        return Err(RemoteError::Refused(Box::new(refused)).into());
    }
    let merge = if fast_forward && !kept_local {
        None
    } else {
        let mut trailers = Vec::new();
        if !took.is_empty() {
            trailers.push(("Cfg-Took".to_owned(), took.join(", ")));
        }
        Some(trailers)
    };
    Ok(Some(Plan { ours, base, files, merge }))
}

/// Validation of a remote's version: this host's validator, and for the
/// project settings also what loading them needs (a `.cfg.yaml` that does not
/// load would stop every later command here).
fn check_incoming(validator: &Validator, path: &RelPath, content: Vec<u8>) -> Result<Validated, (Report, Vec<u8>)> {
    let file = super::session::check(validator, path, content)?;
    if path.as_str() != project::FILE_NAME {
        return Ok(file);
    }
    let report = match Project::parse(std::path::Path::new(project::FILE_NAME), file.content()) {
        Ok(_) => return Ok(file),
        Err(project::Error::Invalid { report, .. }) => *report,
        Err(other) => Report {
            file: project::FILE_NAME.to_owned(),
            diagnostics: vec![Diagnostic {
                file: project::FILE_NAME.to_owned(),
                line: 1,
                column: 1,
                span: 0..0,
                pointer: String::new(),
                rule: "settings".into(),
                severity: Severity::Error,
                message: other.to_string(),
                help: None,
            }],
            schema: None,
        },
    };
    Err((report, file.content().to_vec()))
}

fn merge_meta(
    session: &WriteSession<'_>,
    remote: &str,
    ours: Rev,
    theirs: Rev,
    base: Option<Rev>,
    extra: Vec<(String, String)>,
) -> CommitMeta {
    let base = base.map_or_else(|| "none (unrelated histories)".to_owned(), |b| b.to_string());
    let mut trailers = session.trailers();
    trailers.push(("Cfg-Remote".into(), remote.to_owned()));
    trailers.extend(extra);
    CommitMeta {
        author: session.settings.author(),
        committer: session.settings.committer(),
        message: format!(
            "merge {} from remote `{remote}`\n\nMerged {theirs} (the remote's branch) into {ours} (this host's); base {base}.",
            theirs.short()
        ),
        trailers,
        signing_key: session.settings.signing_key(),
    }
}
