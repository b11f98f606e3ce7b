//! The audit trail's questions of the history: which commits changed one
//! value (`cfg log FILE --path P`), what a change did, key by key
//! (`--keys`, from [`crate::keydiff`]), and whether each commit was signed
//! by a key the allowed-signers file names (`cfg verify`, `log --verify`).
//! Reading only: no lock held.
//!
//! A version is read as one document with the limits of `.cfg.yaml`. A
//! version that does not parse stops the command with the report of why
//! (exit 1): a history that cannot be read is not guessed at.

use std::collections::HashSet;

use crate::document::{self, Document, Format, NodeId, SingleError};
use crate::edit;
use crate::fsio::{IoError, RelPath, Step};
use crate::keydiff::{self, ChangeKind as KeyKind, KeyChange};
use crate::settings::Settings;
use crate::store::{CommitInfo, Rev, SignatureStatus};
use crate::validate::{Options, Validator};

use super::{Error, FileDiff, LogEntry, open_for_reading, resolve};

/// One value's change in one commit: as flow YAML on one line, `None`
/// where the path led nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueChange {
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The commits that changed the value at `path` (`set`'s syntax) of `file`,
/// newest first, each with the value before and after. A commit is compared
/// with its first parent, so a list item selected by a key's value is
/// followed through reorders and inserts before it; a merge that brought in
/// another host's change of the value is listed with that change.
pub fn value_history(
    settings: &Settings,
    file: &std::path::Path,
    path: &str,
    limit: Option<usize>,
) -> Result<Vec<(LogEntry, ValueChange)>, Error> {
    edit::check_path(path).map_err(|e| Error::Usage(e.to_string()))?;
    let file = resolve(settings, file)?;
    let store = open_for_reading(settings)?;
    let Some(head) = store.head()? else {
        return Ok(Vec::new());
    };
    // The walk goes newest first, so a commit's parent is most often the
    // next commit walked: its parse is kept for that one step.
    let mut kept: Option<(Rev, Option<Document>)> = None;
    let version = |rev: Rev, kept: &mut Option<(Rev, Option<Document>)>| -> Result<Option<Document>, Error> {
        if let Some((at, doc)) = kept.take()
            && at == rev
        {
            return Ok(doc);
        }
        store.read(rev, &file)?.map(|content| parse_version(settings, &file, &content)).transpose()
    };
    let value = |doc: &Option<Document>| -> Result<Option<(NodeId, String)>, Error> {
        let Some(doc) = doc else { return Ok(None) };
        let node = edit::lookup(doc, path).map_err(|e| Error::Usage(e.to_string()))?;
        Ok(node.map(|node| (node, document::render_flow(doc, node))))
    };
    let limit = limit.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for info in store.walk_all(&[head]) {
        if out.len() >= limit {
            break;
        }
        let info = info?;
        if !store.touches(&info, &file)? {
            continue;
        }
        let new_doc = version(info.rev, &mut kept)?;
        let old_doc = info.parent.map(|parent| version(parent, &mut kept)).transpose()?.flatten();
        let (old, new) = (value(&old_doc)?, value(&new_doc)?);
        let same = match (&old, &new, &old_doc, &new_doc) {
            (Some((x, _)), Some((y, _)), Some(a), Some(b)) => keydiff::same_value(a, *x, b, *y),
            (None, None, _, _) => true,
            _ => false,
        };
        if let Some(parent) = info.parent {
            kept = Some((parent, old_doc));
        }
        if !same {
            let changes = store.changes(&info)?;
            let change = ValueChange { old: old.map(|(_, text)| text), new: new.map(|(_, text)| text) };
            out.push((LogEntry { info, changes }, change));
        }
    }
    Ok(out)
}

/// The key-level changes between the two versions of a [`FileDiff`], list
/// items named by the schema's `x-merge-key`. A side that does not exist
/// makes the whole document one addition or removal.
pub fn key_changes(settings: &Settings, diff: &FileDiff) -> Result<Vec<KeyChange>, Error> {
    let side =
        |content: &Option<Vec<u8>>| content.as_deref().map(|c| parse_version(settings, &diff.path, c)).transpose();
    let (old, new) = (side(&diff.old)?, side(&diff.new)?);
    let whole = |kind: KeyKind, doc: &Document| {
        let value = Some(document::render_flow(doc, doc.root()));
        let (old, new) = if kind == KeyKind::Added { (None, value) } else { (value, None) };
        KeyChange { kind, path: Vec::new(), old, new, scalar: !doc.node(doc.root()).is_collection() }
    };
    Ok(match (old, new) {
        (Some(old), Some(new)) => keydiff::diff(&old, &new, &merge_keys(settings, &diff.path)),
        (None, Some(new)) => vec![whole(KeyKind::Added, &new)],
        (Some(old), None) => vec![whole(KeyKind::Removed, &old)],
        (None, None) => Vec::new(),
    })
}

/// The key-level changes of each file a commit changed, in the entry's order.
pub fn entry_key_changes(settings: &Settings, entry: &LogEntry) -> Result<Vec<(RelPath, Vec<KeyChange>)>, Error> {
    let store = open_for_reading(settings)?;
    let info = &entry.info;
    let mut out = Vec::new();
    for change in &entry.changes {
        let diff = FileDiff {
            path: change.path.clone(),
            old_label: String::new(),
            new_label: String::new(),
            old: info.parent.map(|p| store.read(p, &change.path)).transpose()?.flatten(),
            new: store.read(info.rev, &change.path)?,
        };
        out.push((change.path.clone(), key_changes(settings, &diff)?));
    }
    Ok(out)
}

fn merge_keys(settings: &Settings, path: &RelPath) -> Vec<String> {
    // Without a usable schema, lists are named by index: a diff still shows.
    super::validator(settings).map(|v| v.merge_keys(path.as_str())).unwrap_or_default()
}

/// One version of `file` as a document; a version that is not one document
/// is the error `cfg get` gives for it.
fn parse_version(settings: &Settings, file: &RelPath, content: &[u8]) -> Result<Document, Error> {
    let name = file.as_str();
    let invalid = || {
        let validator = Validator::new(Options { limits: settings.project.limits.clone(), ..Options::default() })
            .expect("a validator without a schema builds");
        Error::Invalid {
            report: validator.check(name, content),
            source_text: String::from_utf8_lossy(content).into_owned(),
        }
    };
    let text = std::str::from_utf8(content).map_err(|_| invalid())?;
    match document::parse(text, Format::of_path(std::path::Path::new(name)), &super::value::limits(settings)).single() {
        Ok(doc) => Ok(doc),
        Err(SingleError::Parse(_)) => Err(invalid()),
        Err(SingleError::Several) => {
            Err(Error::Usage(format!("`{name}` holds several YAML documents; key-level history reads one")))
        }
    }
}

/// What the signature of each of `revs` says, checked against
/// `allowed_signers` (default: `signing.allowed_signers` of `.cfg.yaml`).
pub fn signatures(
    settings: &Settings,
    allowed_signers: Option<&std::path::Path>,
    revs: &[Rev],
) -> Result<Vec<SignatureStatus>, Error> {
    let configured = settings.allowed_signers();
    let allowed = allowed_signers.or(configured.as_deref());
    if let Some(file) = allowed {
        // ssh-keygen would only say it found no principal.
        std::fs::metadata(file).map_err(|e| IoError::new(Step::Read, file, e))?;
    }
    let store = open_for_reading(settings)?;
    revs.iter().map(|&rev| Ok(store.verify_signature(rev, allowed)?)).collect()
}

/// The commits after `since` (every commit without it), newest first, each
/// with what its signature says: `cfg verify`.
pub fn verify(
    settings: &Settings,
    since: Option<&str>,
    allowed_signers: Option<&std::path::Path>,
) -> Result<Vec<(CommitInfo, SignatureStatus)>, Error> {
    let store = open_for_reading(settings)?;
    let Some(head) = store.head()? else {
        return Ok(Vec::new());
    };
    let excluded: HashSet<Rev> = match since {
        Some(spec) => {
            store.walk_all(&[store.resolve(spec)?]).map(|info| info.map(|i| i.rev)).collect::<Result<_, _>>()?
        }
        None => HashSet::new(),
    };
    let commits: Vec<CommitInfo> = store
        .walk_all(&[head])
        .filter(|info| info.as_ref().map_or(true, |info| !excluded.contains(&info.rev)))
        .collect::<Result<_, _>>()?;
    let revs: Vec<Rev> = commits.iter().map(|info| info.rev).collect();
    Ok(commits.into_iter().zip(signatures(settings, allowed_signers, &revs)?).collect())
}
