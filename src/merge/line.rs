//! Line-oriented three-way merge that decides like `git merge-file --diff3`.
//!
//! `similar::TextMerge` groups changes differently from git's xdiff in a few
//! case classes (about 0.5% of random edits over a five-line alphabet, all of
//! them texts with repeated lines where the two-way diff has several equally
//! short alignments). Writers compare `cfg`'s answer with what `git merge-file`
//! says, so this module keeps `similar` as the two-way diff engine and ports
//! the parts of xdiff that decide the outcome on top of it:
//!
//! * the diff itself is `similar`'s LCS table, whose walk breaks ties between
//!   equally short edit scripts toward deletions first, as git's Myers does
//!   (`similar`'s Myers disagreed with git six times as often); past 4M cells
//!   of changed middle it falls back to Myers to bound memory.
//! * `xdl_change_compact`: every run of changed lines is slid as far down as
//!   it can go, then back up to line up with a change on the other side if one
//!   was passed. Without the indent heuristic, which `git merge-file` does not
//!   use.
//! * `xdl_do_merge` at level `XDL_MERGE_EAGER`, which is what `--diff3` uses:
//!   two changes conflict unless one ends strictly before the other starts, so
//!   edits of adjacent lines conflict; identical changes (same base range, same
//!   new lines) are taken once; a one-sided change that touches a conflict is
//!   folded into it.
//! * `fill_conflict_hunk`: diff3 markers, a newline added after a last line
//!   that has none, and CRLF markers when the surrounding lines use CRLF.
//!
//! Lines are compared byte for byte, terminator included: `a\r\n`, `a\n` and a
//! final `a` without newline are three different lines, as in git.
//!
//! Remaining difference: git's Myers implementation prefilters lines that
//! occur in only one file and splits long inputs heuristically, so on inputs
//! with many repeated lines its alignment can still differ from ours even
//! after compaction (1 in 2000 random edits over a five-line alphabet; see
//! the test `random_edits_agree_with_git`). The outcome then differs only in
//! where a conflict is drawn, or whether two nearby edits touch.

use std::hash::Hash;
use std::ops::Range;

use similar::{Algorithm, DiffOp};

use super::ConflictRegion;

/// One side's change against the base: `base[i1..i1 + chg1]` became
/// `side[i2..i2 + chg2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Change {
    pub(super) i1: usize,
    pub(super) chg1: usize,
    pub(super) i2: usize,
    pub(super) chg2: usize,
}

/// How a merged block resolves; mirrors xdiff's `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Conflict,
    Ours,
    Theirs,
}

/// A block of the merge, in xdiff's `xdmerge_t` coordinates: `base[i0..]`,
/// `ours[i1..]`, `theirs[i2..]`. Signed, as in xdiff: a one-sided change
/// past the end of the other side's changes can start before line 0 of the
/// side it did not touch until it is folded into the block before it.
#[derive(Debug, Clone, Copy)]
struct Block {
    mode: Mode,
    i0: isize,
    chg0: isize,
    i1: isize,
    chg1: isize,
    i2: isize,
    chg2: isize,
}

impl Block {
    fn base(&self, lines: &[&str]) -> Range<usize> {
        span(self.i0, self.chg0, lines.len())
    }

    fn ours(&self, lines: &[&str]) -> Range<usize> {
        span(self.i1, self.chg1, lines.len())
    }

    fn theirs(&self, lines: &[&str]) -> Range<usize> {
        span(self.i2, self.chg2, lines.len())
    }
}

/// `start..start + len` as indices into a slice of `n` lines.
fn span(start: isize, len: isize, n: usize) -> Range<usize> {
    let clamp = |x: isize| usize::try_from(x).unwrap_or(0).min(n);
    debug_assert!(start >= 0 && len >= 0 && clamp(start + len) == (start + len) as usize);
    clamp(start)..clamp(start + len)
}

/// The outcome of a line merge: the merged text, with diff3 markers where
/// regions conflict.
#[derive(Debug)]
pub(crate) struct LineMerge {
    pub(crate) text: String,
    pub(crate) conflicts: Vec<ConflictRegion>,
}

/// Marker labels, in the order git prints them.
pub(crate) struct Labels<'a> {
    pub(crate) ours: &'a str,
    pub(crate) base: &'a str,
    pub(crate) theirs: &'a str,
}

/// Splits into lines that keep their terminator; the last line may lack one.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

pub(crate) fn merge_lines(base: &str, ours: &str, theirs: &str, labels: &Labels<'_>) -> LineMerge {
    let b = split_lines(base);
    let o = split_lines(ours);
    let t = split_lines(theirs);
    let ours_changes = diff(&b, &o);
    let theirs_changes = diff(&b, &t);
    if ours_changes.is_empty() {
        return LineMerge { text: theirs.to_owned(), conflicts: Vec::new() };
    }
    if theirs_changes.is_empty() {
        return LineMerge { text: ours.to_owned(), conflicts: Vec::new() };
    }
    let blocks = merge_changes(&b, &o, &t, &ours_changes, &theirs_changes);
    fill(&b, &o, &t, &blocks, labels)
}

/// The three texts as one conflicting region between the lines all three
/// share at the start and at the end: how a merge that is clean line by line
/// but wrong is shown.
pub(crate) fn one_region(base: &str, ours: &str, theirs: &str, labels: &Labels<'_>) -> LineMerge {
    let (b, o, t) = (split_lines(base), split_lines(ours), split_lines(theirs));
    let prefix = b.iter().zip(&o).zip(&t).take_while(|((b, o), t)| b == o && b == t).count();
    let room = b.len().min(o.len()).min(t.len()) - prefix;
    let suffix = b
        .iter()
        .rev()
        .zip(o.iter().rev())
        .zip(t.iter().rev())
        .take(room)
        .take_while(|((b, o), t)| b == o && b == t)
        .count();
    let changed = |lines: &[&str]| (lines.len() - prefix - suffix) as isize;
    let start = prefix as isize;
    let block = Block {
        mode: Mode::Conflict,
        i0: start,
        chg0: changed(&b),
        i1: start,
        chg1: changed(&o),
        i2: start,
        chg2: changed(&t),
    };
    fill(&b, &o, &t, &[block], labels)
}

/// Two-way diff of records (lines here; list entries in the semantic merge),
/// compacted the way xdiff does it.
pub(super) fn diff<T: Eq + Hash>(base: &[T], side: &[T]) -> Vec<Change> {
    let mut base_file = File::new(base);
    let mut side_file = File::new(side);
    for op in similar::capture_diff_slices(algorithm(base, side), base, side) {
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        for i in op.old_range() {
            base_file.rchg[i] = true;
        }
        for i in op.new_range() {
            side_file.rchg[i] = true;
        }
    }
    compact(&mut base_file, &mut side_file);
    compact(&mut side_file, &mut base_file);
    build_script(&base_file, &side_file)
}

/// Largest changed middle (lines of base times lines of side, past the
/// common prefix and suffix) diffed with the LCS table: 16 MiB of `u32`.
const LCS_MAX_CELLS: usize = 4 << 20;

/// The LCS table walk breaks ties toward deletions first, as git's Myers
/// does; `similar`'s Myers picks other equally short scripts more often
/// (0.3% against 0.05% of random repeated-line edits disagreed with git).
/// Past a size where the table gets expensive, Myers: the outcome is still a
/// correct merge, only less often drawn exactly where git draws it.
fn algorithm<T: Eq>(base: &[T], side: &[T]) -> Algorithm {
    let prefix = base.iter().zip(side).take_while(|(a, b)| a == b).count();
    let suffix = base[prefix..].iter().rev().zip(side[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let cells = (base.len() - prefix - suffix).saturating_mul(side.len() - prefix - suffix);
    if cells <= LCS_MAX_CELLS { Algorithm::Lcs } else { Algorithm::Myers }
}

/// A file's records and which of them are changed (xdiff's `recs` and `rchg`).
struct File<'a, T> {
    recs: &'a [T],
    rchg: Vec<bool>,
}

/// A run of changed lines `start..end`, possibly empty, as in xdiff's
/// `struct xdlgroup`. Groups of the two files correspond one to one.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl<'a, T: Eq> File<'a, T> {
    fn new(recs: &'a [T]) -> Self {
        File { recs, rchg: vec![false; recs.len()] }
    }

    fn changed(&self, i: usize) -> bool {
        self.rchg.get(i).copied().unwrap_or(false)
    }

    fn first_group(&self) -> Group {
        let mut end = 0;
        while self.changed(end) {
            end += 1;
        }
        Group { start: 0, end }
    }

    fn next_group(&self, g: &mut Group) -> bool {
        if g.end == self.recs.len() {
            return false;
        }
        g.start = g.end + 1;
        g.end = g.start;
        while self.changed(g.end) {
            g.end += 1;
        }
        true
    }

    fn previous_group(&self, g: &mut Group) -> bool {
        if g.start == 0 {
            return false;
        }
        g.end = g.start - 1;
        g.start = g.end;
        while g.start > 0 && self.changed(g.start - 1) {
            g.start -= 1;
        }
        true
    }

    fn slide_down(&mut self, g: &mut Group) -> bool {
        if g.end < self.recs.len() && self.recs[g.start] == self.recs[g.end] {
            self.rchg[g.start] = false;
            g.start += 1;
            self.rchg[g.end] = true;
            g.end += 1;
            while self.changed(g.end) {
                g.end += 1;
            }
            true
        } else {
            false
        }
    }

    fn slide_up(&mut self, g: &mut Group) -> bool {
        if g.start > 0 && self.recs[g.start - 1] == self.recs[g.end - 1] {
            g.start -= 1;
            self.rchg[g.start] = true;
            g.end -= 1;
            self.rchg[g.end] = false;
            while g.start > 0 && self.changed(g.start - 1) {
                g.start -= 1;
            }
            true
        } else {
            false
        }
    }
}

/// Port of xdiff's `xdl_change_compact` without the indent heuristic: slide
/// each run of changes down as far as possible, merging runs it bumps into,
/// then back up to align with the last change in `other` it passed.
fn compact<T: Eq>(file: &mut File<'_, T>, other: &mut File<'_, T>) {
    let mut g = file.first_group();
    let mut go = other.first_group();
    loop {
        if g.end != g.start {
            let mut earliest_end;
            let mut end_matching_other;
            loop {
                let group_size = g.end - g.start;
                end_matching_other = None;
                while file.slide_up(&mut g) {
                    let moved = other.previous_group(&mut go);
                    debug_assert!(moved, "group sync broken sliding up");
                }
                earliest_end = g.end;
                if go.end > go.start {
                    end_matching_other = Some(g.end);
                }
                while file.slide_down(&mut g) {
                    let moved = other.next_group(&mut go);
                    debug_assert!(moved, "group sync broken sliding down");
                    if go.end > go.start {
                        end_matching_other = Some(g.end);
                    }
                }
                if group_size == g.end - g.start {
                    break;
                }
            }
            if g.end != earliest_end && end_matching_other.is_some() {
                while go.end == go.start {
                    let slid = file.slide_up(&mut g);
                    debug_assert!(slid, "match disappeared");
                    let moved = other.previous_group(&mut go);
                    debug_assert!(moved, "group sync broken sliding to match");
                }
            }
        }
        if !file.next_group(&mut g) {
            break;
        }
        let moved = other.next_group(&mut go);
        debug_assert!(moved, "group sync broken moving to next group");
    }
}

/// Port of xdiff's `xdl_build_script`: pairs of changed runs become changes.
fn build_script<T: Eq>(base: &File<'_, T>, side: &File<'_, T>) -> Vec<Change> {
    let mut changes = Vec::new();
    let (mut i1, mut i2) = (0, 0);
    let (n1, n2) = (base.recs.len(), side.recs.len());
    while i1 < n1 || i2 < n2 {
        if base.changed(i1) || side.changed(i2) {
            let (s1, s2) = (i1, i2);
            while base.changed(i1) {
                i1 += 1;
            }
            while side.changed(i2) {
                i2 += 1;
            }
            changes.push(Change { i1: s1, chg1: i1 - s1, i2: s2, chg2: i2 - s2 });
        } else {
            i1 += 1;
            i2 += 1;
        }
    }
    changes
}

/// Port of xdiff's `xdl_append_merge`: a block that touches the previous one
/// in either side is folded into it, and becomes a conflict if the modes differ.
fn append(blocks: &mut Vec<Block>, new: Block) {
    if let Some(m) = blocks.last_mut()
        && (new.i1 <= m.i1 + m.chg1 || new.i2 <= m.i2 + m.chg2)
    {
        if new.mode != m.mode {
            m.mode = Mode::Conflict;
        }
        m.chg0 = new.i0 + new.chg0 - m.i0;
        m.chg1 = new.i1 + new.chg1 - m.i1;
        m.chg2 = new.i2 + new.chg2 - m.i2;
        return;
    }
    blocks.push(new);
}

/// `at + to - from`: maps a base line to the other side, given that a base
/// line `from` is at `to` there.
fn shift(at: usize, to: usize, from: usize) -> isize {
    at as isize + to as isize - from as isize
}

/// Port of xdiff's `xdl_do_merge` at level `XDL_MERGE_EAGER`.
fn merge_changes(base: &[&str], ours: &[&str], theirs: &[&str], xscr1: &[Change], xscr2: &[Change]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let (mut p1, mut p2) = (0, 0);
    while p1 < xscr1.len() && p2 < xscr2.len() {
        let (c1, c2) = (xscr1[p1], xscr2[p2]);
        if c1.i1 + c1.chg1 < c2.i1 {
            append(
                &mut blocks,
                Block {
                    mode: Mode::Ours,
                    i0: c1.i1 as isize,
                    chg0: c1.chg1 as isize,
                    i1: c1.i2 as isize,
                    chg1: c1.chg2 as isize,
                    i2: shift(c1.i1, c2.i2, c2.i1),
                    chg2: c1.chg1 as isize,
                },
            );
            p1 += 1;
            continue;
        }
        if c2.i1 + c2.chg1 < c1.i1 {
            append(
                &mut blocks,
                Block {
                    mode: Mode::Theirs,
                    i0: c2.i1 as isize,
                    chg0: c2.chg1 as isize,
                    i1: shift(c2.i1, c1.i2, c1.i1),
                    chg1: c2.chg1 as isize,
                    i2: c2.i2 as isize,
                    chg2: c2.chg2 as isize,
                },
            );
            p2 += 1;
            continue;
        }
        let same = c1.i1 == c2.i1
            && c1.chg1 == c2.chg1
            && c1.chg2 == c2.chg2
            && ours[c1.i2..c1.i2 + c1.chg2] == theirs[c2.i2..c2.i2 + c2.chg2];
        if !same {
            // Widen both sides to the union of the two base ranges; signed
            // arithmetic as in xdiff, where the offsets can go either way.
            let off = c1.i1 as isize - c2.i1 as isize;
            let ffo = off + c1.chg1 as isize - c2.chg1 as isize;
            let (mut i0, mut i1, mut i2) = (c1.i1 as isize, c1.i2 as isize, c2.i2 as isize);
            if off > 0 {
                i0 -= off;
                i1 -= off;
            } else {
                i2 += off;
            }
            let mut chg0 = (c1.i1 + c1.chg1) as isize - i0;
            let mut chg1 = (c1.i2 + c1.chg2) as isize - i1;
            let mut chg2 = (c2.i2 + c2.chg2) as isize - i2;
            if ffo < 0 {
                chg0 -= ffo;
                chg1 -= ffo;
            } else {
                chg2 += ffo;
            }
            append(&mut blocks, Block { mode: Mode::Conflict, i0, chg0, i1, chg1, i2, chg2 });
        }
        let end1 = c1.i1 + c1.chg1;
        let end2 = c2.i1 + c2.chg1;
        if end1 >= end2 {
            p2 += 1;
        }
        if end2 >= end1 {
            p1 += 1;
        }
    }
    for c1 in &xscr1[p1..] {
        append(
            &mut blocks,
            Block {
                mode: Mode::Ours,
                i0: c1.i1 as isize,
                chg0: c1.chg1 as isize,
                i1: c1.i2 as isize,
                chg1: c1.chg2 as isize,
                i2: shift(c1.i1, theirs.len(), base.len()),
                chg2: c1.chg1 as isize,
            },
        );
    }
    for c2 in &xscr2[p2..] {
        append(
            &mut blocks,
            Block {
                mode: Mode::Theirs,
                i0: c2.i1 as isize,
                chg0: c2.chg1 as isize,
                i1: shift(c2.i1, ours.len(), base.len()),
                chg1: c2.chg1 as isize,
                i2: c2.i2 as isize,
                chg2: c2.chg2 as isize,
            },
        );
    }
    blocks
}

/// Port of xdiff's `is_eol_crlf`: `None` when the file cannot tell.
fn is_eol_crlf(file: &[&str], i: usize) -> Option<bool> {
    if file.is_empty() {
        return None;
    }
    if i + 1 < file.len() || file[i].ends_with('\n') {
        return Some(file[i].ends_with("\r\n"));
    }
    if i == 0 {
        return None;
    }
    Some(file[i - 1].ends_with("\r\n"))
}

/// Port of xdiff's `is_cr_needed`: markers follow the line endings around them.
fn is_cr_needed(base: &[&str], ours: &[&str], theirs: &[&str], i1: usize, i2: usize) -> bool {
    let mut needs = is_eol_crlf(ours, i1.saturating_sub(1));
    if needs == Some(true) {
        needs = is_eol_crlf(theirs, i2.saturating_sub(1));
    }
    if needs == Some(true) {
        needs = is_eol_crlf(base, 0);
    }
    needs.unwrap_or(false)
}

fn copy_lines(out: &mut String, lines: &[&str], crlf: bool, add_newline: bool) {
    for line in lines {
        out.push_str(line);
    }
    if add_newline && lines.last().is_some_and(|l| !l.ends_with('\n')) {
        out.push_str(if crlf { "\r\n" } else { "\n" });
    }
}

fn marker(out: &mut String, ch: char, label: Option<&str>, crlf: bool) {
    out.extend(std::iter::repeat_n(ch, 7));
    if let Some(label) = label.filter(|l| !l.is_empty()) {
        out.push(' ');
        out.push_str(&one_line(label));
    }
    out.push_str(if crlf { "\r\n" } else { "\n" });
}

/// A label on one line: a newline in it would forge lines of content.
pub(crate) fn one_line(label: &str) -> String {
    label.replace(['\r', '\n'], " ")
}

fn region_side(lines: &[&str], range: Range<usize>) -> super::RegionSide {
    super::RegionSide {
        lines: lines[range.clone()]
            .iter()
            .map(|l| {
                let l = l.strip_suffix('\n').unwrap_or(l);
                l.strip_suffix('\r').unwrap_or(l).to_owned()
            })
            .collect(),
        range,
    }
}

/// Port of xdiff's `xdl_fill_merge_buffer` in diff3 style.
fn fill(base: &[&str], ours: &[&str], theirs: &[&str], blocks: &[Block], labels: &Labels<'_>) -> LineMerge {
    let mut text = String::new();
    let mut conflicts = Vec::new();
    let mut i = 0;
    for m in blocks {
        let (r0, r1, r2) = (m.base(base), m.ours(ours), m.theirs(theirs));
        copy_lines(&mut text, &ours[i.min(r1.start)..r1.start], false, false);
        match m.mode {
            Mode::Conflict => {
                let crlf = is_cr_needed(base, ours, theirs, r1.start, r2.start);
                marker(&mut text, '<', Some(labels.ours), crlf);
                copy_lines(&mut text, &ours[r1.clone()], crlf, true);
                marker(&mut text, '|', Some(labels.base), crlf);
                copy_lines(&mut text, &base[r0.clone()], crlf, true);
                marker(&mut text, '=', None, crlf);
                copy_lines(&mut text, &theirs[r2.clone()], crlf, true);
                marker(&mut text, '>', Some(labels.theirs), crlf);
                conflicts.push(ConflictRegion {
                    base: region_side(base, r0),
                    ours: region_side(ours, r1.clone()),
                    theirs: region_side(theirs, r2),
                });
            }
            Mode::Ours => copy_lines(&mut text, &ours[r1.clone()], false, false),
            Mode::Theirs => copy_lines(&mut text, &theirs[r2], false, false),
        }
        i = r1.end;
    }
    copy_lines(&mut text, &ours[i..], false, false);
    LineMerge { text, conflicts }
}
