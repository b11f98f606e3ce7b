//! A parsed document: the JSON value the schema validator sees, plus where each
//! node came from in the source.
//!
//! The spans form a tree beside the value, built while parsing. Nodes are not
//! named by their JSON pointer as they are built (a pointer string and a hash
//! entry per node were a fifth of the time of `cfg check`); a pointer is
//! resolved by walking the tree only when a finding needs a place, in
//! O(depth × log width). Nodes that came from expanding a YAML alias are not
//! recorded one by one (that would let an alias bomb grow the tree);
//! [`Spans::lookup`] stops at the nearest recorded ancestor instead, which for
//! such nodes is the alias itself.

use std::borrow::Cow;
use std::ops::Range;

use super::Finding;
use crate::source::SourceMap;

/// Where one node is in the source, as byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeSpan {
    /// The key that introduced the node, when its parent is a mapping.
    pub(crate) key: Option<Range<usize>>,
    /// The node itself.
    pub(crate) value: Range<usize>,
}

/// The span tree of one document. The root is node 0.
#[derive(Debug, Default)]
pub(crate) struct Spans {
    nodes: Vec<SpanNode>,
    /// Every collection's children, each collection's contiguous: a sequence's
    /// in order (indexing is O(1)), a mapping's sorted by key (binary search).
    children: Vec<usize>,
    /// The text of every mapping key, back to back.
    keys: String,
}

#[derive(Debug)]
struct SpanNode {
    span: NodeSpan,
    /// This node's key in `Spans::keys` (empty when the parent is a sequence).
    key: Range<usize>,
    /// This node's children in `Spans::children`.
    children: Range<usize>,
    mapping: bool,
}

impl Spans {
    /// The span of the node at `pointer`, when it was recorded.
    pub(crate) fn get(&self, pointer: &str) -> Option<&NodeSpan> {
        match self.walk(pointer)? {
            (node, true) => Some(&self.nodes[node].span),
            (_, false) => None,
        }
    }

    /// The span of `pointer`, or of its nearest recorded ancestor.
    pub(crate) fn lookup(&self, pointer: &str) -> Option<&NodeSpan> {
        self.walk(pointer).map(|(node, _)| &self.nodes[node].span)
    }

    /// The deepest node on the way to `pointer`, and whether it is `pointer`'s.
    fn walk(&self, pointer: &str) -> Option<(usize, bool)> {
        let mut node = 0;
        self.nodes.first()?;
        if pointer.is_empty() {
            return Some((node, true));
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            match self.child(node, &unescape(token)) {
                Some(child) => node = child,
                None => return Some((node, false)),
            }
        }
        Some((node, true))
    }

    fn child(&self, node: usize, token: &str) -> Option<usize> {
        let node = &self.nodes[node];
        let children = &self.children[node.children.clone()];
        let index = if node.mapping {
            // The last of equal keys: the one the value kept.
            let after = children.partition_point(|&child| self.key(child) <= token);
            after.checked_sub(1).filter(|&i| self.key(children[i]) == token)?
        } else {
            token.parse().ok()?
        };
        children.get(index).copied()
    }

    fn key(&self, node: usize) -> &str {
        &self.keys[self.nodes[node].key.clone()]
    }

    /// The keys of the mapping at `pointer`, each once, in source order.
    pub(crate) fn keys_in_source_order(&self, pointer: &str) -> Vec<String> {
        let Some((node, true)) = self.walk(pointer) else {
            return Vec::new();
        };
        let node = &self.nodes[node];
        if !node.mapping {
            return Vec::new();
        }
        // Nodes are numbered in source order.
        let mut children = self.children[node.children.clone()].to_vec();
        children.sort_unstable();
        let mut keys: Vec<String> = Vec::with_capacity(children.len());
        for child in children {
            let key = self.key(child);
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        }
        keys
    }
}

/// Builds [`Spans`] from parse events in source order: a collection is opened
/// where it starts and closed where it ends; scalars are leaves.
#[derive(Debug, Default)]
pub(crate) struct SpansBuilder {
    spans: Spans,
    /// The children recorded so far of every open collection, innermost last.
    pending: Vec<usize>,
    /// The open collections: their node, and where their children start in `pending`.
    open: Vec<(usize, usize)>,
}

/// A key given twice in one mapping.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    pub(crate) key: String,
    pub(crate) first: Range<usize>,
    pub(crate) again: Range<usize>,
}

impl DuplicateKey {
    /// The finding for this key in the mapping at `mapping` (a JSON pointer).
    pub(crate) fn finding(self, mapping: &str, map: &SourceMap<'_>) -> Finding {
        let (line, column) = map.line_column(self.first.start);
        let message = format!("duplicate key `{}` (first defined at line {line}, column {column})", self.key);
        Finding::error(self.again, push_token(mapping, &self.key), "duplicate-key", message)
    }
}

impl SpansBuilder {
    /// A collection starts at `start`; `key` when its parent is a mapping.
    pub(crate) fn open(&mut self, key: Option<(&str, Range<usize>)>, start: usize, mapping: bool) {
        let node = self.push(key, start..start, mapping);
        self.open.push((node, self.pending.len()));
    }

    /// A scalar (or an alias) at `value`; `key` when its parent is a mapping.
    pub(crate) fn leaf(&mut self, key: Option<(&str, Range<usize>)>, value: Range<usize>) {
        self.push(key, value, false);
    }

    /// The innermost open collection ends at `end`. Returns the keys a mapping
    /// holds more than once, in source order.
    pub(crate) fn close(&mut self, end: usize) -> Vec<DuplicateKey> {
        let (node, from) = self.open.pop().expect("close matches an open");
        let Spans { nodes, children, keys } = &mut self.spans;
        let first = children.len();
        children.extend(self.pending.drain(from..));
        nodes[node].span.value.end = end;
        nodes[node].children = first..children.len();
        if !nodes[node].mapping {
            return Vec::new();
        }
        let siblings = &mut children[first..];
        let key = |child: usize| &keys[nodes[child].key.clone()];
        // Stable: equal keys stay in source order.
        siblings.sort_by(|&a, &b| key(a).cmp(key(b)));
        let mut duplicates = Vec::new();
        for run in siblings.chunk_by(|&a, &b| key(a) == key(b)).filter(|run| run.len() > 1) {
            let first = nodes[run[0]].span.key.clone().unwrap_or_default();
            for &again in &run[1..] {
                let again = nodes[again].span.key.clone().unwrap_or_default();
                duplicates.push(DuplicateKey { key: key(run[0]).to_owned(), first: first.clone(), again });
            }
        }
        duplicates.sort_by_key(|d| d.again.start);
        duplicates
    }

    /// The tree so far; collections still open keep the spans they started with.
    pub(crate) fn finish(mut self) -> Spans {
        while !self.open.is_empty() {
            let at = self.spans.nodes[self.open.last().expect("not empty").0].span.value.start;
            self.close(at);
        }
        self.spans
    }

    fn push(&mut self, key: Option<(&str, Range<usize>)>, value: Range<usize>, mapping: bool) -> usize {
        let Spans { nodes, keys, .. } = &mut self.spans;
        let (key_span, key_text) = match key {
            Some((text, span)) => {
                let at = keys.len();
                keys.push_str(text);
                (Some(span), at..keys.len())
            }
            None => (None, 0..0),
        };
        let node = nodes.len();
        nodes.push(SpanNode { span: NodeSpan { key: key_span, value }, key: key_text, children: 0..0, mapping });
        if !self.open.is_empty() {
            self.pending.push(node);
        }
        node
    }
}

/// One document of a file.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) value: serde_json::Value,
    pub(crate) spans: Spans,
}

/// Appends one reference token to a JSON pointer (RFC 6901 escaping).
pub(crate) fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    append_token(&mut out, token);
    out
}

/// Appends one reference token to a JSON pointer in place.
pub(crate) fn append_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') { Cow::Owned(token.replace("~1", "/").replace("~0", "~")) } else { Cow::Borrowed(token) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escaping() {
        assert_eq!(push_token("", "a/b~c"), "/a~1b~0c");
        assert_eq!(push_token("/x", "0"), "/x/0");
        assert_eq!(unescape("a~1b~0c~01"), "a/b~c~1");
    }

    /// `{"b": [x, y], "a": z, "b": w}` laid out at made-up offsets.
    fn sample() -> (Spans, Vec<DuplicateKey>) {
        let mut builder = SpansBuilder::default();
        builder.open(None, 0, true);
        builder.open(Some(("b", 1..2)), 3, false);
        builder.leaf(None, 4..5);
        builder.leaf(None, 6..7);
        assert!(builder.close(8).is_empty());
        builder.leaf(Some(("a", 9..10)), 11..12);
        builder.leaf(Some(("b", 13..14)), 15..16);
        let duplicates = builder.close(17);
        (builder.finish(), duplicates)
    }

    #[test]
    fn lookup_walks_up_to_the_nearest_ancestor() {
        let (spans, _) = sample();
        assert_eq!(spans.lookup("").unwrap().value, 0..17);
        assert_eq!(spans.get("/a").unwrap(), &NodeSpan { key: Some(9..10), value: 11..12 });
        assert_eq!(spans.lookup("/a/deeper/still").unwrap().value, 11..12);
        assert_eq!(spans.get("/a/deeper"), None);
        assert_eq!(spans.lookup("/zzz").unwrap().value, 0..17);
        assert_eq!(spans.get("nonsense"), None);
    }

    #[test]
    fn sequences_index_and_duplicate_keys_resolve_to_the_last() {
        let (spans, duplicates) = sample();
        // The value keeps the last of two equal keys, so the span does too.
        assert_eq!(spans.get("/b").unwrap().value, 15..16);
        assert_eq!(duplicates, [DuplicateKey { key: "b".into(), first: 1..2, again: 13..14 }]);
        assert_eq!(spans.keys_in_source_order(""), ["b", "a"]);
    }

    #[test]
    fn sequence_children_by_index() {
        let mut builder = SpansBuilder::default();
        builder.open(None, 0, false);
        for i in 0..100 {
            builder.leaf(None, i..i + 1);
        }
        builder.close(100);
        let spans = builder.finish();
        assert_eq!(spans.get("/42").unwrap().value, 42..43);
        assert_eq!(spans.get("/100"), None);
        assert_eq!(spans.get("/x"), None);
    }
}
