//! Structural three-way merge of YAML block mappings and sequences, done on
//! byte spans of the sources so that untouched text is copied byte for byte.
//!
//! Each version is parsed with `saphyr-parser` into a small tree of nodes with
//! byte offsets. A block collection's text is cut into pieces that tile it
//! exactly: a head (text before the first child: a nested key's line, or the
//! file's leading comments) and one piece per child. Child `i > 0` runs from
//! the end of child `i - 1`'s last line to the end of its own last line, so it
//! carries the comment and blank lines above it; child 0 carries only the
//! comment lines directly above it. Pieces are compared as text and picked
//! from one side, or merged recursively when both sides changed a child whose
//! value is a block collection in all three versions.
//!
//! Children are matched by identity: a mapping key, or a list entry's merge
//! key, by its resolved value ([`semantic::plain_scalar`]), so that `True`
//! and `true`, or `job1` and `"job1"`, are one key.
//!
//! Every decision also builds the value the merged document must have; the
//! assembled text is parsed again, exactly as written, and compared with it,
//! so a layout this module misjudges (odd indentation, a piece boundary in
//! the wrong place, a block scalar that ended the file without a line break
//! and no longer does) turns into a conflict, never into wrong text. Any
//! doubt returns `None`, which the caller reports as the line merge's
//! conflict. Its result then still goes through the caller's guard.

use std::ops::Range;

use super::semantic;
use crate::source::SourceMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Merges the three texts structurally, or `None` if that is not possible
/// without risking a lost or misplaced change.
pub(super) fn merge(base: &str, ours: &str, theirs: &str, list_keys: &[String]) -> Option<String> {
    let b = Doc::parse(base)?;
    let o = Doc::parse(ours)?;
    let t = Doc::parse(theirs)?;
    let merger = Merger { docs: [&b, &o, &t], list_keys };
    let roots = [&b.root, &o.root, &t.root];
    let layouts = [b.layout(&b.root, 0)?, o.layout(&o.root, 0)?, t.layout(&t.root, 0)?];
    let heads: [&str; 3] = std::array::from_fn(|i| &merger.docs[i].src[..layouts[i].head_end]);
    let tails: [&str; 3] = std::array::from_fn(|i| &merger.docs[i].src[layouts[i].end..]);
    let (body, value) = merger.merge_collections(roots, &layouts)?;
    let mut text = String::new();
    text.push_str(merge_text(heads)?);
    text.push_str(&body);
    text.push_str(merge_text(tails)?);

    let final_newline = if o.final_newline == b.final_newline { t.final_newline } else { o.final_newline };
    if !final_newline {
        let trimmed = text.strip_suffix('\n')?;
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        text.truncate(trimmed.len());
    }

    let check = Doc::parse(&text)?;
    (check.root.value() == value).then_some(text)
}

/// Three-way merge of one piece of text taken as a whole.
fn merge_text(texts: [&str; 3]) -> Option<&str> {
    pick(texts).map(|side| texts[side])
}

/// Which version a three-way merge of one piece of text takes.
fn pick([base, ours, theirs]: [&str; 3]) -> Option<usize> {
    if ours == base || ours == theirs {
        Some(THEIRS)
    } else if theirs == base {
        Some(OURS)
    } else {
        None
    }
}

/// A node's content as the merged document must reproduce it. Scalars keep
/// their style bit and tag so that `"1"` and `1` stay different.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Scalar { value: String, plain: bool, tag: Option<String> },
    Map(Vec<(Value, Value)>),
    Seq(Vec<Value>),
}

#[derive(Debug)]
struct Node {
    /// Byte offset of the first character, tag included.
    start: usize,
    /// Byte offset just past the last character of content (comments after
    /// it excluded). A block scalar ends at the start of the line after it.
    end: usize,
    tagged: bool,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Scalar(Value),
    Map { block: bool, entries: Vec<(Node, Node)> },
    Seq { block: bool, items: Vec<Node> },
}

impl Node {
    fn value(&self) -> Value {
        match &self.kind {
            Kind::Scalar(v) => v.clone(),
            Kind::Map { entries, .. } => Value::Map(entries.iter().map(|(k, v)| (k.value(), v.value())).collect()),
            Kind::Seq { items, .. } => Value::Seq(items.iter().map(Node::value).collect()),
        }
    }

    /// Block mapping or block sequence without a tag: something this module
    /// can cut into pieces.
    fn is_plain_block(&self) -> bool {
        !self.tagged && matches!(self.kind, Kind::Map { block: true, .. } | Kind::Seq { block: true, .. })
    }

    fn same_kind(&self, other: &Node) -> bool {
        matches!((&self.kind, &other.kind), (Kind::Map { .. }, Kind::Map { .. }) | (Kind::Seq { .. }, Kind::Seq { .. }))
    }

    /// What a scalar means as a key or list entry identity: its resolved
    /// value, so that `true`/`True` or `job1`/`"job1"` are one key. `None`
    /// for collections and tagged scalars.
    fn identity(&self) -> Option<semantic::Value> {
        match &self.kind {
            Kind::Scalar(Value::Scalar { value, plain: true, tag: None }) => Some(semantic::plain_scalar(value)),
            Kind::Scalar(Value::Scalar { value, plain: false, tag: None }) => {
                Some(semantic::Value::String(value.clone()))
            }
            _ => None,
        }
    }

    /// The identity of the scalar under `key`, if this is a mapping that has
    /// one.
    fn lookup(&self, key: &str) -> Option<semantic::Value> {
        let Kind::Map { entries, .. } = &self.kind else {
            return None;
        };
        let key = semantic::Value::String(key.to_owned());
        entries.iter().find(|(k, _)| k.identity().as_ref() == Some(&key)).and_then(|(_, v)| v.identity())
    }
}

/// One version: its source, normalized to end with a newline so that every
/// piece ends with one, and its parsed root.
struct Doc {
    src: String,
    final_newline: bool,
    root: Node,
}

/// A child of a block collection and the byte range of its piece.
struct Child<'n> {
    /// The key's first byte, or the item's `-`.
    anchor: usize,
    piece: Range<usize>,
    key: Option<&'n Node>,
    value: &'n Node,
}

impl Child<'_> {
    fn value(&self) -> Value {
        self.value.value()
    }
}

/// How a block collection's text divides into a head and child pieces.
struct Layout<'n> {
    /// Where the first child's piece starts; the head is before it.
    head_end: usize,
    /// Where the last child's piece ends.
    end: usize,
    /// The first child starts mid-line, as in `- key: value`.
    compact: bool,
    /// Indentation of the children, in bytes from the start of their line
    /// (for a compact first child, `- ` included).
    column: usize,
    children: Vec<Child<'n>>,
}

impl Doc {
    /// Parses the text exactly as written (values included); only `src`
    /// gains the missing final newline.
    fn parse(text: &str) -> Option<Doc> {
        let final_newline = text.is_empty() || text.ends_with('\n');
        let mut src = text.to_owned();
        if !final_newline {
            src.push('\n');
        }
        // Appending leaves every offset into `text` valid in `src`.
        let offsets = SourceMap::new(&src);
        let mut events = Vec::new();
        for event in Parser::new_from_str(text) {
            events.push(event.ok()?);
        }
        // Read a block scalar that ends the text without a line break as
        // the YAML spec does (see `semantic::scan`).
        let unterminated_block = events.iter().rev().find_map(|(event, span)| match event {
            Event::Scalar(_, style, ..) => Some(
                matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && offsets.byte_of_char(span.end.index()) == text.len()
                    && semantic::ends_unterminated(text),
            ),
            _ => None,
        }) == Some(true);
        let mut events = events.into_iter().peekable();
        matches!(events.next()?.0, Event::StreamStart).then_some(())?;
        matches!(events.next()?.0, Event::DocumentStart(_)).then_some(())?;
        let mut root = build(&mut events, &offsets)?;
        matches!(events.next()?.0, Event::DocumentEnd).then_some(())?;
        matches!(events.next()?.0, Event::StreamEnd).then_some(())?;
        if unterminated_block
            && let Some(Node { kind: Kind::Scalar(Value::Scalar { value, .. }), .. }) = last_scalar(&mut root)
            && value.ends_with('\n')
        {
            value.pop();
        }
        root.is_plain_block().then_some(Doc { src, final_newline, root })
    }

    fn line_start(&self, at: usize) -> usize {
        self.src[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Offset just past the newline that ends the line holding `at`.
    fn line_end(&self, at: usize) -> usize {
        self.src[at..].find('\n').map_or(self.src.len(), |i| at + i + 1)
    }

    /// End of the last line that holds content ending at `end`, newline
    /// included; content that already ends at a line start (block scalars)
    /// ends there.
    fn own_end(&self, end: usize) -> usize {
        if self.src[..end].ends_with('\n') { end } else { self.line_end(end) }
    }

    /// Offset of the `-` that introduces a block sequence item starting at
    /// `at`: on the same line before it, or on a line above with only
    /// comments and blank lines between.
    fn dash_before(&self, at: usize) -> Option<usize> {
        let mut line_start = self.line_start(at);
        let mut prefix = &self.src[line_start..at];
        loop {
            let trimmed = prefix.trim_end();
            if let Some(before) = trimmed.strip_suffix('-') {
                let separated = before.is_empty() || before.ends_with([' ', '\t']);
                return separated.then_some(line_start + before.len());
            }
            if !trimmed.trim_start().is_empty() || line_start == 0 {
                return None;
            }
            let previous = self.line_start(line_start - 1);
            prefix = strip_comment(&self.src[previous..line_start]);
            line_start = previous;
        }
    }

    fn is_comment_line(&self, range: Range<usize>) -> bool {
        self.src[range].trim_start().starts_with('#')
    }

    /// Cuts a block collection into head and child pieces. `floor` is where
    /// the collection's own text may start (after its parent key's line).
    fn layout<'n>(&self, node: &'n Node, floor: usize) -> Option<Layout<'n>> {
        let mut children = Vec::new();
        let mut spans = Vec::new();
        match &node.kind {
            Kind::Map { block: true, entries } => {
                for (key, value) in entries {
                    // Complex keys (`? …`) and non-scalar keys are not worth
                    // the risk.
                    if !matches!(key.kind, Kind::Scalar(_)) {
                        return None;
                    }
                    spans.push((key.start, key.end.max(value.end)));
                    children.push(Child { anchor: key.start, piece: 0..0, key: Some(key), value });
                }
            }
            Kind::Seq { block: true, items } => {
                for item in items {
                    let dash = self.dash_before(item.start)?;
                    spans.push((dash, item.end));
                    children.push(Child { anchor: dash, piece: 0..0, key: None, value: item });
                }
            }
            _ => return None,
        }
        let (first_anchor, _) = *spans.first()?;
        let first_line = self.line_start(first_anchor);
        let compact = !self.src[first_line..first_anchor].trim().is_empty();
        let mut head_end = first_anchor;
        if !compact {
            // Comment lines directly above the first child belong to it.
            head_end = first_line;
            while head_end > floor {
                let previous = self.line_start(head_end - 1);
                if previous < floor || !self.is_comment_line(previous..head_end) {
                    break;
                }
                head_end = previous;
            }
        }
        let mut start = head_end;
        let column = first_anchor - first_line;
        for (i, (anchor, end)) in spans.iter().copied().enumerate() {
            let line = self.line_start(anchor);
            if anchor - line != column {
                return None;
            }
            // Later children start their own line, after the previous one.
            if i > 0 && (line < start || !self.src[line..anchor].trim().is_empty()) {
                return None;
            }
            let end = self.own_end(end);
            if end <= start.max(anchor) {
                return None;
            }
            children[i].piece = start..end;
            start = end;
        }
        Some(Layout { head_end, end: start, compact, column, children })
    }
}

/// The last node in document order, when it is a scalar.
fn last_scalar(mut node: &mut Node) -> Option<&mut Node> {
    while !matches!(node.kind, Kind::Scalar(_)) {
        node = match &mut node.kind {
            Kind::Map { entries, .. } => &mut entries.last_mut()?.1,
            Kind::Seq { items, .. } => items.last_mut()?,
            Kind::Scalar(_) => unreachable!("the loop stops at scalars"),
        };
    }
    Some(node)
}

/// Drops a trailing `# comment` from a line that holds at most a `-`.
fn strip_comment(line: &str) -> &str {
    let mut previous_blank = true;
    for (i, c) in line.char_indices() {
        if c == '#' && previous_blank {
            return &line[..i];
        }
        previous_blank = c == ' ' || c == '\t';
    }
    line
}

type Events<'a> = std::iter::Peekable<std::vec::IntoIter<(Event<'a>, Span)>>;

/// Builds one node from the event stream. Anchors and aliases make the
/// structural merge give up: moving text around could rebind them.
fn build(events: &mut Events<'_>, offsets: &SourceMap<'_>) -> Option<Node> {
    let (event, span) = events.next()?;
    let start = offsets.byte_of_char(span.start.index());
    match event {
        Event::Scalar(value, style, anchor, tag) => {
            if anchor != 0 {
                return None;
            }
            Some(Node {
                start,
                end: offsets.byte_of_char(span.end.index()),
                tagged: tag.is_some(),
                kind: Kind::Scalar(Value::Scalar {
                    value: value.into_owned(),
                    plain: style == ScalarStyle::Plain,
                    tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                }),
            })
        }
        Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
            if anchor != 0 {
                return None;
            }
            let tagged = tag.is_some();
            let is_map = matches!(event, Event::MappingStart(..));
            let mut children = Vec::new();
            let end_span = loop {
                match events.peek()? {
                    (Event::MappingEnd | Event::SequenceEnd, _) => break events.next()?.1,
                    _ => children.push(build(events, offsets)?),
                }
            };
            // Block collections end with an empty event; flow ones with `}`/`]`.
            let block = end_span.start.index() == end_span.end.index();
            let end = if block {
                children.iter().map(|c| c.end).max().unwrap_or(start)
            } else {
                offsets.byte_of_char(end_span.end.index())
            };
            let kind = if is_map {
                if children.len() % 2 != 0 {
                    return None;
                }
                let mut entries = Vec::new();
                let mut it = children.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                Kind::Map { block, entries }
            } else {
                Kind::Seq { block, items: children }
            };
            Some(Node { start, end, tagged, kind })
        }
        _ => None,
    }
}

struct Merger<'a> {
    /// Base, ours, theirs.
    docs: [&'a Doc; 3],
    list_keys: &'a [String],
}

const BASE: usize = 0;
const OURS: usize = 1;
const THEIRS: usize = 2;

/// A merged child: its text and, for the value check, its key and value.
struct Merged {
    text: String,
    key: Option<Value>,
    value: Value,
}

impl Merger<'_> {
    fn piece(&self, side: usize, child: &Child<'_>) -> &str {
        &self.docs[side].src[child.piece.clone()]
    }

    fn take(&self, side: usize, child: &Child<'_>) -> Merged {
        Merged { text: self.piece(side, child).to_owned(), key: child.key.map(Node::value), value: child.value() }
    }

    /// Merges the children of three block collections of the same kind and
    /// returns the text of their pieces and the merged value.
    fn merge_collections(&self, nodes: [&Node; 3], layouts: &[Layout<'_>; 3]) -> Option<(String, Value)> {
        if !nodes.iter().all(|n| n.is_plain_block() && n.same_kind(nodes[BASE])) {
            return None;
        }
        // Pieces of one version must fit the indentation of another.
        let compact = layouts[BASE].compact;
        let column = layouts[BASE].column;
        if layouts.iter().any(|l| l.compact != compact || l.column != column) {
            return None;
        }
        let is_map = matches!(nodes[BASE].kind, Kind::Map { .. });
        // A compact first child shares its line with the head (`- `), so it
        // must stay first: the same entry first in all versions. Merging by
        // position keeps it first by construction.
        let merged = if is_map {
            self.merge_keyed(layouts, compact, |c| c.key.and_then(Node::identity))?
        } else if let Some(key) = self.list_key(layouts) {
            self.merge_keyed(layouts, compact, |c| c.value.lookup(key))?
        } else {
            self.merge_by_position(layouts)?
        };
        let text = merged.iter().map(|m| m.text.as_str()).collect();
        let value = if is_map {
            Value::Map(merged.into_iter().map(|m| Some((m.key?, m.value))).collect::<Option<_>>()?)
        } else {
            Value::Seq(merged.into_iter().map(|m| m.value).collect())
        };
        Some((text, value))
    }

    /// The first configured merge key that every entry of the three lists
    /// holds, with values unique within each list.
    fn list_key<'k>(&'k self, layouts: &[Layout<'_>; 3]) -> Option<&'k str> {
        self.list_keys.iter().map(String::as_str).find(|key| {
            layouts.iter().all(|l| {
                let ids: Option<Vec<semantic::Value>> = l.children.iter().map(|c| c.value.lookup(key)).collect();
                ids.is_some_and(|ids| all_unique(&ids))
            })
        })
    }

    /// Merges children matched by identity: mapping keys or list merge keys.
    fn merge_keyed(
        &self,
        layouts: &[Layout<'_>; 3],
        compact: bool,
        id: impl Fn(&Child<'_>) -> Option<semantic::Value>,
    ) -> Option<Vec<Merged>> {
        let ids: Vec<Vec<semantic::Value>> =
            layouts.iter().map(|l| l.children.iter().map(&id).collect::<Option<Vec<_>>>()).collect::<Option<_>>()?;
        if !ids.iter().all(|ids| all_unique(ids)) {
            return None;
        }
        // Present in all three and first in ours, so it is merged first.
        if compact && (ids[OURS].first() != ids[BASE].first() || ids[OURS].first() != ids[THEIRS].first()) {
            return None;
        }
        let find = |side: usize, key: &semantic::Value| ids[side].iter().position(|k| k == key);
        let common = |side: usize| -> Vec<&semantic::Value> {
            ids[side].iter().filter(|k| (0..3).all(|s| find(s, k).is_some())).collect()
        };
        let (base_order, ours_order, theirs_order) = (common(BASE), common(OURS), common(THEIRS));
        if theirs_order != base_order && theirs_order != ours_order {
            return None;
        }

        let mut merged = Vec::new();
        for (oi, key) in ids[OURS].iter().enumerate() {
            let o = &layouts[OURS].children[oi];
            let b = find(BASE, key).map(|i| &layouts[BASE].children[i]);
            let t = find(THEIRS, key).map(|i| &layouts[THEIRS].children[i]);
            match (b, t) {
                (Some(b), Some(t)) => merged.push(self.merge_child([b, o, t])?),
                (Some(b), None) => {
                    // Deleted by theirs: only if ours left it alone.
                    if self.piece(OURS, o) != self.piece(BASE, b) {
                        return None;
                    }
                }
                (None, Some(t)) => {
                    if self.piece(OURS, o) != self.piece(THEIRS, t) {
                        return None;
                    }
                    merged.push(self.take(OURS, o));
                }
                (None, None) => merged.push(self.take(OURS, o)),
            }
        }
        for (bi, key) in ids[BASE].iter().enumerate() {
            // Deleted by ours: only if theirs left it alone.
            if find(OURS, key).is_none()
                && let Some(ti) = find(THEIRS, key)
                && self.piece(THEIRS, &layouts[THEIRS].children[ti]) != self.piece(BASE, &layouts[BASE].children[bi])
            {
                return None;
            }
        }
        for (ti, key) in ids[THEIRS].iter().enumerate() {
            if find(BASE, key).is_none() && find(OURS, key).is_none() {
                merged.push(self.take(THEIRS, &layouts[THEIRS].children[ti]));
            }
        }
        Some(merged)
    }

    /// Merges list entries by position; only for lists whose length no side
    /// changed, so that no entry moved.
    fn merge_by_position(&self, layouts: &[Layout<'_>; 3]) -> Option<Vec<Merged>> {
        let len = layouts[BASE].children.len();
        if layouts.iter().any(|l| l.children.len() != len) {
            return None;
        }
        (0..len)
            .map(|i| {
                self.merge_child([&layouts[BASE].children[i], &layouts[OURS].children[i], &layouts[THEIRS].children[i]])
            })
            .collect()
    }

    /// Merges one child present in all three versions.
    fn merge_child(&self, children: [&Child<'_>; 3]) -> Option<Merged> {
        let [b, o, t] = children;
        let texts = [self.piece(BASE, b), self.piece(OURS, o), self.piece(THEIRS, t)];
        if texts[OURS] == texts[BASE] || texts[OURS] == texts[THEIRS] {
            return Some(self.take(THEIRS, t));
        }
        if texts[THEIRS] == texts[BASE] {
            return Some(self.take(OURS, o));
        }
        // Both changed it: recurse into block collections only.
        let values = [b.value, o.value, t.value];
        fn nested<'n>(doc: &Doc, child: &Child<'n>) -> Option<Layout<'n>> {
            let layout = doc.layout(child.value, doc.line_end(child.anchor))?;
            // The nested children must end exactly where the child does.
            (layout.end == child.piece.end && layout.head_end >= child.piece.start).then_some(layout)
        }
        let layouts = [nested(self.docs[BASE], b)?, nested(self.docs[OURS], o)?, nested(self.docs[THEIRS], t)?];
        let heads: [&str; 3] = std::array::from_fn(|i| &self.docs[i].src[children[i].piece.start..layouts[i].head_end]);
        let side = pick(heads)?;
        let head = heads[side];
        let (body, value) = self.merge_collections(values, &layouts)?;
        if !body.is_empty() {
            return Some(Merged { text: format!("{head}{body}"), key: o.key.map(Node::value), value });
        }
        // Both sides together removed every entry: an empty flow collection
        // keeps the type that an empty value (null) would lose.
        let child = children[side];
        let src = &self.docs[side].src;
        let indicator = match child.key {
            Some(key) => key.end + src[key.end..].find(':')?,
            None => child.anchor,
        };
        let at = (indicator + 1).checked_sub(child.piece.start).filter(|&at| head.is_char_boundary(at))?;
        let (before, after) = head.split_at(at);
        let empty = if matches!(value, Value::Map(_)) { " {}" } else { " []" };
        Some(Merged { text: format!("{before}{empty}{after}"), key: o.key.map(Node::value), value })
    }
}

fn all_unique(ids: &[semantic::Value]) -> bool {
    ids.iter().enumerate().all(|(i, id)| !ids[..i].contains(id))
}
