//! Three-way merge of config text: a line merge first, then, for YAML, a
//! structural merge of mappings and lists when the line merge conflicts. Pure:
//! no I/O, no clock, no environment.
//!
//! Conventions: `base` is the version the writer read, `ours` the latest
//! version in the store, `theirs` the writer's new content. A clean merge
//! returns the merged text; otherwise a [`Conflict`] carries the conflicting
//! regions and the text with diff3 markers. The caller re-validates any merged
//! text (syntax, duplicate keys, schema) before writing it.
//!
//! # Line merge
//!
//! The line merge decides like `git merge-file -p --diff3`, and when it
//! conflicts its marked text is what git prints with the same labels. It is
//! xdiff's merge logic ported onto `similar`'s two-way diff, rather than
//! `similar::TextMerge`, which groups changes differently from git; see
//! `line.rs`. The one known difference: on texts with many repeated lines the
//! two diff engines can align lines differently, and so draw a conflict
//! elsewhere or call two nearby edits touching (1 in 2000 random edits over a
//! five-line alphabet).
//!
//! | case                                                       | result   |
//! |------------------------------------------------------------|----------|
//! | only one side changed anything                             | that side |
//! | both sides made the same change (same base lines, same new lines) | clean |
//! | changes separated by at least one unchanged line           | clean    |
//! | changes to adjacent lines (no unchanged line between them) | conflict |
//! | overlapping changes, or insertions at the same point       | conflict |
//! | one side deletes lines the other edits                     | conflict |
//! | a missing final newline counts as a change of the last line | as git  |
//!
//! CRLF lines are compared byte for byte (`a\r\n` differs from `a\n`), and
//! conflict markers use CRLF when the lines around them do.
//!
//! # Structural YAML merge
//!
//! Tried only when the line merge conflicts and [`MergeOptions::format`] is YAML.
//! Each of the three texts must be a single YAML document whose root is a
//! block mapping or block sequence, without anchors or aliases. The merge
//! works on spans of source lines, never re-serializing YAML: an entry of a
//! block mapping runs from its key's line to its value's last line, plus the
//! comment and blank lines between it and the entry before (for the first
//! entry: the comment lines directly above it); an item of a block sequence
//! likewise starts at its `-`. The output is assembled from byte slices of the
//! three inputs, so untouched lines, comments and formatting come out
//! byte-identical. Where the three versions of an entry
//! differ as text:
//!
//! | case (per mapping key, or per list entry)                         | result   |
//! |-------------------------------------------------------------------|----------|
//! | changed on one side only (value, comments or formatting)          | that side |
//! | changed identically on both sides                                  | clean    |
//! | added on one side                                                  | added    |
//! | added on both sides with identical text                            | added once |
//! | added on both sides with different text                            | conflict |
//! | deleted on one side, unchanged on the other                        | deleted  |
//! | deleted on one side, changed on the other                          | conflict |
//! | changed on both sides, both values block mappings (or both block lists) without tags | merged recursively by these rules |
//! | changed on both sides otherwise (same key set to two values)       | conflict |
//!
//! Order: keys follow `ours` (the latest version); keys new in `theirs` are
//! appended at the end of their mapping, in `theirs`' order. If `theirs`
//! reorders the keys the three versions share, and `ours` does not make the
//! same reordering, it is a conflict rather than a silently lost reordering.
//!
//! Lists (block sequences) merge entry by entry only when entries can be
//! matched up:
//!
//! * by merge key: every entry in all three versions is a mapping holding one
//!   of [`MergeOptions::list_keys`] (the schema's `x-merge-key`, first name
//!   that fits) with a scalar value, unique within each version. Entries are
//!   then treated like mapping keys above (added, deleted, changed, order of
//!   `ours`, new entries of `theirs` appended);
//! * by position: all three versions have the same length, so no entry moved.
//!
//! Any other list changed on both sides conflicts. The text around the
//! entries (the file's leading comments, a nested mapping's key line, trailing
//! comments) is itself merged as a unit: changed on one side only, or on both
//! identically, or it is a conflict. The missing-final-newline state is merged
//! like a one-line value.
//!
//! Also conflicts, rather than risking wrong text: a merge that leaves the
//! root with no entries, multi-document files, flow
//! collections changed on both sides (`{…}`, `[…]`, merged only as whole
//! values), tagged collections, non-scalar or duplicate keys, entries at
//! different indentation in the three versions, and a compact list entry
//! (`- key: value`) whose first key is not the same in all versions. As a last
//! guard the assembled text is parsed again and must hold exactly the values
//! the merge decided on; if not, the merge reports the line conflict.

mod line;
#[cfg(test)]
mod tests;
mod yaml;

use std::fmt;
use std::ops::Range;

/// How to merge, and how to label the three versions in conflict markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOptions {
    /// Label of the common ancestor, e.g. `base 1a2b3c4`.
    pub base_label: String,
    /// Label of the latest stored version, e.g. `latest 5d6e7f8`.
    pub ours_label: String,
    /// Label of the writer's new content, e.g. `new`.
    pub theirs_label: String,
    /// What the text is: YAML enables the structural fallback.
    pub format: Format,
    /// Key names that identify entries of lists of mappings (the schema's
    /// `x-merge-key`), tried in order for each list.
    pub list_keys: Vec<String>,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            base_label: "base".to_owned(),
            ours_label: "latest".to_owned(),
            theirs_label: "new".to_owned(),
            format: Format::Text,
            list_keys: Vec::new(),
        }
    }
}

/// What the merged text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain text: the line merge only.
    #[default]
    Text,
    /// YAML (any file cfg does not read as JSON).
    Yaml,
    /// JSON.
    Json,
}

/// The lines of one version that a conflict region covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSide {
    /// 0-based line indices in that version's text.
    pub range: Range<usize>,
    /// The lines, without their terminators.
    pub lines: Vec<String>,
}

/// One conflicting region of the line merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRegion {
    pub base: RegionSide,
    pub ours: RegionSide,
    pub theirs: RegionSide,
}

/// The merge could not be done automatically.
///
/// `Display` renders each region in diff3 style with the labels; `marked` is
/// the whole text with diff3 markers, as `git merge-file -p --diff3` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Label of the common ancestor.
    pub base: String,
    /// Label of the latest stored version.
    pub ours: String,
    /// Label of the writer's new content.
    pub theirs: String,
    /// The conflicting regions, in order; never empty.
    pub regions: Vec<ConflictRegion>,
    /// The merged text with diff3-style markers around each region.
    pub marked: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ours, base, theirs) =
            (line::one_line(&self.ours), line::one_line(&self.base), line::one_line(&self.theirs));
        for region in &self.regions {
            writeln!(f, "<<<<<<< {ours}")?;
            for line in &region.ours.lines {
                writeln!(f, "{line}")?;
            }
            writeln!(f, "||||||| {base}")?;
            for line in &region.base.lines {
                writeln!(f, "{line}")?;
            }
            writeln!(f, "=======")?;
            for line in &region.theirs.lines {
                writeln!(f, "{line}")?;
            }
            writeln!(f, ">>>>>>> {theirs}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Conflict {}

/// Merges `ours` (the latest version) and `theirs` (the writer's new content),
/// both descended from `base` (the version the writer read).
///
/// Returns the merged text, or the line merge's conflicts when neither the
/// line merge nor (for YAML) the structural merge resolves every change.
pub fn merge(base: &str, ours: &str, theirs: &str, opts: &MergeOptions) -> Result<String, Conflict> {
    let labels = line::Labels { ours: &opts.ours_label, base: &opts.base_label, theirs: &opts.theirs_label };
    let lines = line::merge_lines(base, ours, theirs, &labels);
    if lines.conflicts.is_empty() {
        return Ok(lines.text);
    }
    if opts.format == Format::Yaml
        && let Some(merged) = yaml::merge(base, ours, theirs, &opts.list_keys)
    {
        return Ok(merged);
    }
    Err(Conflict {
        base: opts.base_label.clone(),
        ours: opts.ours_label.clone(),
        theirs: opts.theirs_label.clone(),
        regions: lines.conflicts,
        marked: lines.text,
    })
}
