//! `cfg blame FILE`: for each line of a version, the commit that last
//! changed it, as `git blame` finds it.
//!
//! Lines are handed from a commit to its parents: a line a line diff
//! (Myers) shows unchanged in a parent belongs to that parent's history, the
//! parents tried in order, so a merge passes a line to the first parent that
//! has it; a line no parent has is the commit's own. An outside edit and a
//! restore are commits like any other, so their lines are theirs (a restore
//! is a change by whoever restored). The lines waiting at each commit are
//! handed on in one loop over a queue, never a recursion: a history as long
//! as the store holds costs memory, not stack. A commit whose lines arrive in
//! two batches (parents with equal times) is simply visited twice.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::settings::Settings;
use crate::store::{CommitInfo, Rev};

use super::{Error, open_for_reading, resolve};

/// The lines of one version with the commit that last changed each.
#[derive(Debug, Clone)]
pub struct Blame {
    /// The commits named, each once.
    pub commits: Vec<CommitInfo>,
    /// Each line (with its line break, if it has one) and the index of its
    /// commit in `commits`.
    pub lines: Vec<(usize, String)>,
}

/// Who last changed each line of `file` at `rev` (default: the latest version).
pub fn blame(settings: &Settings, file: &Path, rev: Option<&str>) -> Result<Blame, Error> {
    let path = resolve(settings, file)?;
    let store = open_for_reading(settings)?;
    let start = match rev {
        Some(spec) => store.resolve(spec)?,
        None => store.head()?.ok_or(Error::Store(crate::store::Error::Empty))?,
    };
    let unknown = || Error::UnknownFile { path: path.to_string(), at: Some(start) };
    let content = store.read(start, &path)?.ok_or_else(unknown)?;
    let lines = split_lines(&content);
    let mut owner: Vec<Option<Rev>> = vec![None; lines.len()];
    let mut infos: HashMap<Rev, CommitInfo> = HashMap::new();
    // Commits with lines waiting, newest first: (time, rev) → (line there, line at `start`).
    let mut waiting: BTreeMap<(i64, Rev), Vec<(usize, usize)>> = BTreeMap::new();
    let info = store.commit(start)?;
    waiting.insert((info.committer.seconds, start), (0..lines.len()).map(|i| (i, i)).collect());
    infos.insert(start, info);
    while let Some(((_, rev), batch)) = waiting.pop_last() {
        let info = infos[&rev].clone();
        let here_content = store.read(rev, &path)?.unwrap_or_default();
        let here = split_lines(&here_content);
        let mut left = batch;
        for parent in info.parent.iter().chain(&info.merged) {
            if left.is_empty() {
                break;
            }
            let Some(theirs) = store.read(*parent, &path)? else {
                continue;
            };
            let map = unchanged(&split_lines(&theirs), &here);
            let (passed, kept): (Vec<_>, Vec<_>) = left.into_iter().partition(|(line, _)| map[*line].is_some());
            left = kept;
            if passed.is_empty() {
                continue;
            }
            let parent_info = match infos.get(parent) {
                Some(found) => found.clone(),
                None => store.commit(*parent)?,
            };
            let at = waiting.entry((parent_info.committer.seconds, *parent)).or_default();
            at.extend(passed.into_iter().map(|(line, target)| (map[line].expect("partitioned"), target)));
            infos.insert(*parent, parent_info);
        }
        for (_, target) in left {
            owner[target] = Some(rev);
        }
    }
    let mut commits: Vec<CommitInfo> = Vec::new();
    let mut index: HashMap<Rev, usize> = HashMap::new();
    let lines = lines
        .into_iter()
        .zip(owner)
        .map(|(line, rev)| {
            let rev = rev.expect("every line is handed on until a commit keeps it");
            let at = *index.entry(rev).or_insert_with(|| {
                commits.push(infos[&rev].clone());
                commits.len() - 1
            });
            (at, String::from_utf8_lossy(line).into_owned())
        })
        .collect();
    Ok(Blame { commits, lines })
}

/// The lines of a version, each with its line break (the last may have none).
fn split_lines(content: &[u8]) -> Vec<&[u8]> {
    content.split_inclusive(|&b| b == b'\n').collect()
}

/// For each line of `new`, the line of `old` it is unchanged from, if any.
fn unchanged(old: &[&[u8]], new: &[&[u8]]) -> Vec<Option<usize>> {
    let mut out = vec![None; new.len()];
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, old, new) {
        if let similar::DiffOp::Equal { old_index, new_index, len } = op {
            for i in 0..len {
                out[new_index + i] = Some(old_index + i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{split_lines, unchanged};

    #[test]
    fn unchanged_lines_map_to_their_old_place() {
        let old = split_lines(b"a\nb\nc\nd");
        let new = split_lines(b"x\na\nc\nd\n");
        // `d` without a line break is another line than `d\n`, as in git.
        assert_eq!(unchanged(&old, &new), [None, Some(0), Some(2), None]);
        assert_eq!(unchanged(&[], &new), [None; 4]);
        assert!(split_lines(b"").is_empty());
    }
}
