//! Builds a [`Document`] from parse events in source order, for both front
//! ends: a collection is opened where it starts and closed where it ends;
//! scalars and aliases are leaves. Depth and alias budget are checked here,
//! before anything deeper is read or anything is counted twice.

use std::collections::HashMap;
use std::ops::Range;

use super::convert::{Read, read_scalar};
use super::{
    Document, Duplicate, ErrorKind, Kind, Limits, Node, NodeId, ParseError, Scalar, ScalarStyle, Style, Tag, text,
};

/// Key classes beyond [`super::Resolved::class`] (0..=4).
const LOCAL_KEY: u8 = 5;
const BAD_KEY: u8 = 6;
pub(super) const COMPLEX_KEY: u8 = 7;

/// An open collection.
struct Open {
    node: NodeId,
    /// Where its children start in `Builder::pending`.
    from: usize,
    /// Nodes it stands for so far (alias expansions counted).
    weight: usize,
}

pub(super) struct Builder<'t> {
    text: &'t str,
    limits: &'t Limits,
    doc: Document,
    open: Vec<Open>,
    /// The children of every open collection, innermost last.
    pending: Vec<NodeId>,
    /// Anchor id → the node it names (last definition wins) and its weight.
    anchors: HashMap<usize, (NodeId, usize)>,
    /// Alias weight spent so far in the whole text.
    pub(super) alias_nodes: usize,
}

impl<'t> Builder<'t> {
    /// `capacity`: how many nodes to make room for at once.
    pub(super) fn new(text: &'t str, limits: &'t Limits, alias_nodes: usize, capacity: usize) -> Self {
        Builder {
            text,
            limits,
            doc: Document {
                nodes: Vec::with_capacity(capacity),
                children: Vec::new(),
                sorted: Vec::new(),
                keys: String::new(),
                duplicates: Vec::new(),
                start: 0,
                explicit_start: false,
                empty_stream: false,
            },
            open: Vec::new(),
            pending: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes,
        }
    }

    pub(super) fn set_start(&mut self, start: usize, explicit: bool) {
        self.doc.start = start;
        self.doc.explicit_start = explicit;
    }

    /// Whether the innermost open collection is a flow one.
    pub(super) fn in_flow(&self) -> bool {
        self.open.last().is_some_and(|open| self.doc.nodes[open.node].style() == Some(Style::Flow))
    }

    pub(super) fn scalar(
        &mut self,
        span: Range<usize>,
        style: ScalarStyle,
        value: String,
        tag: Option<Tag>,
        anchor: usize,
    ) -> Result<(), ParseError> {
        let mut span = span;
        if style == ScalarStyle::Plain && value.is_empty() && tag.is_none() && anchor == 0 {
            span = self.empty_span(span.start);
        }
        let id = self.push(span, Kind::Scalar(Scalar { style, value }), tag, anchor);
        self.done(id, 1);
        Ok(())
    }

    /// Where an empty value sits: just after its `:` in a block mapping
    /// (the parser reports it at the end of the key), just after its `-` in
    /// a block list, else where reported.
    fn empty_span(&self, at: usize) -> Range<usize> {
        let parent = self.open.last().map(|open| (&self.doc.nodes[open.node].kind, self.pending.len() - open.from));
        if let Some((Kind::Seq(Style::Block), _)) = parent
            && let Some(dash) = text::indicator_before(self.text, at, '-')
        {
            return dash + 1..dash + 1;
        }
        if let Some((Kind::Map(Style::Block), index)) = parent
            && index % 2 == 1
        {
            let rest = &self.text[at..];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if rest[skipped..].starts_with(':') {
                let after = at + skipped + 1;
                return after..after;
            }
        }
        at..at
    }

    pub(super) fn alias(&mut self, span: Range<usize>, anchor: usize) -> Result<(), ParseError> {
        let Some(&(target, weight)) = self.anchors.get(&anchor) else {
            let cyclic = self.open.iter().any(|open| self.doc.nodes[open.node].anchor as usize == anchor);
            let message = if cyclic {
                "an alias refers to a node that contains it (a cycle)"
            } else {
                "undefined alias: its anchor is not defined before it in this document"
            };
            return Err(error(span, ErrorKind::Alias, message.into()));
        };
        self.alias_nodes = self.alias_nodes.saturating_add(weight);
        let budget = self.limits.max_alias_nodes;
        if self.alias_nodes > budget {
            let message = format!("aliases expand to more than {budget} nodes (possible alias bomb)");
            return Err(error(span, ErrorKind::AliasBudget, message));
        }
        let id = self.push(span, Kind::Alias(target), None, 0);
        self.done(id, weight);
        Ok(())
    }

    /// A collection starts at `span.start`.
    pub(super) fn open(
        &mut self,
        span: Range<usize>,
        map: bool,
        style: Style,
        tag: Option<Tag>,
        anchor: usize,
    ) -> Result<(), ParseError> {
        let max_depth = self.limits.max_depth;
        if self.open.len() >= max_depth {
            let message = format!("nesting is deeper than {max_depth} levels");
            return Err(error(span, ErrorKind::Depth, message));
        }
        let style = if self.in_flow() { Style::Flow } else { style };
        let kind = if map { Kind::Map(style) } else { Kind::Seq(style) };
        let node = self.push(span, kind, tag, anchor);
        self.open.push(Open { node, from: self.pending.len(), weight: 1 });
        Ok(())
    }

    /// The innermost open collection ends; `end` is where a flow one's
    /// closing bracket ends.
    pub(super) fn close(&mut self, end: usize) {
        let Open { node: id, from, weight } = self.open.pop().expect("close matches an open");
        let Document { nodes, children, sorted, keys, duplicates, .. } = &mut self.doc;
        let base = children.len();
        children.extend(self.pending.drain(from..));
        let own = &children[base..];
        // A block list item ends no earlier than just past its `-`.
        let is_seq = nodes[id].is_seq();
        let last_end = own.last().map(|&c| {
            let dash_end = if is_seq && nodes[c].lead < nodes[c].span.start { nodes[c].lead + 1 } else { 0 };
            nodes[c].span.end.max(dash_end)
        });
        let node = &nodes[id];
        let span = match (node.style(), own.first(), last_end) {
            // A `k: v` pair in a flow list has no braces: it is its entry.
            (Some(Style::Flow), Some(&first_child), Some(last_end)) if node.span.is_empty() => {
                nodes[first_child].lead..last_end
            }
            (Some(Style::Flow), ..) => node.span.start..end.max(node.span.end),
            // The parser can report a block list after its first `-`.
            (_, Some(&first_child), Some(last_end)) => {
                let start = node.span.start.min(nodes[first_child].lead);
                start..last_end.max(start)
            }
            _ => node.span.clone(),
        };
        let end_id = nodes.len() as u32;
        let node = &mut nodes[id];
        node.span = span;
        node.children = base as u32..children.len() as u32;
        node.end = end_id;
        if node.is_map() {
            node.sorted = sorted.len() as u32;
            let entries = (children.len() - base) / 2;
            let start = sorted.len();
            sorted.extend(0..entries as u32);
            let key_of = |entry: u32| children[base + 2 * entry as usize];
            let key_text = |entry: u32| {
                let key = &nodes[key_of(entry)].key;
                &keys[key.start as usize..key.end as usize]
            };
            // Stable: equal keys stay in source order.
            sorted[start..].sort_by(|&a, &b| key_text(a).cmp(key_text(b)));
            let same = |a: u32, b: u32| {
                let (ka, kb) = (&nodes[key_of(a)], &nodes[key_of(b)]);
                ka.key_class == kb.key_class
                    && ka.key_class != COMPLEX_KEY
                    && (ka.key_class != LOCAL_KEY || ka.tag == kb.tag)
            };
            let mut found = Vec::new();
            for run in sorted[start..].chunk_by(|&a, &b| key_text(a) == key_text(b)).filter(|run| run.len() > 1) {
                for (i, &again) in run.iter().enumerate() {
                    // The earliest equal key in source order: sorting was stable.
                    if let Some(&first) = run[..i].iter().find(|&&first| same(first, again)) {
                        found.push(Duplicate { first: key_of(first), again: key_of(again) });
                    }
                }
            }
            found.sort_by_key(|d| d.again);
            duplicates.extend(found);
        }
        let anchor = nodes[id].anchor as usize;
        if anchor != 0 {
            self.anchors.insert(anchor, (id, weight));
        }
        self.add_weight(weight);
    }

    /// The document so far; collections still open (after an error) end
    /// where they start.
    pub(super) fn finish(mut self) -> Document {
        while let Some(open) = self.open.last() {
            let at = self.doc.nodes[open.node].span.start;
            self.close(at);
        }
        if self.doc.nodes.is_empty() {
            let at = self.doc.start;
            self.push(at..at, Kind::Scalar(Scalar { style: ScalarStyle::Plain, value: String::new() }), None, 0);
        }
        self.doc
    }

    /// A document for a text with none: a null at its start.
    pub(super) fn empty_stream(text: &'t str, limits: &'t Limits) -> Document {
        let mut doc = Builder::new(text, limits, 0, 1).finish();
        doc.empty_stream = true;
        doc
    }

    fn push(&mut self, span: Range<usize>, kind: Kind, tag: Option<Tag>, anchor: usize) -> NodeId {
        let id = self.doc.nodes.len();
        let (parent, index, is_key) = match self.open.last() {
            Some(open) => {
                let index = self.pending.len() - open.from;
                let is_key = self.doc.nodes[open.node].is_map() && index.is_multiple_of(2);
                (Some(open.node), index, is_key)
            }
            None => (None, 0, false),
        };
        let lead = match parent.map(|p| &self.doc.nodes[p].kind) {
            Some(Kind::Seq(Style::Block)) => text::indicator_before(self.text, span.start, '-').unwrap_or(span.start),
            _ if is_key => explicit_key(self.text, span.start).unwrap_or(span.start),
            _ => span.start,
        };
        let (key, key_class) = if is_key { self.key_identity(&kind, tag.as_ref()) } else { (0..0, 0) };
        if self.open.is_empty() && self.doc.nodes.is_empty() && !self.doc.explicit_start {
            self.doc.start = lead;
        }
        self.doc.nodes.push(Node {
            span,
            lead,
            kind,
            tag: tag.map(Box::new),
            anchor: anchor as u32,
            parent: parent.map_or(super::NO_PARENT, |p| p as u32),
            index: index as u32,
            depth: self.open.len() as u32,
            end: id as u32 + 1,
            children: 0..0,
            sorted: 0,
            key,
            key_class,
        });
        if !self.open.is_empty() {
            self.pending.push(id);
        }
        id
    }

    /// A key's JSON text (appended to `Document::keys`) and class.
    fn key_identity(&mut self, kind: &Kind, tag: Option<&Tag>) -> (Range<u32>, u8) {
        let Document { nodes, keys, .. } = &mut self.doc;
        let start = keys.len() as u32;
        let (scalar, tag) = match kind {
            Kind::Scalar(scalar) => (scalar, tag),
            Kind::Alias(target) => match &nodes[*target] {
                Node { kind: Kind::Scalar(scalar), tag, .. } => (scalar, tag.as_deref()),
                _ => return (start..start, COMPLEX_KEY),
            },
            Kind::Seq(_) | Kind::Map(_) => return (start..start, COMPLEX_KEY),
        };
        let class = match read_scalar(scalar, tag) {
            Read::Value(value) => {
                keys.push_str(&value.key_text());
                value.class()
            }
            Read::Unknown => {
                keys.push_str(&scalar.value);
                LOCAL_KEY
            }
            Read::Bad(_) => {
                keys.push_str(&scalar.value);
                BAD_KEY
            }
        };
        (start..keys.len() as u32, class)
    }

    /// A leaf is complete: its weight counts toward its parent's, and an
    /// anchored scalar can be aliased from now on.
    fn done(&mut self, id: NodeId, weight: usize) {
        let anchor = self.doc.nodes[id].anchor as usize;
        if anchor != 0 {
            self.anchors.insert(anchor, (id, weight));
        }
        self.add_weight(weight);
    }

    fn add_weight(&mut self, weight: usize) {
        if let Some(open) = self.open.last_mut() {
            open.weight = open.weight.saturating_add(weight);
        }
    }
}

/// The `?` before an explicit key on the key's own line. Looks at the
/// spaces before the key only (a scan to the line start would be quadratic
/// on a one-line mapping).
fn explicit_key(text: &str, at: usize) -> Option<usize> {
    let before = text[..at].trim_end_matches([' ', '\t']);
    let rest = before.strip_suffix('?')?;
    (rest.is_empty() || rest.ends_with([' ', '\t', '\n', '{', ','])).then_some(rest.len())
}

fn error(span: Range<usize>, kind: ErrorKind, message: String) -> ParseError {
    ParseError { kind, span, message }
}
