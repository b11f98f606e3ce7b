//! Structural three-way merge of YAML and JSON documents, on the document
//! tree ([`crate::document`]) and byte spans of the three sources, so that
//! untouched text is copied byte for byte and nothing is re-serialized.
//!
//! # Pieces
//!
//! A block collection's text is cut into pieces that tile it exactly: a head
//! (text before the first child: a nested key's line, or the file's leading
//! comments) and one piece per child. Child `i > 0` runs from the end of
//! child `i - 1`'s last line to the end of its own last line, so it carries
//! the comment and blank lines above it; child 0 carries only the comment
//! lines directly above it. A flow collection (`[a, b]`, `{k: v}`, every
//! JSON collection) is its brackets, its members (an item, or an entry from
//! key to value), the separators between members (a comma, spaces, line
//! breaks, YAML comments), the text between the opening bracket and the
//! first member (its head) and after the last one (its tail: a line break
//! and indentation, a YAML trailing comma).
//!
//! # Decisions
//!
//! Children are matched by identity: a mapping key, or a list entry's merge
//! key (the schema's `x-merge-key`), by resolved value, so that `True` and
//! `true`, or `job1` and `"job1"`, are one key; keys follow ours, keys new
//! in theirs come at the end, in theirs' order, and a reordering of the
//! shared keys that theirs made alone is a conflict. Other lists line up
//! entry by entry as the semantic merge lines them up ([`semantic::align`]:
//! a diff3 over the entries' texts, entries both sides inserted at one place
//! all kept, ours first), or else, when no side changed the length, by
//! position. A child in all three versions is compared as text: changed on
//! one side, that side's; on both, merged by these rules when its value is
//! a collection of one kind and style, untagged, in all three; else a
//! conflict. Heads, tails and the text around a nested collection (its
//! key's line, a comment after a flow collection) are merged as units: one
//! side changed it, that side's; both, a conflict.
//!
//! A separator between two members of a flow collection is merged like a
//! unit where the two stand side by side in all three versions; else it is
//! taken from a version where they do (ours first); two members that stand
//! side by side in no version (each writer appended one) are separated as
//! the editor separates a member it adds to ours
//! ([`crate::edit::flow::separator`]: as its last two members are). A
//! member taken into a flow collection from another version has its later
//! lines re-indented to the line it lands on, so a JSON object added by one
//! writer sits like its neighbours in the other's file.
//!
//! A nested collection whose entries the two sides deleted between them
//! becomes `{}` or `[]` after its key, so that it stays a collection.
//!
//! # What is refused
//!
//! Each of these makes the merge give up (`None`, reported by the caller as
//! the line merge's conflict), rather than risk wrong text: anchors and
//! aliases (moved text could rebind them), several documents, tagged
//! collections, keys that are collections or given twice, explicit `?`
//! keys in block mappings, children of one block collection at different
//! indentation in the three versions, a compact collection (`- key: value`)
//! whose first child is not the same in all three, a block root left with
//! no entries, and, in a flow collection holding a YAML comment, a
//! separator that would have to be moved or made up. Whatever text comes
//! out goes through the caller's guard, which compares it, parsed, with the
//! semantic merge: a layout this module misjudges becomes a conflict, never
//! wrong text.
//!
//! Iterative: a child both sides changed is a pending step on an explicit
//! stack, merged when the output reaches it; nesting costs heap, not stack.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::semantic::{self, Aligned, Value};
use crate::document::text::{indentation, line_start, next_line, own_end};
use crate::document::{self, Document, Format, Limits, NodeId, Style};
use crate::edit::flow;

const BASE: usize = 0;
const OURS: usize = 1;
const THEIRS: usize = 2;

/// Merges the three texts (base, ours, theirs) structurally, or `None` if
/// that is not possible without risking a lost or misplaced change.
pub(super) fn merge(texts: [&str; 3], format: Format, list_keys: &[String]) -> Option<String> {
    let [base, ours, theirs] = texts.map(|text| Version::parse(text, format));
    let versions = [base?, ours?, theirs?];
    let merger = Merger { versions: &versions, format, list_keys };
    let root = Child3 {
        pieces: std::array::from_fn(|s| 0..versions[s].src.len()),
        values: std::array::from_fn(|s| versions[s].doc.root()),
        floors: [0; 3],
    };
    let mut text = merger.run(merger.nested(&root, true)?)?;
    let [base, ours, theirs] = &versions;
    let final_newline =
        if ours.final_newline == base.final_newline { theirs.final_newline } else { ours.final_newline };
    if !final_newline {
        let trimmed = text.strip_suffix('\n')?;
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        text.truncate(trimmed.len());
    }
    Some(text)
}

/// One version: its tree, and its source normalized to end with a line
/// break so that every piece ends with one.
struct Version {
    src: String,
    final_newline: bool,
    doc: Document,
}

impl Version {
    fn parse(text: &str, format: Format) -> Option<Version> {
        let doc = document::parse(text, format, &Limits::default()).single().ok()?;
        let root = doc.root();
        if doc.has_anchor(root) || doc.has_alias(root) || !doc.duplicates().is_empty() {
            return None;
        }
        let final_newline = text.is_empty() || text.ends_with('\n');
        let mut src = text.to_owned();
        if !final_newline {
            // Appending leaves every span of the tree valid in `src`.
            src.push('\n');
        }
        Some(Version { src, final_newline, doc })
    }

    fn text(&self, range: &Range<usize>) -> &str {
        &self.src[range.clone()]
    }
}

/// A child of a collection in one version.
struct Member {
    /// Its piece (block), or its span (flow).
    range: Range<usize>,
    /// Where it starts: its key, or its item's `-`.
    anchor: usize,
    key: Option<NodeId>,
    value: NodeId,
}

/// How a block collection's text divides into a head and child pieces.
struct Layout {
    /// Where the first child's piece starts; the head is before it.
    head_end: usize,
    /// Where the last child's piece ends.
    end: usize,
    /// The first child starts mid-line, as in `- key: value`.
    compact: bool,
    /// Indentation of the children, in bytes from the start of their line
    /// (for a compact first child, `- ` included).
    column: usize,
    members: Vec<Member>,
}

/// A flow collection: its brackets and members.
struct Container {
    node: NodeId,
    /// The `[` or `{`.
    open: usize,
    /// The `]` or `}`.
    close: usize,
    members: Vec<Member>,
}

/// One child in the three versions, which both sides changed.
#[derive(Debug, Clone)]
struct Child3 {
    pieces: [Range<usize>; 3],
    values: [NodeId; 3],
    /// Where a block collection in the value may start its own lines (after
    /// its key's or item's line).
    floors: [usize; 3],
}

/// A step of assembling the merged text.
#[derive(Debug)]
enum Op {
    /// Bytes of one version.
    Copy(usize, Range<usize>),
    Text(String),
    /// A flow member of one version, its later lines re-indented to the
    /// line it lands on.
    Member(usize, Range<usize>),
    /// A child both sides changed: its value merged, when the output gets there.
    Nested(Child3),
}

struct Merger<'a> {
    versions: &'a [Version; 3],
    format: Format,
    list_keys: &'a [String],
}

impl Merger<'_> {
    /// Assembles the text, expanding nested merges as they come.
    fn run(&self, ops: Vec<Op>) -> Option<String> {
        let mut out = String::with_capacity(self.versions[OURS].src.len() + self.versions[THEIRS].src.len() / 8);
        let mut stack = ops;
        stack.reverse();
        while let Some(op) = stack.pop() {
            match op {
                Op::Copy(side, range) => out.push_str(self.versions[side].text(&range)),
                Op::Text(text) => out.push_str(&text),
                Op::Member(side, range) => self.member(&mut out, side, range)?,
                Op::Nested(child) => stack.extend(self.nested(&child, false)?.into_iter().rev()),
            }
        }
        Some(out)
    }

    /// Appends a flow member, its later lines moved from its own line's
    /// indentation to that of the line it lands on.
    fn member(&self, out: &mut String, side: usize, range: Range<usize>) -> Option<()> {
        let src = &self.versions[side].src;
        let text = &src[range.clone()];
        let from = indentation(src, range.start);
        let to = indentation(out, out.len()).to_owned();
        if !text.contains('\n') || from == to {
            out.push_str(text);
            return Some(());
        }
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
                if !line.trim().is_empty() {
                    out.push_str(&to);
                    out.push_str(line.strip_prefix(from)?);
                    continue;
                }
            }
            out.push_str(line);
        }
        Some(())
    }

    /// Which version a three-way merge of one unit of text takes.
    fn pick(&self, ranges: &[Range<usize>; 3]) -> Option<usize> {
        let [base, ours, theirs] = std::array::from_fn(|s| self.versions[s].text(&ranges[s]));
        if ours == base || ours == theirs {
            Some(THEIRS)
        } else if theirs == base {
            Some(OURS)
        } else {
            None
        }
    }

    /// The steps that write a child both sides changed: the text before its
    /// value, the value's collection merged, the text after it.
    fn nested(&self, child: &Child3, root: bool) -> Option<Vec<Op>> {
        let node = |s: usize| self.versions[s].doc.node(child.values[s]);
        let style = node(BASE).style()?;
        let is_map = node(BASE).is_map();
        if (0..3).any(|s| node(s).style() != Some(style) || node(s).is_map() != is_map || node(s).tag().is_some()) {
            return None;
        }
        let (bodies, body): ([Range<usize>; 3], Vec<Op>) = match style {
            Style::Block => {
                let [b, o, t] = std::array::from_fn(|s| self.layout(s, child.values[s], child.floors[s]));
                let layouts = [b?, o?, t?];
                (std::array::from_fn(|s| layouts[s].head_end..layouts[s].end), self.block(&layouts, is_map)?)
            }
            Style::Flow => {
                let [b, o, t] = std::array::from_fn(|s| self.container(s, child.values[s]));
                let containers = [b?, o?, t?];
                (std::array::from_fn(|s| node(s).span()), self.flow(&containers, is_map)?)
            }
        };
        let pieces = &child.pieces;
        if (0..3).any(|s| bodies[s].start < pieces[s].start || bodies[s].end > pieces[s].end) {
            return None;
        }
        let before: [Range<usize>; 3] = std::array::from_fn(|s| pieces[s].start..bodies[s].start);
        let after: [Range<usize>; 3] = std::array::from_fn(|s| bodies[s].end..pieces[s].end);
        let (b, a) = (self.pick(&before)?, self.pick(&after)?);
        let mut ops = Vec::with_capacity(body.len() + 2);
        if body.is_empty() {
            // A block root without entries is no longer a collection.
            if root {
                return None;
            }
            ops.push(Op::Text(self.emptied(b, &before[b], child.values[b], is_map)?));
        } else {
            ops.push(Op::Copy(b, before[b].clone()));
            ops.extend(body);
        }
        ops.push(Op::Copy(a, after[a].clone()));
        Some(ops)
    }

    /// The text before a block collection both sides emptied, with `{}` or
    /// `[]` after its key's `:` or its item's `-`, so that it keeps its type
    /// (an empty value would be null).
    fn emptied(&self, side: usize, before: &Range<usize>, value: NodeId, is_map: bool) -> Option<String> {
        let version = &self.versions[side];
        let doc = &version.doc;
        let node = doc.node(value);
        let parent = node.parent()?;
        let indicator = if doc.node(parent).is_map() {
            let key_end = doc.node(doc.children(parent)[node.index() - 1]).span().end;
            key_end + version.src[key_end..].find(':')?
        } else {
            node.lead()
        };
        let text = version.text(before);
        let at = (indicator + 1).checked_sub(before.start)?;
        let (head, rest) = (text.get(..at)?, text.get(at..)?);
        Some(format!("{head} {}{rest}", if is_map { "{}" } else { "[]" }))
    }

    /// Cuts a block collection into head and child pieces. `floor` is where
    /// the collection's own lines may start (after its parent key's line).
    fn layout(&self, side: usize, node: NodeId, floor: usize) -> Option<Layout> {
        let Version { src, doc, .. } = &self.versions[side];
        let mut members = Vec::new();
        if doc.node(node).is_map() {
            for (key, value) in doc.entries(node) {
                let k = doc.node(key);
                // Complex keys (`? …`) are not worth the risk.
                if k.scalar().is_none() || k.lead() != k.span().start {
                    return None;
                }
                let end = doc.entry_span(key, value).end;
                members.push(Member { range: end..end, anchor: k.lead(), key: Some(key), value });
            }
        } else {
            for &item in doc.children(node) {
                let dash = doc.node(item).lead();
                if src.as_bytes().get(dash) != Some(&b'-') {
                    return None;
                }
                let end = doc.node(item).span().end;
                members.push(Member { range: end..end, anchor: dash, key: None, value: item });
            }
        }
        let first = members.first()?.anchor;
        let first_line = line_start(src, first);
        let compact = !src[first_line..first].trim().is_empty();
        let mut head_end = first;
        if !compact {
            // Comment lines directly above the first child belong to it.
            head_end = first_line;
            while head_end > floor {
                let previous = line_start(src, head_end - 1);
                if previous < floor || !src[previous..head_end].trim_start().starts_with('#') {
                    break;
                }
                head_end = previous;
            }
        }
        let column = first - first_line;
        let mut start = head_end;
        for (i, member) in members.iter_mut().enumerate() {
            let line = line_start(src, member.anchor);
            if member.anchor - line != column {
                return None;
            }
            // Later children start their own line, after the previous one.
            if i > 0 && (line < start || !src[line..member.anchor].trim().is_empty()) {
                return None;
            }
            let end = own_end(src, member.range.end);
            if end <= start.max(member.anchor) {
                return None;
            }
            member.range = start..end;
            start = end;
        }
        Some(Layout { head_end, end: start, compact, column, members })
    }

    /// A flow collection's brackets and members.
    fn container(&self, side: usize, node: NodeId) -> Option<Container> {
        let Version { src, doc, .. } = &self.versions[side];
        let span = doc.node(node).span();
        let (open, close) = (span.start, span.end.checked_sub(1)?);
        // A `k: v` pair in a flow list has no brackets.
        let brackets = (src.as_bytes()[open], src.as_bytes()[close]);
        if open >= close || !matches!(brackets, (b'[', b']') | (b'{', b'}')) {
            return None;
        }
        let members = if doc.node(node).is_map() {
            let entries = doc.entries(node).map(|(key, value)| (doc.entry_span(key, value), Some(key), value));
            entries.map(|(range, key, value)| Member { anchor: range.start, range, key, value }).collect()
        } else {
            let items = doc.children(node).iter().map(|&item| (doc.node(item).span(), item));
            items.map(|(range, value)| Member { anchor: range.start, range, key: None, value }).collect()
        };
        Some(Container { node, open, close, members })
    }

    /// The steps that write the children of three block collections.
    fn block(&self, layouts: &[Layout; 3], is_map: bool) -> Option<Vec<Op>> {
        // Pieces of one version must fit the indentation of another.
        let (compact, column) = (layouts[BASE].compact, layouts[BASE].column);
        if layouts.iter().any(|l| l.compact != compact || l.column != column) {
            return None;
        }
        let members = std::array::from_fn(|s| layouts[s].members.as_slice());
        let aligned = self.align(&members, is_map, compact)?;
        Some(aligned.into_iter().map(|entry| self.decide(entry, &members, true)).collect())
    }

    /// The steps that write three flow collections merged: brackets, head,
    /// members and separators, tail.
    fn flow(&self, containers: &[Container; 3], is_map: bool) -> Option<Vec<Op>> {
        let members = std::array::from_fn(|s| containers[s].members.as_slice());
        let aligned = self.align(&members, is_map, false)?;
        let commented = self.format == Format::Yaml && (0..3).any(|s| self.has_comment(s, &containers[s]));
        let [open, close] = [containers[OURS].open, containers[OURS].close].map(|at| Op::Copy(OURS, at..at + 1));
        if aligned.is_empty() {
            return if commented { None } else { Some(vec![open, close]) };
        }
        // An empty collection's inside is both its head and its tail.
        let heads: [Range<usize>; 3] = std::array::from_fn(|s| {
            let c = &containers[s];
            c.open + 1..c.members.first().map_or(c.close, |m| m.range.start)
        });
        let tails: [Range<usize>; 3] = std::array::from_fn(|s| {
            let c = &containers[s];
            c.members.last().map_or(c.open + 1, |m| m.range.end)..c.close
        });
        let (head, tail) = (self.pick(&heads)?, self.pick(&tails)?);
        let mut ops = Vec::with_capacity(2 * aligned.len() + 4);
        ops.push(open);
        ops.push(Op::Copy(head, heads[head].clone()));
        let mut made = None;
        for (i, &entry) in aligned.iter().enumerate() {
            if i > 0 {
                ops.push(self.separator(containers, aligned[i - 1], entry, commented, &mut made)?);
            }
            ops.push(self.decide(entry, &members, false));
        }
        ops.push(Op::Copy(tail, tails[tail].clone()));
        ops.push(close);
        Some(ops)
    }

    /// Whether a flow collection holds a comment outside its members.
    fn has_comment(&self, side: usize, container: &Container) -> bool {
        let src = &self.versions[side].src;
        let mut at = container.open;
        let mut found = false;
        for member in &container.members {
            found |= src[at..member.range.start].contains('#');
            at = member.range.end;
        }
        found || src[at..container.close].contains('#')
    }

    /// What separates two neighbours of the merged flow collection.
    fn separator(
        &self,
        containers: &[Container; 3],
        previous: Aligned,
        next: Aligned,
        commented: bool,
        made: &mut Option<String>,
    ) -> Option<Op> {
        let gap = |s: usize, i: usize| {
            let members = &containers[s].members;
            members[i].range.end..members[i + 1].range.start
        };
        let adjacent: [Option<Range<usize>>; 3] = std::array::from_fn(|s| match (index(previous, s), index(next, s)) {
            (Some(i), Some(j)) if j == i + 1 => Some(gap(s, i)),
            _ => None,
        });
        if let [Some(b), Some(o), Some(t)] = &adjacent {
            let ranges = [b.clone(), o.clone(), t.clone()];
            let side = self.pick(&ranges)?;
            return Some(Op::Copy(side, ranges[side].clone()));
        }
        let found: Vec<(usize, &Range<usize>)> =
            [OURS, THEIRS, BASE].into_iter().filter_map(|s| Some((s, adjacent[s].as_ref()?))).collect();
        if let Some(&(side, range)) = found.first() {
            // A comment change of the version not taken would be lost.
            let text = self.versions[side].text(range);
            if commented && found.iter().any(|&(s, r)| self.versions[s].text(r) != text) {
                return None;
            }
            return Some(Op::Copy(side, range.clone()));
        }
        if commented {
            return None;
        }
        // Side by side in no version (each side appended one, say): as the
        // editor separates a member it adds, in ours where it can.
        if made.is_none() {
            *made = [OURS, THEIRS, BASE].into_iter().find_map(|s| {
                let version = &self.versions[s];
                flow::separator(&version.doc, &version.src, self.format, containers[s].node)
            });
        }
        Some(Op::Text(made.clone()?))
    }

    /// The step that writes one entry of a merged collection: a child as
    /// one version has it, or merged.
    fn decide(&self, entry: Aligned, members: &[&[Member]; 3], block: bool) -> Op {
        let take = |side: usize, member: &Member| {
            if block { Op::Copy(side, member.range.clone()) } else { Op::Member(side, member.range.clone()) }
        };
        match entry {
            Aligned::Ours(o) => take(OURS, &members[OURS][o]),
            Aligned::Theirs(t) => take(THEIRS, &members[THEIRS][t]),
            Aligned::Same(b, o, t) | Aligned::Paired(b, o, t) => {
                let three = [&members[BASE][b], &members[OURS][o], &members[THEIRS][t]];
                let pieces = three.map(|m| m.range.clone());
                match self.pick(&pieces) {
                    Some(side) => take(side, three[side]),
                    None => Op::Nested(Child3 {
                        pieces,
                        values: three.map(|m| m.value),
                        floors: std::array::from_fn(|s| {
                            if block { next_line(&self.versions[s].src, three[s].anchor) } else { 0 }
                        }),
                    }),
                }
            }
        }
    }

    /// How the children of three collections line up.
    fn align(&self, members: &[&[Member]; 3], is_map: bool, compact: bool) -> Option<Vec<Aligned>> {
        let texts: [Vec<&str>; 3] =
            std::array::from_fn(|s| members[s].iter().map(|m| self.versions[s].text(&m.range)).collect());
        let aligned = if is_map {
            let [b, o, t] = std::array::from_fn(|s| {
                let doc = &self.versions[s].doc;
                members[s].iter().map(|m| semantic::scalar(doc, m.key?)).collect::<Option<Vec<_>>>()
            });
            align_keyed(&[b?, o?, t?], &texts)?
        } else if let Some(ids) = self.list_ids(members) {
            align_keyed(&ids, &texts)?
        } else {
            let [b, o, t] = &texts;
            match semantic::align(b, o, t, true) {
                Some(aligned) => aligned,
                None if o.len() == b.len() && t.len() == b.len() => {
                    (0..b.len()).map(|i| Aligned::Paired(i, i, i)).collect()
                }
                None => return None,
            }
        };
        // A compact first child shares its line with the parent's `- `, so
        // it must stay first: the same entry first in all versions.
        if compact && !matches!(aligned.first(), Some(Aligned::Same(0, 0, 0) | Aligned::Paired(0, 0, 0))) {
            return None;
        }
        Some(aligned)
    }

    /// The identities of three lists' entries under the first merge key that
    /// every entry holds with a scalar value, unique within each list.
    fn list_ids(&self, members: &[&[Member]; 3]) -> Option<[Vec<Value>; 3]> {
        self.list_keys.iter().find_map(|key| {
            let [b, o, t] = std::array::from_fn(|s| {
                members[s].iter().map(|m| self.field(s, m.value, key)).collect::<Option<Vec<_>>>()
            });
            let ids = [b?, o?, t?];
            ids.iter().all(|ids| ids.iter().collect::<HashSet<_>>().len() == ids.len()).then_some(ids)
        })
    }

    /// The value under `name` of a mapping, when it is a scalar.
    fn field(&self, side: usize, node: NodeId, name: &str) -> Option<Value> {
        let doc = &self.versions[side].doc;
        let wanted = Value::String(name.to_owned());
        let (_, value) = doc.entries(node).find(|&(key, _)| semantic::scalar(doc, key).as_ref() == Some(&wanted))?;
        semantic::scalar(doc, value)
    }
}

/// An entry's index in one version, if it is there.
fn index(entry: Aligned, side: usize) -> Option<usize> {
    match entry {
        Aligned::Same(b, o, t) | Aligned::Paired(b, o, t) => Some([b, o, t][side]),
        Aligned::Ours(o) => (side == OURS).then_some(o),
        Aligned::Theirs(t) => (side == THEIRS).then_some(t),
    }
}

/// Lines up children matched by identity (`ids`), deciding on the way
/// those only one side has: ours' in its order, then those new in theirs.
fn align_keyed(ids: &[Vec<Value>; 3], texts: &[Vec<&str>; 3]) -> Option<Vec<Aligned>> {
    let index: [HashMap<&Value, usize>; 3] =
        std::array::from_fn(|s| ids[s].iter().enumerate().map(|(i, id)| (id, i)).collect());
    if (0..3).any(|s| index[s].len() != ids[s].len()) {
        return None;
    }
    let common =
        |s: usize| -> Vec<&Value> { ids[s].iter().filter(|id| index.iter().all(|i| i.contains_key(id))).collect() };
    let theirs_order = common(THEIRS);
    if theirs_order != common(BASE) && theirs_order != common(OURS) {
        return None;
    }
    let mut aligned = Vec::with_capacity(ids[OURS].len() + ids[THEIRS].len());
    for (o, id) in ids[OURS].iter().enumerate() {
        match (index[BASE].get(id), index[THEIRS].get(id)) {
            (Some(&b), Some(&t)) => aligned.push(Aligned::Paired(b, o, t)),
            // Deleted by theirs: only if ours left it alone.
            (Some(&b), None) if texts[OURS][o] != texts[BASE][b] => return None,
            (Some(_), None) => {}
            // Added by both: once, when alike.
            (None, Some(&t)) if texts[OURS][o] != texts[THEIRS][t] => return None,
            (None, _) => aligned.push(Aligned::Ours(o)),
        }
    }
    for (b, id) in ids[BASE].iter().enumerate() {
        // Deleted by ours: only if theirs left it alone.
        if !index[OURS].contains_key(id)
            && let Some(&t) = index[THEIRS].get(id)
            && texts[THEIRS][t] != texts[BASE][b]
        {
            return None;
        }
    }
    for (t, id) in ids[THEIRS].iter().enumerate() {
        if !index[BASE].contains_key(id) && !index[OURS].contains_key(id) {
            aligned.push(Aligned::Theirs(t));
        }
    }
    Some(aligned)
}
