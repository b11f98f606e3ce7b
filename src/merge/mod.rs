//! Three-way merge of config text: a line merge first, then, for YAML and
//! JSON, a structural merge of mappings and lists, block and flow; whichever
//! text comes out must pass the guard. Pure: no I/O, no clock, no
//! environment.
//!
//! Conventions: `base` is the version the writer read, `ours` the latest
//! version in the store, `theirs` the writer's new content. A clean merge
//! returns the merged text; otherwise a [`Conflict`] carries the conflicting
//! regions and the text with diff3 markers. The caller re-validates any merged
//! text (syntax, schema) before writing it.
//!
//! # The guard
//!
//! A merge that is clean line by line can still be a wrong document: a key
//! added twice, spelled `True` by one writer and `true` by the other; a list
//! entry added twice, quoted by one; a keep block scalar (`|+`) that takes in
//! the blank lines a deletion next to it left; a line merge that lines up a
//! deletion on one side with a rewrite on the other and keeps the rewrite.
//! So for YAML and JSON, unless one side is unchanged (or both are the same),
//! the merged text, parsed exactly as written, must equal the semantic
//! three-way merge of the three parsed documents ([`semantic::merge`]: per
//! key, per list entry, scalars by resolved value; see [`semantic`] for the
//! rules). If the line merge's text fails, the structural merge is tried; if
//! that fails too (or a version does not parse, or the documents themselves
//! conflict), the merge is a conflict. A clean line merge refused this way is
//! reported as one region, from the first line the three texts do not share
//! to the last ([`Cause::Meaning`]). Documents are read through
//! [`semantic::parse_value`], from cfg's one document tree
//! ([`crate::document`]), so that guard, validator and editor read a text
//! alike (a literal or folded scalar that ends the file without a line break
//! has none, as the YAML spec says).
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
//! # Structural merge
//!
//! Tried when the line merge conflicts or its text fails the guard, and
//! [`MergeOptions::format`] is YAML or JSON (see [`structural`] for how).
//! Each of the three texts must be a single document whose root is a
//! mapping or list, without anchors or aliases. The merge works on byte
//! spans of the document tree, never re-serializing: an entry of a block
//! mapping runs from its key's line to its value's last line, plus the
//! comment and blank lines between it and the entry before (for the first
//! entry: the comment lines directly above it); an item of a block sequence
//! likewise starts at its `-`; a member of a flow collection (`[a, b]`,
//! `{k: v}`, any JSON object or array) is its text between separators. The
//! output is assembled from byte slices of the three inputs, so untouched
//! lines, comments and formatting come out byte-identical. Entries are
//! matched by key, and keys compare by value (`true` and `True`, `1` and
//! `0x1`, `job1` and `"job1"` are one key). Where the three versions of an
//! entry differ as text:
//!
//! | case (per mapping key, or per list entry)                         | result   |
//! |-------------------------------------------------------------------|----------|
//! | changed on one side only (value, comments or formatting)          | that side |
//! | changed identically on both sides                                  | clean    |
//! | added on one side                                                  | added    |
//! | added on both sides with identical text                            | added once |
//! | added on both sides with different text (same key, same merge key) | conflict |
//! | list items added on both sides at one place (no merge key)         | both, ours first |
//! | deleted on one side, unchanged on the other                        | deleted  |
//! | deleted on one side, changed on the other                          | conflict |
//! | changed on both sides, both values mappings (or lists) of one style, without tags | merged recursively by these rules |
//! | changed on both sides otherwise (same key set to two values)       | conflict |
//!
//! Order: keys follow `ours` (the latest version); keys new in `theirs` are
//! appended at the end of their mapping, in `theirs`' order. If `theirs`
//! reorders the keys the three versions share, and `ours` does not make the
//! same reordering, it is a conflict rather than a silently lost reordering.
//!
//! List entries are matched up:
//!
//! * by merge key: every entry in all three versions is a mapping holding one
//!   of [`MergeOptions::list_keys`] (the schema's `x-merge-key`, first name
//!   that fits) with a scalar value, unique (by value) within each version.
//!   Entries are then treated like mapping keys above (added, deleted,
//!   changed, order of `ours`, new entries of `theirs` appended);
//! * otherwise by a diff3 over the entries (as [`semantic`] does): changes to
//!   different entries merge, entries both sides inserted at one place are
//!   all kept (ours first), an entry both changed is merged as above;
//! * failing that, by position, when all three versions have the same length.
//!
//! The text around the entries (the file's leading comments, a nested
//! mapping's key line, trailing comments, a flow collection's separators and
//! the space inside its brackets) is itself merged as a unit: changed on one
//! side only, or on both identically, or it is a conflict. Two members that
//! are neighbours in no version (each writer appended one) are separated as
//! the editor separates a new member. The missing-final-newline state is
//! merged like a one-line value.
//!
//! A nested mapping or list whose entries the two sides deleted between them
//! is written `{}` or `[]` after its key, so that it stays a mapping or list
//! rather than becoming null.
//!
//! Also conflicts, rather than risking wrong text: a merge that leaves a
//! block root with no entries, multi-document files, a value that is a flow
//! collection on one side and a block one on the other, tagged collections,
//! non-scalar or duplicate keys, entries at different indentation in the
//! three versions, a compact list entry (`- key: value`) whose first key is
//! not the same in all versions, and a YAML flow collection holding a
//! comment whose separators would have to move. Whatever comes out, the
//! guard checks it.
//!
//! Every parse is the document tree's (iterative, under its depth limit);
//! the structural merge keeps its pending nested merges on a heap stack, so
//! input nested however deep ends in a conflict, never a stack overflow.

#[cfg(test)]
mod differential;
mod line;
pub mod semantic;
mod structural;
#[cfg(test)]
mod tests;

use std::cell::OnceCell;
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
    /// What the text is: YAML and JSON enable the structural fallback.
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

/// Why a merge conflicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The line merge conflicts, and no structural merge resolved it (or its
    /// result failed the guard).
    Lines,
    /// The line merge is clean, but the merged document is not the merge of
    /// the three parsed documents (a key twice, a value nobody wrote, a lost
    /// change), and no structural merge is. The one region then runs between
    /// the lines the three texts share at the start and at the end.
    Meaning,
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
    pub cause: Cause,
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
/// Returns the merged text, or a conflict when neither the line merge nor
/// (for YAML and JSON) the structural merge gives a text that the guard
/// accepts.
pub fn merge(base: &str, ours: &str, theirs: &str, opts: &MergeOptions) -> Result<String, Box<Conflict>> {
    let labels = line::Labels { ours: &opts.ours_label, base: &opts.base_label, theirs: &opts.theirs_label };
    let lines = line::merge_lines(base, ours, theirs, &labels);
    let guard = Guard { texts: [base, ours, theirs], opts, expected: OnceCell::new() };
    if lines.conflicts.is_empty() && guard.accepts(&lines.text) {
        return Ok(lines.text);
    }
    // Only documents the guard can read can pass it: anything else (deeper
    // than the parser's limit, say) never reaches the structural merge.
    let format = match opts.format {
        Format::Text => None,
        Format::Yaml => Some(crate::document::Format::Yaml),
        Format::Json => Some(crate::document::Format::Json),
    };
    if let Some(format) = format
        && guard.expected().is_some()
        && let Some(merged) = structural::merge([base, ours, theirs], format, &opts.list_keys)
        && guard.accepts(&merged)
    {
        return Ok(merged);
    }
    let (lines, cause) = if lines.conflicts.is_empty() {
        (line::one_region(base, ours, theirs, &labels), Cause::Meaning)
    } else {
        (lines, Cause::Lines)
    };
    Err(Box::new(Conflict {
        base: opts.base_label.clone(),
        ours: opts.ours_label.clone(),
        theirs: opts.theirs_label.clone(),
        regions: lines.conflicts,
        marked: lines.text,
        cause,
    }))
}

/// Holds a merged text to the semantic merge of the three versions.
struct Guard<'a> {
    texts: [&'a str; 3],
    opts: &'a MergeOptions,
    /// The semantic merge, once a text needs it; `None` inside when a
    /// version does not parse or the documents conflict.
    expected: OnceCell<Option<semantic::Value>>,
}

impl Guard<'_> {
    fn accepts(&self, merged: &str) -> bool {
        let [base, ours, theirs] = self.texts;
        // One side unchanged, or both changed alike: the merge is a version
        // as it stands.
        if self.opts.format == Format::Text || ours == base || theirs == base || ours == theirs {
            return true;
        }
        let json = self.opts.format == Format::Json;
        self.expected().is_some_and(|expected| {
            semantic::parse_value(merged, json)
                .is_some_and(|merged| semantic::agrees(&merged, expected, &self.opts.list_keys))
        })
    }

    fn expected(&self) -> Option<&semantic::Value> {
        let json = self.opts.format == Format::Json;
        self.expected
            .get_or_init(|| {
                let [b, o, t] = self.texts.map(|text| semantic::parse_value(text, json));
                semantic::merge(&b?, &o?, &t?, &self.opts.list_keys)
            })
            .as_ref()
    }
}
